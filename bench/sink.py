"""An SMTP sink in a process of its own that only counts: every mail, and distinct Message-IDs.

Its own process, so its CPU time and GIL are not charged to the workers being measured."""

from __future__ import annotations

import threading
from email.parser import BytesHeaderParser
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event
from typing import Any

from aiosmtpd.controller import Controller


class CountingHandler:
    def __init__(self, total: Synchronized[int], unique: Synchronized[int]) -> None:
        self.total = total
        self.unique = unique
        self.seen: set[str] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        headers = BytesHeaderParser().parsebytes(envelope.original_content)
        message_id = str(headers.get("Message-ID", ""))
        with self.total.get_lock():
            self.total.value += 1
        if message_id not in self.seen:
            self.seen.add(message_id)
            with self.unique.get_lock():
                self.unique.value += 1
        return "250 OK"


def serve(port: int, total: Synchronized[int], unique: Synchronized[int], ready: Event) -> None:
    """The process's target: runs until the process is terminated."""
    controller = Controller(CountingHandler(total, unique), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    threading.Event().wait()
