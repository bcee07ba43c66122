"""Housekeeping: `access.denied` entries and finished mails leave after their retention, every
other audit entry stays; each job's runs show in /metrics."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from mailer.outbox import DeliveryStatus, OutboxMessage
from models import audit, clock, housekeeping
from models.audit import AuditEvent
from models.housekeeping import BackgroundJob
from settings import Retention
from tests.support.mail import queue
from tests.test_operations import scrape

RETENTION = Retention(denied_audit_days=90, finished_outbox_days=30)


async def aged(event: AuditEvent, days: int) -> None:
    await AuditEvent.filter(id=event.id).update(at=clock.now() - timedelta(days=days))


async def test_denied_access_entries_leave_after_their_retention_and_nothing_else_does() -> None:
    old_denied = await audit.record_denied(actor=None, fields=["sponsors"])
    new_denied = await audit.record_denied(actor=None, fields=["sponsors"])
    old_change = await audit.record("sponsor.registered", actor=None)
    await aged(old_denied, 91)
    await aged(new_denied, 89)
    await aged(old_change, 3000)

    handled = await housekeeping.run_once(RETENTION)

    remaining = set(await AuditEvent.all().values_list("id", flat=True))
    assert remaining == {new_denied.id, old_change.id}
    assert handled["forget_denied_access"] == 1


async def test_finished_mails_leave_after_their_retention_and_pending_ones_stay() -> None:
    sent, failed, pending, recent = await queue(4)
    await OutboxMessage.filter(id__in=[sent.id, recent.id]).update(status=DeliveryStatus.SENT)
    await OutboxMessage.filter(id=failed.id).update(status=DeliveryStatus.FAILED)
    old = clock.now() - timedelta(days=31)
    await OutboxMessage.filter(id__in=[sent.id, failed.id, pending.id]).update(created_at=old)

    handled = await housekeeping.run_once(RETENTION)

    remaining = set(await OutboxMessage.all().values_list("id", flat=True))
    assert remaining == {pending.id, recent.id}
    assert handled["forget_finished_mail"] == 2


async def test_each_jobs_last_run_rows_and_failures_are_metrics(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await aged(await audit.record_denied(actor=None, fields=["sponsors"]), 100)
    await housekeeping.run_once(RETENTION)

    async def broken(*, before: object) -> int:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(housekeeping, "forget_denied_access", broken)
    await housekeeping.run_once(RETENTION)
    samples = await scrape(client)

    def metric(name: str, job: str) -> float:
        return samples[(f"kibon_background_job_{name}", (("job", job),))]

    assert metric("runs", "forget_denied_access") == 1
    assert metric("failures", "forget_denied_access") == 1
    assert metric("last_rows", "forget_denied_access") == 1
    assert metric("runs", "forget_finished_mail") == 2
    assert metric("last_run_timestamp_seconds", "forget_finished_mail") > 0
    job = await BackgroundJob.get(name="forget_denied_access")
    assert job.last_error == "RuntimeError: the disk is full"


async def test_the_housekeeping_runs_at_once_and_then_on_its_schedule() -> None:
    old = await audit.record_denied(actor=None, fields=["sponsors"])
    await aged(old, 100)

    async with housekeeping.running(RETENTION, every=timedelta(seconds=0.2)):
        await asyncio.sleep(0.5)

    job = await BackgroundJob.get(name="forget_denied_access")
    assert job.runs >= 2
    assert not await AuditEvent.filter(id=old.id).exists()


async def test_leaving_the_housekeeping_lets_the_job_in_hand_finish(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started, finished = asyncio.Event(), asyncio.Event()

    async def slow_job() -> int:
        started.set()
        await asyncio.sleep(0.3)
        finished.set()
        return 0

    monkeypatch.setattr(housekeeping, "jobs", lambda retention, now: {"slow_job": slow_job})
    async with housekeeping.running(RETENTION, every=timedelta(hours=1)):
        await started.wait()

    assert finished.is_set()
    assert (await BackgroundJob.get(name="slow_job")).runs == 1
