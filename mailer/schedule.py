"""When to try a failed delivery again, and when to give up."""

from __future__ import annotations

from datetime import datetime, timedelta

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)
THEN_EVERY = timedelta(hours=4)
GIVE_UP_AFTER = timedelta(hours=24)


def delay_after(*, attempt: int) -> timedelta:
    """The pause after the `attempt`-th failed attempt (counting from 1)."""
    if 1 <= attempt <= len(RETRY_DELAYS):
        return RETRY_DELAYS[attempt - 1]
    return THEN_EVERY


def next_attempt(*, attempt: int, first_attempt_at: datetime, now: datetime) -> datetime | None:
    """The time of the next attempt after a temporary failure, or None once it is time to give
    up. The last attempt is moved forward to the deadline rather than skipped, so a message
    gets its full 24 hours."""
    deadline = first_attempt_at + GIVE_UP_AFTER
    if now >= deadline:
        return None
    return min(now + delay_after(attempt=attempt), deadline)
