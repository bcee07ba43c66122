"""For operators: /readyz, /metrics, and several worker processes on one host."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from commands import serve
from engine import metrics
from mailer.outbox import DeliveryStatus, OutboxMessage, enqueue
from mailer.sink import free_port
from models import clock, migration_state
from settings import Settings
from tests.support import database

ROOT = Path(__file__).resolve().parents[1]


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def operations_of(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str
) -> dict[str, float]:
    return {
        dict(labels)["outcome"]: value
        for (metric, labels), value in samples.items()
        if metric == "kibon_graphql_operations_total" and dict(labels)["operation"] == name
    }


async def test_readyz_is_ready_when_every_migration_file_is_applied(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "database": "up",
        "migrations": {"pending": [], "unknown": []},
    }


async def test_readyz_is_not_ready_while_a_migration_file_is_not_applied(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for path in migration_state.MIGRATIONS.glob("[0-9]*.py"):
        shutil.copy(path, tmp_path)
    (tmp_path / "0099_next_release.py").write_text("")
    monkeypatch.setattr(migration_state, "MIGRATIONS", tmp_path)

    response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["migrations"]["pending"] == ["0099_next_release"]


async def test_readyz_is_not_ready_when_the_database_does_not_answer(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unreachable() -> migration_state.MigrationState:
        raise OSError("connection refused")

    monkeypatch.setattr(migration_state, "current", unreachable)

    response = await client.get("/readyz")

    assert (response.status_code, response.json()["database"]) == (503, "down")


async def test_metrics_count_graphql_operations_by_name_and_outcome(
    client: httpx.AsyncClient,
) -> None:
    before = operations_of(await scrape(client), "FamilyPortal")
    portal = "query FamilyPortal { publicInstitutions { edges { cursor } } }"

    for _ in range(3):
        await client.post("/graphql", json={"query": portal})
    await client.post(
        "/graphql", json={"query": "query FamilyPortal { sponsors { edges { cursor } } }"}
    )
    await client.post("/graphql", json={"query": "query FamilyPortal { nothing }"})

    after = operations_of(await scrape(client), "FamilyPortal")
    grown = {outcome: after[outcome] - before.get(outcome, 0) for outcome in after}
    assert grown == {"ok": 3, "unauthenticated": 1, "invalid": 1}


async def test_metrics_count_http_requests_by_route_and_status_with_their_latency(
    client: httpx.AsyncClient,
) -> None:
    before = await scrape(client)

    await client.get("/healthz")
    await client.get("/no/such/page")

    after = await scrape(client)
    healthz = (
        "kibon_http_requests_total",
        (("method", "GET"), ("route", "/healthz"), ("status", "200")),
    )
    other = (
        "kibon_http_requests_total",
        (("method", "GET"), ("route", "other"), ("status", "404")),
    )
    latency = ("kibon_http_request_duration_seconds_count", (("route", "/healthz"),))
    assert after[healthz] - before.get(healthz, 0) == 1
    assert after[other] - before.get(other, 0) == 1
    assert after[latency] - before.get(latency, 0) == 1


async def test_metrics_show_the_mail_queue_its_oldest_message_and_the_failures(
    client: httpx.AsyncClient,
) -> None:
    old = await enqueue(recipient="a@kita.ch", subject="s", text="t", html="h", domain="kibon.test")
    await enqueue(recipient="b@kita.ch", subject="s", text="t", html="h", domain="kibon.test")
    failed = await enqueue(
        recipient="c@kita.ch", subject="s", text="t", html="h", domain="kibon.test"
    )
    await OutboxMessage.filter(id=old.id).update(created_at=clock.now() - timedelta(minutes=10))
    await OutboxMessage.filter(id=failed.id).update(status=DeliveryStatus.FAILED, attempts=5)

    samples = await scrape(client)

    assert samples[("kibon_mail_queue_depth", ())] == 2
    assert 600 <= samples[("kibon_mail_oldest_pending_age_seconds", ())] < 660
    assert samples[("kibon_mail_delivery_failures", ())] == 1
    assert samples[("kibon_mail_messages", (("status", "SENT"),))] == 0
    assert samples[("kibon_database_up", ())] == 1


def test_a_client_cannot_flood_the_metrics_with_operation_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(metrics, "_names", {f"Op{n}" for n in range(metrics.MAX_OPERATION_NAMES)})

    labels = [metrics.operation_label(name) for name in ("Op7", "Brandnew", "a b", None)]

    assert labels == ["Op7", "other", "invalid", "anonymous"]


def test_several_workers_are_refused_on_sqlite_and_without_an_smtp_server() -> None:
    sqlite = Settings.from_env({"KIBON_DATABASE_URL": "sqlite://var/x.sqlite3"})
    postgres = Settings.from_env({"KIBON_DATABASE_URL": "postgres://db/kibon"})

    refusals = [
        serve.refusal(sqlite, workers=2, mail_worker=False),
        serve.refusal(postgres, workers=2, mail_worker=True),
        serve.refusal(postgres, workers=2, mail_worker=False),
        serve.refusal(sqlite, workers=1, mail_worker=True),
    ]

    assert refusals[0] is not None
    assert "needs PostgreSQL" in refusals[0]
    assert refusals[1] is not None
    assert "needs KIBON_SMTP_HOST" in refusals[1]
    assert refusals[2:] == [None, None]


@pytest.mark.skipif(not database.is_postgres(), reason="several processes need PostgreSQL")
async def test_two_worker_processes_serve_and_their_metrics_add_up(
    database_url: str, tmp_path: Path
) -> None:
    port, counts = free_port(), tmp_path / "metrics"
    counts.mkdir()
    env = {
        **os.environ,
        "KIBON_DATABASE_URL": database_url,
        "KIBON_PORT": str(port),
        "PROMETHEUS_MULTIPROC_DIR": str(counts),
    }
    server = await asyncio.create_subprocess_exec(
        *(sys.executable, "main.py", "serve", "--workers", "2", "--no-mail-worker"),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_until_ready(base)

        sent = 0
        # Until each of the two processes has counted something (a file each), at least once.
        while sent == 0 or (sent < 200 and len(list(counts.glob("counter_*.db"))) < 2):
            await asyncio.gather(*(ping(base) for _ in range(10)))  # concurrent: both serve
            sent += 10
        async with httpx.AsyncClient(base_url=base) as client:
            scrapes = [operations_of(await scrape(client), "Ping") for _ in range(4)]
    finally:
        server.send_signal(signal.SIGTERM)
        await asyncio.wait_for(server.wait(), timeout=20)

    assert len(list(counts.glob("counter_*.db"))) == 2
    assert scrapes == [{"ok": sent}] * 4


async def ping(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as client:  # a connection of its own
        response = await client.post(
            "/graphql", json={"query": "query Ping { me { user { id } } }"}
        )
    assert response.status_code == 200


async def wait_until_ready(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{base} did not become ready in {timeout} s")
