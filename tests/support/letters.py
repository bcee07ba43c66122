"""Mails as the SMTP server receives them, from a letterhead with every field set."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime

from mailer import letterhead
from mailer.sink import ReceivedMail
from mailer.worker import MailWorker
from settings import Settings
from tests.support.smtp import SmtpServer

SENDER = "kiBon <noreply@kibon.be.ch>"


def canton_settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings,
        mail_from=SENDER,
        canton_name="Kanton Bern / Canton de Berne",
        support_email="support@kibon.be.ch",
        support_phone="031 633 00 00",
    )


@contextmanager
def canton_letterhead(settings: Settings) -> Iterator[Settings]:
    """Mails queued inside carry the canton's letterhead; the default comes back after."""
    configured = canton_settings(settings)
    letterhead.configure(configured)
    try:
        yield configured
    finally:
        letterhead.configure(settings)


async def delivered(settings: Settings, smtp: SmtpServer) -> list[ReceivedMail]:
    assert settings.smtp is not None
    await MailWorker(settings, smtp=settings.smtp).deliver_due()
    return list(smtp.mails)


def assert_letter_form(mail: ReceivedMail, *, german: bool, french: bool) -> None:
    """Headers and footer every mail has, in the languages it is written in."""
    assert parsedate_to_datetime(mail.date).tzinfo is not None
    assert mail.message_id.endswith("@kibon.be.ch>")
    for part in (mail.text, mail.html):
        assert ("Freundliche Grüsse" in part) is german
        assert ("Bitte antworten Sie nicht darauf." in part) is german
        assert ("kiBon, Kanton Bern" in part) is german
        assert ("Merci de ne pas y répondre." in part) is french
        assert ("kiBon, Canton de Berne" in part) is french
        assert "support@kibon.be.ch" in part
        assert "031 633 00 00" in part
    if german and french:
        assert mail.text.index("Guten Tag") < mail.text.index("Bonjour")
