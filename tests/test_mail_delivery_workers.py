"""Delivery as a running process: several workers at once, a worker that dies mid-send, a
graceful stop, the development sink, and STARTTLS with login."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.smtp import AuthResult
from starlette.applications import Starlette
from tortoise.transactions import in_transaction

from mailer import ledger
from mailer.outbox import DeliveryStatus, OutboxMessage
from mailer.sink import DevMailSink
from mailer.worker import LEASE, MailWorker
from settings import Settings, SmtpSettings
from tests.support import database
from tests.support.clock import Clock
from tests.support.mail import queue, reload
from tests.support.processes import start_mail_worker
from tests.support.smtp import SmtpServer
from tests.support.tls import self_signed_certificate, server_context
from web import dev_routes as dev_login
from web.identity import DevIssuer

postgres_only = pytest.mark.skipif(
    not database.is_postgres(), reason="SQLite has one writer and no row locks"
)


@postgres_only
async def test_two_workers_deliver_two_hundred_messages_each_exactly_once(
    settings: Settings, smtp: SmtpServer
) -> None:
    queued = await queue(200)
    assert settings.smtp is not None
    first = MailWorker(settings, smtp=settings.smtp)
    second = MailWorker(settings, smtp=settings.smtp)

    async with first.running(), second.running():
        await smtp.wait_for(200, timeout=20)

    arrived = Counter(mail.message_id for mail in smtp.mails)
    assert len(smtp.mails) == 200
    assert set(arrived) == {m.message_id for m in queued}
    assert first.sent > 0
    assert second.sent > 0
    assert await OutboxMessage.filter(status=DeliveryStatus.SENT).count() == 200


@postgres_only
async def test_a_claim_in_progress_is_skipped_not_waited_for(clock: Clock) -> None:
    queued = await queue(5)
    locked = asyncio.Event()
    done = asyncio.Event()

    async def hold_the_first_two() -> list[int]:
        async with in_transaction():
            rows = await ledger.due(now=clock()).order_by("id").limit(2).select_for_update()
            locked.set()
            await done.wait()
        return [row.id for row in rows]

    holder = asyncio.create_task(hold_the_first_two())
    await locked.wait()
    try:
        claimed = await asyncio.wait_for(
            ledger.claim(worker="other", now=clock(), lease=LEASE, limit=10), timeout=5
        )
    finally:
        done.set()
    held = await holder

    assert held == [m.id for m in queued[:2]]
    assert [m.id for m in claimed] == [m.id for m in queued[2:]]


async def test_a_worker_killed_after_the_server_accepted_leaves_the_message_to_be_sent_again(
    settings: Settings, smtp: SmtpServer, clock: Clock, database_url: str
) -> None:
    [message] = await queue()
    smtp.handler.hold = threading.Event()  # the server keeps the mail but delays its "250"
    process = await start_mail_worker(database_url, smtp.port)
    try:
        await smtp.wait_for(1, timeout=15)
    finally:
        process.kill()
        await process.wait()
        smtp.handler.hold.set()
    assert settings.smtp is not None
    survivor = MailWorker(settings, smtp=settings.smtp, now=clock)

    orphaned = await reload(message)
    while_leased = await survivor.deliver_due()
    clock.advance(LEASE + timedelta(seconds=1))
    after_lease = await survivor.deliver_due()

    assert orphaned.status == DeliveryStatus.PENDING
    assert orphaned.claimed_by is not None
    assert orphaned.locked_until is not None
    assert (while_leased, after_lease) == (0, 1)
    assert [m.message_id for m in smtp.mails] == [message.message_id] * 2
    assert (await reload(message)).status == DeliveryStatus.SENT


async def test_the_mail_worker_command_stops_on_sigterm_and_releases_its_claims(
    smtp: SmtpServer, database_url: str
) -> None:
    queued = await queue(3)
    smtp.handler.hold = threading.Event()
    process = await start_mail_worker(database_url, smtp.port)
    await smtp.wait_for(1, timeout=15)

    process.send_signal(signal.SIGTERM)
    threading.Timer(0.5, smtp.handler.hold.set).start()
    exit_code = await asyncio.wait_for(process.wait(), timeout=10)

    stored = [await reload(m) for m in queued]
    assert exit_code == 0
    assert [m.status for m in stored] == [DeliveryStatus.SENT] + [DeliveryStatus.PENDING] * 2
    assert all(m.claimed_by is None and m.locked_until is None for m in stored)
    assert [m.attempts for m in stored] == [1, 0, 0]


async def test_the_development_sink_shows_a_delivered_invitation_link(
    settings: Settings,
) -> None:
    [message] = await queue(recipient="anna@kita-sonne.ch")
    sink = DevMailSink()
    app = Starlette(routes=dev_login.routes(DevIssuer(), sink))

    async with sink as sink_smtp:
        await MailWorker(settings, smtp=sink_smtp).deliver_due()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kibon.test") as client:
        listed = (await client.get("/dev/mail")).json()["messages"]

    [mail] = sink.mails
    assert mail.message_id == message.message_id
    assert listed[0]["to"] == ["anna@kita-sonne.ch"]
    assert listed[0]["subject"] == message.subject
    [invitation_link] = listed[0]["links"]
    assert invitation_link in (message.body_text or "")
    assert "/invitation#token=" in invitation_link


@pytest.fixture
def tls_smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A server that requires STARTTLS and then a login, with a certificate the worker trusts
    the way an operator would trust a private CA: through SSL_CERT_FILE."""
    cert_file, key_file = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> Any:
        accepted = (auth.login, auth.password) == (b"kibon", b"s3cret-pass")
        # handled=False: aiosmtpd then sends the 235 or 535 reply itself
        return AuthResult(success=accepted, handled=False, auth_data=auth.login)

    server = SmtpServer(
        tls_context=server_context(cert_file, key_file),
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    server.start()
    yield server
    server.stop()


async def test_the_worker_uses_starttls_and_logs_in_when_configured(
    settings: Settings, tls_smtp: SmtpServer
) -> None:
    [message] = await queue()
    smtp = SmtpSettings(
        host="127.0.0.1",
        port=tls_smtp.port,
        username="kibon",
        password="s3cret-pass",
        starttls=True,
    )

    await MailWorker(settings, smtp=smtp).deliver_due()

    assert [m.message_id for m in tls_smtp.mails] == [message.message_id]
    assert tls_smtp.handler.sessions[0]["tls"] is True
    assert tls_smtp.handler.sessions[0]["login"] == b"kibon"
    assert (await reload(message)).status == DeliveryStatus.SENT


async def test_a_refused_login_is_retried_not_failed(
    settings: Settings, tls_smtp: SmtpServer
) -> None:
    [message] = await queue()
    smtp = SmtpSettings(
        host="127.0.0.1", port=tls_smtp.port, username="kibon", password="wrong", starttls=True
    )

    await MailWorker(settings, smtp=smtp).deliver_due()

    stored = await reload(message)
    assert stored.status == DeliveryStatus.PENDING
    assert stored.last_error is not None
    assert stored.last_error.startswith("535")
    assert stored.body_text is not None
