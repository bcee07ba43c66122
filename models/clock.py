"""The one source of "now" for the domain, so tests can move time instead of waiting for it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta

_offset: ContextVar[timedelta] = ContextVar("clock_offset", default=timedelta(0))


def now() -> datetime:
    return datetime.now(UTC) + _offset.get()


def today() -> date:
    return now().date()


@contextmanager
def travel(by: timedelta) -> Iterator[None]:
    token = _offset.set(_offset.get() + by)
    try:
        yield
    finally:
        _offset.reset(token)
