"""The outbox as operators see it: how much waits, for how long, and what failed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.functions import Count

from mailer.outbox import DeliveryStatus, OutboxMessage


@dataclass(frozen=True)
class QueueStats:
    by_status: dict[str, int]
    oldest_pending_age_seconds: float
    retrying: int  # pending, after at least one failed attempt

    @property
    def pending(self) -> int:
        return self.by_status.get(DeliveryStatus.PENDING.value, 0)

    @property
    def failed(self) -> int:
        return self.by_status.get(DeliveryStatus.FAILED.value, 0)


async def snapshot(now: datetime) -> QueueStats:
    counted = (
        await OutboxMessage.annotate(count=Count("id"))
        .group_by("status")
        .values_list("status", "count")
    )
    by_status = {status.value: 0 for status in DeliveryStatus}
    by_status.update({str(status): int(count) for status, count in counted})
    pending = OutboxMessage.filter(status=DeliveryStatus.PENDING)
    oldest = await pending.order_by("id").first()
    age = max((now - oldest.created_at).total_seconds(), 0.0) if oldest else 0.0
    retrying = await pending.filter(attempts__gt=0).count()
    return QueueStats(by_status=by_status, oldest_pending_age_seconds=age, retrying=retrying)
