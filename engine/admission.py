"""How many objects the answers under construction in one worker may hold together.

The cost bound (`engine.cost`) caps what one operation may return; requests in flight at once
multiply it, as the worker interleaves them at their awaits and each answer is held until it is
sent. Every request gets a ticket at the HTTP layer (`Admission.ticket`); its operation, once
its cost is known, waits until that cost fits beside the costs in flight (`admit`) and holds it
until the request's answer has been sent. An operation that fits goes at once, even while a
larger one waits, so a small page is never queued behind the largest queries; a waiting one
waits within the request's deadline (then 504, as any request out of time). An operation alone
in the worker is always admitted, whatever the capacity.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class _Ticket:
    admission: Admission
    cost: int = 0


_ticket: ContextVar[_Ticket | None] = ContextVar("admission_ticket", default=None)


class Admission:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.in_flight = 0  # the cost of the operations admitted and not yet answered
        self._released: asyncio.Event | None = None  # set when cost is given back

    @asynccontextmanager
    async def ticket(self) -> AsyncIterator[None]:
        """Around a whole request, response included: what its operation is admitted with is
        given back when the request ends."""
        ticket = _Ticket(self)
        token = _ticket.set(ticket)
        try:
            yield
        finally:
            _ticket.reset(token)
            if ticket.cost:
                self._give_back(ticket.cost)

    def _fits(self, cost: int) -> bool:
        return self.in_flight == 0 or self.in_flight + cost <= self.capacity

    async def take(self, cost: int) -> None:
        """Waits until `cost` fits, then counts it in flight."""
        while not self._fits(cost):
            if self._released is None:
                self._released = asyncio.Event()
            await self._released.wait()
        self.in_flight += cost

    def _give_back(self, cost: int) -> None:
        # Synchronous, so that a request cancelled at its deadline gives its cost back too.
        self.in_flight -= cost
        if self._released is not None:
            self._released.set()  # every waiter looks again whether it fits
            self._released = None


async def admit(cost: int) -> None:
    """Waits until an operation of `cost` fits in its worker, and counts it there until its
    request ends. Outside a request with a ticket (a test executing the schema directly) it
    admits at once."""
    ticket = _ticket.get()
    if ticket is None or cost <= 0:
        return
    await ticket.admission.take(cost)
    ticket.cost += cost
