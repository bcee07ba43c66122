"""The request's deadline, for work that never awaits.

`asyncio.timeout` cancels a request only at an `await`; filling a large list of plain objects
awaits nothing. The HTTP layer sets the deadline here, the executor checks it while it fills
lists and objects, and `DeadlinePassed` ends the whole operation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_deadline: ContextVar[float | None] = ContextVar("deadline", default=None)


class DeadlinePassed(BaseException):  # a signal, like CancelledError
    """Not an `Exception`: graphql-core turns every `Exception` of a field into that field's
    error and goes on with the next one; this must end the operation."""


class Expired(TimeoutError):
    """What a DataLoader raises past the deadline: an ordinary exception, as the DataLoader
    hands only those to the fields waiting for it; the executor turns it into DeadlinePassed."""


@contextmanager
def within(seconds: float) -> Iterator[float]:
    """A deadline `seconds` from now, or inside another deadline the earlier of the two (a
    layer that reads the request before the guard, `web.kept_answers`, spends the guard's
    time); gives the seconds left."""
    now = time.monotonic()
    outer = _deadline.get()
    ends = now + seconds if outer is None else min(outer, now + seconds)
    token = _deadline.set(ends)
    try:
        yield ends - now
    finally:
        _deadline.reset(token)


def current() -> float | None:
    """The monotonic time the work of this request must end by, if it has a deadline."""
    return _deadline.get()


def passed() -> bool:
    deadline = _deadline.get()
    return deadline is not None and time.monotonic() > deadline


def check(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise DeadlinePassed()


async def gather(*awaitables: Awaitable[Any]) -> list[Any]:
    """graphql-core's `gather_with_cancel`, which cancels the others only on an `Exception`:
    this one also on `DeadlinePassed`, so the work of an operation out of time stops with it."""
    futures = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
    try:
        return await asyncio.gather(*futures)
    except BaseException:
        for future in futures:
            future.cancel()
        await asyncio.gather(*futures, return_exceptions=True)
        raise
    finally:
        # A failed future holds its exception, whose traceback holds this frame, which holds
        # the futures: a cycle, that kept a stopped operation's partial answer (hundreds of
        # MB for the largest) until the collector's oldest generation ran.
        del futures
