"""The outbox as a work queue: claim due messages under a lease, record each outcome, release
what was not sent. Every write after the claim is guarded by the claim, so a worker that lost
its lease cannot overwrite what the worker that took over has recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from mailer.outbox import DeliveryStatus, OutboxMessage


def due(*, now: datetime) -> QuerySet[OutboxMessage]:
    """Pending messages whose time has come and that no live lease holds."""
    return OutboxMessage.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now),
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
    )


async def claim(*, worker: str, now: datetime, lease: timedelta, limit: int) -> list[OutboxMessage]:
    """Takes up to `limit` due messages for `worker` until `now + lease`. The transaction only
    spans the claim: the rows stay locked for milliseconds, never for an SMTP conversation."""
    async with in_transaction():
        # SKIP LOCKED: a concurrent claimer takes the next rows instead of waiting for these.
        # NO KEY: invitations that reference these rows can still be written meanwhile.
        batch = (
            await due(now=now)
            .order_by("next_attempt_at", "id")
            .limit(limit)
            .select_for_update(skip_locked=True, no_key=True)
        )
        if batch:
            await OutboxMessage.filter(id__in=[m.id for m in batch]).update(
                locked_until=now + lease, claimed_by=worker
            )
    return list(batch)


@dataclass(frozen=True)
class Attempt:
    """Which worker tried a message, the how-manieth try it was, and when the first one was."""

    worker: str
    number: int
    first_at: datetime


async def record_sent(message: OutboxMessage, *, attempt: Attempt, at: datetime) -> bool:
    return await _record(
        message,
        attempt,
        status=DeliveryStatus.SENT,
        sent_at=at,
        last_error=None,
        body_text=None,
        body_html=None,
    )


async def record_retry(
    message: OutboxMessage, *, attempt: Attempt, retry_at: datetime, error: str | None
) -> bool:
    return await _record(message, attempt, next_attempt_at=retry_at, last_error=error)


async def record_failed(message: OutboxMessage, *, attempt: Attempt, error: str | None) -> bool:
    return await _record(
        message,
        attempt,
        status=DeliveryStatus.FAILED,
        last_error=error,
        body_text=None,
        body_html=None,
    )


async def _record(message: OutboxMessage, attempt: Attempt, **changes: Any) -> bool:
    """False when the claim was lost (the lease ran out and another worker took the message)."""
    updated = await OutboxMessage.filter(
        id=message.id, claimed_by=attempt.worker, status=DeliveryStatus.PENDING
    ).update(
        locked_until=None,
        claimed_by=None,
        attempts=attempt.number,
        first_attempt_at=attempt.first_at,
        **changes,
    )
    return updated == 1


async def release(*, worker: str, ids: list[int] | None = None) -> int:
    """Gives claimed, unfinished messages back at once instead of at the end of their lease."""
    mine = OutboxMessage.filter(claimed_by=worker, status=DeliveryStatus.PENDING)
    if ids is not None:
        mine = mine.filter(id__in=ids)
    return await mine.update(locked_until=None, claimed_by=None)
