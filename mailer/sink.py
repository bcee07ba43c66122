"""The embedded development mail sink: a real SMTP server on loopback that keeps the last mails.

`serve` delivers into it when no SMTP server is configured, and `GET /dev/mail` shows what it got,
so a newcomer can follow an invitation from registration to the link.
"""

from __future__ import annotations

import asyncio
import socket
from collections import deque
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

from settings import SmtpSettings

KEEP = 100


@dataclass(frozen=True)
class ReceivedMail:
    recipients: list[str]
    sender: str
    subject: str
    text: str
    html: str
    message_id: str
    date: str = ""


def parse(raw: bytes, recipients: list[str]) -> ReceivedMail:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    return ReceivedMail(
        recipients=recipients,
        sender=str(message.get("From", "")),
        subject=str(message.get("Subject", "")),
        text=text_part.get_content() if text_part else "",
        html=html_part.get_content() if html_part else "",
        message_id=str(message.get("Message-ID", "")),
        date=str(message.get("Date", "")),
    )


class _Collect:
    def __init__(self, mails: deque[ReceivedMail]) -> None:
        self.mails = mails

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(parse(envelope.original_content, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class DevMailSink:
    def __init__(self) -> None:
        self.mails: deque[ReceivedMail] = deque(maxlen=KEEP)
        self._controller = Controller(_Collect(self.mails), hostname="127.0.0.1", port=free_port())

    async def __aenter__(self) -> SmtpSettings:
        await asyncio.to_thread(self._controller.start)
        return SmtpSettings(host="127.0.0.1", port=self._controller.port)

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self._controller.stop)
