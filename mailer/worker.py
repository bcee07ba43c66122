"""Delivers the outbox with aiosmtplib. (First version: one attempt per message.)"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from email.message import EmailMessage

import aiosmtplib
from tortoise.transactions import in_transaction

from mailer.outbox import DeliveryStatus, OutboxMessage
from models import clock
from settings import Settings, SmtpSettings

log = logging.getLogger("kibon.mail")
POLL_SECONDS = 1.0


class MailWorker:
    def __init__(self, settings: Settings, *, smtp: SmtpSettings) -> None:
        self.settings = settings
        self.smtp = smtp

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        task = asyncio.create_task(self.run_forever())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run_forever(self) -> None:
        while True:
            try:
                sent = await self.deliver_due()
            except Exception:
                log.exception("mail delivery round failed")
                sent = 0
            if not sent:
                await asyncio.sleep(POLL_SECONDS)

    async def deliver_due(self, limit: int = 50) -> int:
        async with in_transaction():
            due = (
                await OutboxMessage.filter(
                    status=DeliveryStatus.PENDING, next_attempt_at__lte=clock.now()
                )
                .order_by("id")
                .limit(limit)
                .select_for_update(skip_locked=True)
            )
            for message in due:
                await self._send(message)
        return len(due)

    async def _send(self, message: OutboxMessage) -> None:
        mail = EmailMessage()
        mail["From"] = self.settings.mail_from
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Message-ID"] = message.message_id
        mail.set_content(message.body_text or "")
        mail.add_alternative(message.body_html or "", subtype="html")
        await aiosmtplib.send(
            mail,
            hostname=self.smtp.host,
            port=self.smtp.port,
            username=self.smtp.username,
            password=self.smtp.password,
            start_tls=self.smtp.starttls or False,
            timeout=30,
        )
        await OutboxMessage.filter(id=message.id).update(
            status=DeliveryStatus.SENT, sent_at=clock.now(), body_text=None, body_html=None
        )
