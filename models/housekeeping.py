"""Housekeeping the delivering process runs every hour: rows that only age are removed after
their retention (`access.denied` audit entries, sent and failed mails; every other audit entry
is kept), and so are accounts that never accepted once their last invitation ended long enough
ago (`models/deletion.remove_left_over`). Each job's runs are recorded for `/metrics` (last
run, rows handled, failures), in the database, so every process reports the same."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta

from tortoise import fields
from tortoise.models import Model

from mailer import outbox
from models import audit, clock, deletion
from settings import Retention

log = logging.getLogger("kibon.housekeeping")
EVERY = timedelta(hours=1)
ERROR_LENGTH = 500


class BackgroundJob(Model):
    name = fields.CharField(max_length=60, primary_key=True)
    runs = fields.IntField(default=0)
    failures = fields.IntField(default=0)
    last_run_at = fields.DatetimeField(null=True)
    last_rows = fields.IntField(default=0)
    last_failure_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=ERROR_LENGTH, null=True)

    class Meta:
        table = "background_job"


async def forget_denied_access(*, before: datetime) -> int:
    return await audit.AuditEvent.filter(action="access.denied", at__lt=before).delete()


def jobs(retention: Retention, now: datetime) -> dict[str, Callable[[], Awaitable[int]]]:
    denied = now - timedelta(days=retention.denied_audit_days)
    finished = now - timedelta(days=retention.finished_outbox_days)
    invited = now - timedelta(days=retention.invited_days)
    return {
        "forget_denied_access": lambda: forget_denied_access(before=denied),
        "forget_finished_mail": lambda: outbox.forget_finished(before=finished),
        "forget_never_accepted": lambda: deletion.remove_left_over(
            before=invited, retention_days=retention.invited_days
        ),
    }


async def run_once(retention: Retention) -> dict[str, int]:
    """Every job once; a failing job is recorded and does not stop the others."""
    handled = {}
    for name, job in jobs(retention, clock.now()).items():
        row, _ = await BackgroundJob.get_or_create(name=name)
        try:
            handled[name] = rows = await job()
        except Exception as error:  # recorded for /metrics and the log, then the next job
            log.warning("housekeeping %s failed: %s", name, type(error).__name__, exc_info=True)
            row.failures += 1
            row.last_failure_at = clock.now()
            row.last_error = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
            await row.save()
            continue
        row.runs, row.last_rows, row.last_run_at = row.runs + 1, rows, clock.now()
        await row.save()
        log.info("housekeeping %s: %d rows", name, rows, extra={"job": name, "rows": rows})
    return handled


# How long leaving `running` waits for the jobs in hand to finish before it cancels them.
FINISH_WITHIN = timedelta(seconds=10)


@contextlib.asynccontextmanager
async def running(retention: Retention, *, every: timedelta = EVERY) -> AsyncIterator[None]:
    """Runs the jobs at once and then every `every` while the block runs. Leaving the block
    lets the run in hand finish rather than cancelling a job inside its transaction (on
    SQLite a transaction cut off there could keep the connection from the mail worker's
    last writes)."""
    stop = asyncio.Event()

    async def loop() -> None:
        while not stop.is_set():
            with contextlib.suppress(Exception):  # the database away: the next hour
                await run_once(retention)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every.total_seconds())

    task = asyncio.create_task(loop(), name="housekeeping")
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), FINISH_WITHIN.total_seconds())
        except TimeoutError:  # a job that hangs (a database that does not answer)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
