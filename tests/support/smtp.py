"""A real SMTP server (aiosmtpd) on loopback that records what it receives and can misbehave."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiosmtpd.controller import Controller

from mailer.sink import ReceivedMail, free_port, parse


class RecordingHandler:
    def __init__(self) -> None:
        self.mails: list[ReceivedMail] = []
        self.reply: str | None = None  # e.g. "451 try later" or "550 no such user"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply is not None:
            return self.reply
        self.mails.append(parse(envelope.original_content, list(envelope.rcpt_tos)))
        return "250 OK"


class SmtpServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def mails(self) -> list[ReceivedMail]:
        return self.handler.mails

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def reset(self) -> None:
        self.handler.mails.clear()
        self.handler.reply = None

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        deadline = time.monotonic() + timeout
        while len(self.mails) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return list(self.mails)
