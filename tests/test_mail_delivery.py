"""Delivering the outbox into a real SMTP server: what arrives, and what happens when the
server is away, refuses for now, or refuses for good."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from mailer.outbox import DeliveryStatus
from mailer.sink import free_port
from mailer.worker import MailWorker
from settings import Settings, SmtpSettings
from tests.support.clock import Clock
from tests.support.mail import queue, reload
from tests.support.smtp import SmtpServer


@pytest.fixture
def worker(settings: Settings, smtp: SmtpServer, clock: Clock) -> MailWorker:
    assert settings.smtp is not None
    return MailWorker(settings, smtp=settings.smtp, now=clock)


async def test_a_queued_message_arrives_with_both_parts_and_its_message_id(
    worker: MailWorker, smtp: SmtpServer, settings: Settings
) -> None:
    [message] = await queue(recipient="anna@kita-sonne.ch")

    handled = await worker.deliver_due()

    assert handled == 1
    [mail] = smtp.mails
    assert mail.recipients == ["anna@kita-sonne.ch"]
    assert mail.sender == settings.mail_from
    assert mail.subject == message.subject
    assert mail.message_id == message.message_id
    assert message.body_text is not None
    assert message.body_html is not None
    assert mail.text.splitlines() == message.body_text.splitlines()
    assert mail.html.splitlines() == message.body_html.splitlines()
    stored = await reload(message)
    assert stored.status == DeliveryStatus.SENT
    assert stored.sent_at is not None
    assert stored.attempts == 1
    assert stored.body_text is None
    assert stored.body_html is None
    assert stored.locked_until is None
    assert stored.claimed_by is None


async def test_a_batch_is_sent_over_one_connection(worker: MailWorker, smtp: SmtpServer) -> None:
    await queue(5)

    await worker.deliver_due()

    assert len(smtp.mails) == 5
    assert smtp.connections == 1


async def test_nothing_is_sent_twice_by_later_rounds(worker: MailWorker, smtp: SmtpServer) -> None:
    await queue(3)

    first = await worker.deliver_due()
    second = await worker.deliver_due()

    assert (first, second) == (3, 0)
    assert len(smtp.mails) == 3


async def test_while_smtp_is_down_messages_wait_a_minute_then_each_arrives_exactly_once(
    settings: Settings, smtp: SmtpServer, clock: Clock
) -> None:
    queued = await queue(3)
    closed_port = SmtpSettings(host="127.0.0.1", port=free_port())
    assert settings.smtp is not None
    down = MailWorker(settings, smtp=closed_port, now=clock)
    up = MailWorker(settings, smtp=settings.smtp, now=clock)

    await down.deliver_due()
    waiting = [await reload(m) for m in queued]
    too_early = await up.deliver_due()
    clock.advance(timedelta(minutes=1, seconds=1))
    await up.deliver_due()
    await up.deliver_due()

    for message in waiting:
        assert message.status == DeliveryStatus.PENDING
        assert message.attempts == 1
        assert message.first_attempt_at is not None
        assert message.next_attempt_at - message.first_attempt_at == timedelta(minutes=1)
        assert message.last_error
        assert "SMTPConnectError" in message.last_error
        assert message.body_text is not None
    assert too_early == 0
    assert sorted(m.message_id for m in smtp.mails) == sorted(m.message_id for m in queued)
    assert {(await reload(m)).status for m in queued} == {DeliveryStatus.SENT}


async def test_a_temporary_refusal_is_retried_with_growing_delays_until_a_day_has_passed(
    worker: MailWorker, smtp: SmtpServer, clock: Clock
) -> None:
    [message] = await queue()
    smtp.handler.reply = "451 4.3.0 try later"
    delays: list[timedelta] = []

    await worker.deliver_due()
    stored = await reload(message)
    while stored.status == DeliveryStatus.PENDING and len(delays) < 20:
        delays.append(stored.next_attempt_at - clock())
        clock.move_to(stored.next_attempt_at)
        await worker.deliver_due()
        stored = await reload(message)

    minutes = [round(d.total_seconds() / 60) for d in delays]
    assert minutes == [1, 5, 15, 60, 240, 240, 240, 240, 240, 159]
    assert stored.status == DeliveryStatus.FAILED
    assert stored.attempts == 11
    assert stored.first_attempt_at is not None
    assert clock() - stored.first_attempt_at >= timedelta(hours=24)
    assert stored.last_error == "451 4.3.0 try later"
    assert stored.body_text is None
    assert stored.body_html is None
    assert smtp.mails == []


async def test_a_message_is_not_tried_again_before_its_delay(
    worker: MailWorker, smtp: SmtpServer, clock: Clock
) -> None:
    [message] = await queue()
    smtp.handler.reply = "451 4.3.0 try later"
    await worker.deliver_due()
    smtp.handler.reply = None

    clock.advance(timedelta(seconds=50))
    early = await worker.deliver_due()
    clock.advance(timedelta(seconds=11))
    due = await worker.deliver_due()

    assert (early, due) == (0, 1)
    assert (await reload(message)).status == DeliveryStatus.SENT


async def test_a_permanent_refusal_fails_after_one_attempt_and_clears_the_bodies(
    worker: MailWorker, smtp: SmtpServer
) -> None:
    [message] = await queue()
    smtp.handler.reply = "550 5.1.1 no such user"

    await worker.deliver_due()

    stored = await reload(message)
    assert stored.status == DeliveryStatus.FAILED
    assert stored.attempts == 1
    assert stored.last_error == "550 5.1.1 no such user"
    assert stored.body_text is None
    assert stored.body_html is None
    assert await worker.deliver_due() == 0


async def test_a_message_that_cannot_be_composed_does_not_stop_the_others(
    worker: MailWorker, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    [broken] = await queue(recipient="anna@kita-sonne.ch\r\nBcc: eve@example.ch")
    [fine] = await queue()

    with caplog.at_level(logging.ERROR, logger="kibon.mail"):
        await worker.deliver_due()

    assert [m.message_id for m in smtp.mails] == [fine.message_id]
    stored = await reload(broken)
    assert stored.status == DeliveryStatus.PENDING
    assert stored.last_error == "internal error: ValueError"
    assert stored.next_attempt_at > stored.created_at
    assert "unexpected error" in caplog.text


async def test_logs_name_the_message_and_a_masked_recipient_but_never_a_body_or_link(
    worker: MailWorker, smtp: SmtpServer, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    [sent] = await queue(recipient="anna@kita-sonne.ch")

    with caplog.at_level(logging.DEBUG, logger="kibon"):
        await worker.deliver_due()
        [retried] = await queue(recipient="bruno@kita-mond.ch")
        smtp.handler.reply = "451 4.3.0 try later"
        await worker.deliver_due()
        smtp.handler.reply = "550 5.1.1 <bruno@kita-mond.ch>: no such user"
        clock.advance(timedelta(minutes=2))
        await worker.deliver_due()

    logged = caplog.text
    for expected in (sent.message_id, "a***@kita-sonne.ch", "attempt 1: SENT"):
        assert expected in logged
    for expected in (
        retried.message_id,
        "b***@kita-mond.ch",
        "attempt 1: RETRY",
        "attempt 2: FAILED",
    ):
        assert expected in logged
    for secret in ("anna@", "bruno@", "token=", "s3cret", "portal.kibon.test", "Guten Tag"):
        assert secret not in logged
