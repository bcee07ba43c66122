"""The deadline's gather: an operation stopped at its deadline leaves nothing behind that only
the cycle collector would free (its partial answer would stay in memory until the oldest
generation is collected, which `web.app` makes rare)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from contextlib import contextmanager

from engine import deadline


@contextmanager
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def reachable_only_through_cycles(kind: type) -> list[object]:
    """With the collector off, what is still tracked was kept alive by a cycle (or a
    reference someone holds: the test holds none)."""
    return [o for o in gc.get_objects() if isinstance(o, kind)]


class PartialAnswer:
    """Stands for the rows and dicts a stopped operation had filled."""


async def test_work_stopped_at_the_deadline_is_freed_without_the_collector() -> None:
    async def stops_at_the_deadline() -> None:
        partial = PartialAnswer()  # a local of a frame in the exception's traceback
        await asyncio.sleep(0)
        assert partial
        raise deadline.DeadlinePassed()

    async def still_reading() -> None:
        await asyncio.sleep(10)

    with collector_off():
        try:
            await deadline.gather(stops_at_the_deadline(), still_reading())
        except deadline.DeadlinePassed:  # not bound: the test keeps no reference to it
            stopped = True
        for _ in range(3):  # the event loop's handles of the steps just run let go of them
            await asyncio.sleep(0)
        leftovers = reachable_only_through_cycles(PartialAnswer)
        exceptions = reachable_only_through_cycles(deadline.DeadlinePassed)

    assert stopped
    assert leftovers == []
    assert exceptions == []


async def test_gather_answers_every_result_in_order() -> None:
    async def value(n: int) -> int:
        await asyncio.sleep(0)
        return n

    assert await deadline.gather(value(1), value(2), value(3)) == [1, 2, 3]


def test_a_deadline_inside_another_keeps_the_earlier_one() -> None:
    with deadline.within(1.0) as outer:
        ends = deadline.current()
        with deadline.within(30.0) as inner:
            assert deadline.current() == ends
            assert inner <= outer <= 1.0
        with deadline.within(0.5) as sooner:
            assert deadline.current() < ends  # type: ignore[operator]
            assert sooner <= 0.5
    assert deadline.current() is None
