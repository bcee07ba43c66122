"""A real SMTP server (aiosmtpd) on loopback that records what it receives and can misbehave."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from aiosmtpd.controller import Controller

from mailer.sink import ReceivedMail, free_port, parse


class RecordingHandler:
    def __init__(self) -> None:
        self.mails: list[ReceivedMail] = []
        # per accepted mail: the client's address (one per connection), STARTTLS, the login
        self.sessions: list[dict[str, Any]] = []
        self.reply: str | None = None  # e.g. "451 try later" or "550 no such user"
        self.hold: threading.Event | None = None  # when set: keep the mail, delay the 250

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply is not None:
            return self.reply
        self.mails.append(parse(envelope.original_content, list(envelope.rcpt_tos)))
        self.sessions.append(
            {"peer": session.peer, "tls": session.ssl is not None, "login": session.auth_data}
        )
        if self.hold is not None:
            await asyncio.to_thread(self.hold.wait, 10)
        return "250 OK"


class SmtpServer:
    def __init__(self, **options: Any) -> None:
        """`options` go to aiosmtpd's SMTP, e.g. `tls_context=…, require_starttls=True`."""
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **options)

    @property
    def mails(self) -> list[ReceivedMail]:
        return self.handler.mails

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def connections(self) -> int:
        return len({session["peer"] for session in self.handler.sessions})

    def reset(self) -> None:
        self.handler.mails.clear()
        self.handler.sessions.clear()
        self.handler.reply = None
        if self.handler.hold is not None:
            self.handler.hold.set()
        self.handler.hold = None

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        deadline = time.monotonic() + timeout
        while len(self.mails) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return list(self.mails)
