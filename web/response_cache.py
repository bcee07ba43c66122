"""Results of the family portal's anonymous queries, kept until public data changes.

Parents read institutions far more often than staff change them. The GraphQL endpoint asks this
cache only after the request has passed every check an uncached request passes (transport,
body, deadline, parameters, sign-in), so a kept result is only ever the answer to a request that
was valid in the same way. What is kept is the encoded body of a result without errors, which is
the same in both media types; status, media type and headers are made for each request as for
any other. A hit is answered before Strawberry's view runs (no context, no execution, no
encoding): on the family portal that work was most of what a hit cost.

The key is the operation as GraphQL reads it: the parsed and printed document (whitespace
between tokens does not count, the spelling of a literal does), the operation name, the
variables and extensions (canonical JSON), and the day, since the default `availableOn` is
today. Only anonymous queries of public root fields qualify, and only results without errors
are kept.

Every committed write to an institution or a sponsor fires a PostgreSQL NOTIFY (a trigger, so no
write path can forget it); each process LISTENs and drops its entries when it arrives. A result
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
from collections.abc import AsyncIterator

import asyncpg
import orjson
from graphql import OperationDefinitionNode, OperationType, parse, print_ast
from graphql.error import GraphQLError
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from engine.limits import MAX_TOKENS
from models import clock

log = logging.getLogger("kibon.cache")

CHANNEL = "kibon_public_data"
PUBLIC_ROOT_FIELDS = frozenset({"publicInstitutions", "publicInstitution", "__typename"})
MAX_ENTRIES = 2048
MAX_KEY_BYTES = 64 * 1024  # larger operations are not the family portal's

Key = tuple[str, str, bytes, str]


@functools.lru_cache(maxsize=512)
def public_document(query: str, operation_name: str | None) -> str | None:
    """The printed document, when its one operation is a query of public root fields only."""
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None
    if len(document.definitions) != 1:
        return None  # fragments could hide anything; the portal's queries have none
    (operation,) = document.definitions
    if not isinstance(operation, OperationDefinitionNode):
        return None
    if operation.operation != OperationType.QUERY or operation_name not in (
        None,
        operation.name and operation.name.value,
    ):
        return None
    selections = operation.selection_set.selections
    if not all(getattr(s, "name", None) and s.name.value in PUBLIC_ROOT_FIELDS for s in selections):  # type: ignore[attr-defined]
        return None
    return print_ast(document)


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


def key_of(request: GraphQLRequestData) -> Key | None:
    """The operation a request asks for, if its answer may be kept."""
    if request.query is None or len(request.query) > MAX_KEY_BYTES:
        return None
    printed = public_document(request.query, request.operation_name)
    if printed is None:
        return None
    details = orjson.dumps(
        [request.variables or {}, request.extensions or {}], option=orjson.OPT_SORT_KEYS
    )
    return (printed, str(request.operation_name), details, clock.today().isoformat())


class PublicResponseCache:
    """The kept results, and the connection that says when they are stale."""

    def __init__(self) -> None:
        self.entries: OrderedDict[Key, bytes] = OrderedDict()
        self.generation = 0  # counts the invalidations: a result older than one is not kept
        self.listening = False

    def invalidate(self, *_: object) -> None:
        self.generation += 1
        self.entries.clear()

    def get(self, key: Key) -> bytes | None:
        """The kept body of this operation's answer."""
        if not self.listening:
            return None
        hit = self.entries.get(key)
        if hit is not None:
            self.entries.move_to_end(key)
        return hit

    def keep(self, key: Key, result: ExecutionResult, body: bytes, *, generation: int) -> None:
        """`body`: the answer `result` was encoded to. Kept only if nothing changed while it
        was computed, and only if it has no errors."""
        if not self.listening or generation != self.generation or result.errors:
            return
        self.entries[key] = body
        if len(self.entries) > MAX_ENTRIES:
            self.entries.popitem(last=False)

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
