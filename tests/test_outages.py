"""Outages as an operator sees them: liveness stays up, readiness goes down, and the mail worker
writes one line when the database or the relay goes away and one when it is back."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import httpx
import pytest

from mailer.worker import MailWorker
from settings import Settings, SmtpSettings
from tests.support import database
from tests.support.clock import Clock
from tests.support.mail import queue
from tests.support.outage import database_gone
from tests.support.smtp import SmtpServer

postgres_only = pytest.mark.skipif(
    not database.is_postgres(), reason="connections are killed on PostgreSQL"
)


def lines_about(caplog: pytest.LogCaptureFixture, subject: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if subject in r.getMessage()]


async def test_liveness_answers_without_asking_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@postgres_only
async def test_in_a_database_outage_the_process_stays_live_but_is_not_ready(
    client: httpx.AsyncClient, database_url: str
) -> None:
    async with database_gone(database_url):
        live = await client.get("/healthz")
        ready = await client.get("/readyz")

    again = [(await client.get("/readyz")).status_code for _ in range(5)]

    assert live.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["database"] == "down"
    # A pooled connection killed in the outage may fail the first check after it (asyncpg
    # finds it broken only then); the next ones succeed, as a probe that polls sees.
    assert again[-3:] == [200, 200, 200], again


@postgres_only
async def test_the_mail_worker_logs_one_line_when_the_database_goes_and_one_when_it_is_back(
    settings: Settings, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert settings.smtp is not None
    worker = MailWorker(settings, smtp=settings.smtp)

    with caplog.at_level(logging.INFO, logger="kibon.mail"):
        async with worker.running():
            async with database_gone(database_url):
                await asyncio.sleep(3.5)  # three rounds or more fail
            await asyncio.sleep(1.5)

    lines = lines_about(caplog, "the database")
    assert len(lines) == 2, lines
    assert "unavailable" in lines[0]
    assert "available again" in lines[1]
    ours = [r for r in caplog.records if r.name.startswith("kibon")]
    assert not [r for r in ours if r.levelno >= logging.INFO and r.exc_info]


async def test_the_mail_worker_logs_one_line_when_the_relay_goes_and_one_when_it_is_back(
    settings: Settings, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    relay = SmtpServer()  # not started: nobody listens on its port yet
    worker = MailWorker(settings, smtp=SmtpSettings("127.0.0.1", relay.port), now=clock)
    await queue(2)

    with caplog.at_level(logging.INFO, logger="kibon.mail"):
        for _ in range(3):
            await worker.deliver_due()
            clock.advance(timedelta(hours=2))
        relay.start()
        try:
            await worker.deliver_due()
        finally:
            relay.stop()

    lines = lines_about(caplog, "SMTP relay")
    assert len(lines) == 2, lines
    assert f"127.0.0.1:{relay.port} unavailable" in lines[0]
    assert "available again" in lines[1]
    assert len(relay.mails) == 2
