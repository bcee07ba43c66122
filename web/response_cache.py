"""The family portal's anonymous answers, kept until public data changes.

Parents read institutions far more often than staff change them. `web.kept_answers` answers a
request that sends exactly what an earlier one sent with that earlier answer; this module says
which answers may be kept and keeps them while they are fresh. An answer may be kept when the
endpoint found its operation to be an anonymous query of public root fields only, answered
without errors (`keeps`, marked in the request's state).

Every committed write to an institution or a sponsor fires a PostgreSQL NOTIFY (a trigger, so no
write path can forget it); each process LISTENs and drops its entries when it arrives. An answer
computed while a notification arrived is not kept. While the listening connection is down the
cache is not used at all, so it never serves data older than the last notification it could
have missed. The process that wrote drops its own entries before it answers the write, so its
very next response is fresh without waiting for the notification. SQLite has no NOTIFY: there
the cache stays off.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Hashable
from dataclasses import dataclass
from typing import Any

import asyncpg
from graphql import OperationDefinitionNode, OperationType, parse
from graphql.error import GraphQLError
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from engine.limits import MAX_TOKENS
from web.headers import Header, size_of

log = logging.getLogger("kibon.cache")

CHANNEL = "kibon_public_data"
PUBLIC_ROOT_FIELDS = frozenset({"publicInstitutions", "publicInstitution", "__typename"})
MAX_ENTRIES = 2048
MAX_BYTES = 64 * 1024 * 1024  # the kept requests and answers together
KEPT = "answer_may_be_kept"  # in the request's state


@functools.lru_cache(maxsize=512)
def is_public_query(query: str, operation_name: str | None) -> bool:
    """The document's one operation is a query of public root fields only."""
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return False
    if len(document.definitions) != 1:
        return False  # fragments could hide anything; the portal's queries have none
    (operation,) = document.definitions
    if not isinstance(operation, OperationDefinitionNode):
        return False
    if operation.operation != OperationType.QUERY or operation_name not in (
        None,
        operation.name and operation.name.value,
    ):
        return False
    selections = operation.selection_set.selections
    return all(getattr(s, "name", None) and s.name.value in PUBLIC_ROOT_FIELDS for s in selections)  # type: ignore[attr-defined]


@functools.lru_cache(maxsize=512)
def may_write(query: str) -> bool:
    """A document with an operation other than a query: it may change public data."""
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return False  # never runs
    return any(
        isinstance(d, OperationDefinitionNode) and d.operation != OperationType.QUERY
        for d in document.definitions
    )


def keeps(request: GraphQLRequestData, result: ExecutionResult) -> bool:
    """An anonymous caller's `request` answered with `result`: may its answer be kept?"""
    return (
        request.query is not None
        and not result.errors
        and is_public_query(request.query, request.operation_name)
    )


def mark_kept(state: dict[str, Any]) -> None:
    """Marks the request whose state this is: its answer may be kept."""
    state[KEPT] = True


def marked_kept(state: dict[str, Any]) -> bool:
    return state.get(KEPT) is True


@dataclass(frozen=True)
class Answer:
    """An answer as the app sent it: what a request that sends the same gets."""

    status: int
    headers: list[Header]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body) + size_of(self.headers)


class PublicResponseCache:
    """The kept answers, at most `MAX_ENTRIES` and `MAX_BYTES` of requests and answers in all,
    and the connection that says when they are stale."""

    def __init__(self) -> None:
        self.entries: OrderedDict[Hashable, tuple[Answer, int]] = OrderedDict()
        self.size = 0  # the bytes of the entries' requests and answers
        self.generation = 0  # counts the invalidations: an answer older than one is not kept
        self.listening = False

    def invalidate(self, *_: object) -> None:
        self.generation += 1
        self.entries.clear()
        self.size = 0

    def get(self, request: Hashable) -> Answer | None:
        """The answer kept for what this request sends."""
        if not self.listening:
            return None
        kept = self.entries.get(request)
        if kept is None:
            return None
        self.entries.move_to_end(request)
        return kept[0]

    def keep(self, request: Hashable, answer: Answer, *, size: int, generation: int) -> None:
        """`size`: the bytes of what the request sent. Kept only if nothing changed since
        `generation`, when the answer began to be computed."""
        if not self.listening or generation != self.generation:
            return
        if (earlier := self.entries.pop(request, None)) is not None:
            self.size -= earlier[1]
        size += answer.size
        self.entries[request] = (answer, size)
        self.size += size
        while self.entries and (len(self.entries) > MAX_ENTRIES or self.size > MAX_BYTES):
            self.size -= self.entries.popitem(last=False)[1][1]

    @contextlib.asynccontextmanager
    async def listening_to(self, database_url: str) -> AsyncIterator[None]:
        """Keeps a LISTEN connection open (reconnecting) for as long as the app runs."""
        scheme, _, rest = database_url.partition("://")
        if scheme not in {"postgres", "postgresql", "asyncpg"}:
            yield
            return
        # Tortoise's pool options (`?maxsize=…`) mean nothing to a plain connection.
        task = asyncio.create_task(self._listen(f"postgres://{rest.split('?')[0]}"))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self.listening = False

    async def _listen(self, url: str) -> None:
        while True:
            try:
                await self._listen_once(url)
            except (TimeoutError, OSError, asyncpg.PostgresError):
                log.warning("public-data notifications unavailable; cache off until they return")
            await asyncio.sleep(2)

    async def _listen_once(self, url: str) -> None:
        connection = await asyncpg.connect(url)
        closed = asyncio.Event()
        connection.add_termination_listener(lambda _: closed.set())
        try:
            await connection.add_listener(CHANNEL, self.invalidate)
            self.invalidate()  # anything may have changed while nobody listened
            self.listening = True
            await closed.wait()
        finally:
            self.listening = False
            self.invalidate()
            await connection.close(timeout=2)
