"""The one source of "now" for the domain, so tests can move time instead of waiting for it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

CANTON_TIME = ZoneInfo("Europe/Zurich")

_offset: ContextVar[timedelta] = ContextVar("clock_offset", default=timedelta(0))


def now() -> datetime:
    return datetime.now(UTC) + _offset.get()


def today() -> date:
    """The canton's calendar day: a voucher period ends at midnight in Bern, not in UTC."""
    return now().astimezone(CANTON_TIME).date()


@contextmanager
def travel(by: timedelta) -> Iterator[None]:
    token = _offset.set(_offset.get() + by)
    try:
        yield
    finally:
        _offset.reset(token)
