"""Talking SMTP: compose a stored message, send it over one reused connection, and judge the
server's answer as sent, worth retrying, or failed for good."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from enum import StrEnum

import aiosmtplib

from mailer.outbox import OutboxMessage
from mailer.redact import reason
from settings import SmtpSettings

DELIVERY_ERRORS = (aiosmtplib.SMTPException, ssl.SSLError, OSError, asyncio.TimeoutError)
COMMAND_TIMEOUT_SECONDS = 20.0
SEND_TIMEOUT_SECONDS = 30.0  # one message, connecting included
QUIT_TIMEOUT_SECONDS = 2.0


class Verdict(StrEnum):
    SENT = "SENT"
    RETRY = "RETRY"
    FAILED = "FAILED"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    reason: str | None = None


SENT = Outcome(Verdict.SENT)


def compose(message: OutboxMessage, *, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(message.created_at)  # when it was written, on every retry
    mail["Message-ID"] = message.message_id  # stable across retries: receivers deduplicate on it
    mail.set_content(message.body_text or "")
    mail.add_alternative(message.body_html or "", subtype="html")
    return mail


def judge(error: BaseException) -> Outcome:
    """Only a 5xx refusal of this recipient or this message is final. A refused sender, a
    refused login or STARTTLS (530) is the same for every message; failing them all at once
    for a configuration mistake would throw the whole queue away."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        error = error.recipients[0]
    if isinstance(error, aiosmtplib.SMTPResponseException):
        text = reason(f"{error.code} {error.message}")
        final = isinstance(error, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError)
        return Outcome(Verdict.FAILED if final and error.code >= 500 else Verdict.RETRY, text)
    detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return Outcome(Verdict.RETRY, reason(detail))


class SmtpTransport:
    """One connection, opened on first use and kept for the next messages. After it cannot
    be (re)opened, the remaining messages of the batch get the same outcome without waiting
    for another timeout each."""

    def __init__(self, smtp: SmtpSettings) -> None:
        self._client = aiosmtplib.SMTP(
            hostname=smtp.host,
            port=smtp.port,
            username=smtp.username,
            password=smtp.password,
            start_tls=smtp.starttls,
            timeout=COMMAND_TIMEOUT_SECONDS,
        )
        self._unreachable: Outcome | None = None

    async def deliver(self, mail: EmailMessage, *, recipient: str) -> Outcome:
        if self._unreachable is not None:
            return self._unreachable
        try:
            async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                if not self._client.is_connected:
                    await self._connect()
                await self._client.send_message(mail, recipients=[recipient])
        except _Unreachable as unreachable:
            self._unreachable = unreachable.outcome
            return unreachable.outcome
        except DELIVERY_ERRORS as error:
            if not isinstance(error, aiosmtplib.SMTPResponseException):
                self._client.close()  # its state is unknown; the next message reconnects
            return judge(error)
        except BaseException:
            self._client.close()
            raise
        return SENT

    async def _connect(self) -> None:
        try:
            await self._client.connect()
        except DELIVERY_ERRORS as error:
            self._client.close()
            # at connect time even a 5xx (a refused login) says nothing about the message
            raise _Unreachable(Outcome(Verdict.RETRY, judge(error).reason)) from error

    async def close(self) -> None:
        if not self._client.is_connected:
            return
        try:
            await self._client.quit(timeout=QUIT_TIMEOUT_SECONDS)
        except DELIVERY_ERRORS:
            self._client.close()


class _Unreachable(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.reason)
        self.outcome = outcome
