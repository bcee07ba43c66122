"""Whole responses of the family portal's anonymous queries, kept until public data changes.

Parents read institutions far more often than staff change them. An anonymous POST whose
operation only asks `publicInstitutions` is answered from memory when the same normalised query,
variables, media type and day were answered before. Every committed write to an institution or a
sponsor fires a PostgreSQL NOTIFY (a trigger, so no write path can forget it); each process
LISTENs and drops its entries when it arrives; the process that wrote drops its own before it
answers the write, so its very next response is fresh without waiting for the notification. An
answer computed while the entries were dropped is not kept (it may predate the write). While the
listening connection is down the cache is not used at all, so it never serves data older than
the last notification it could have missed. SQLite has no NOTIFY: there the cache stays off.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import asyncpg
from graphql import OperationDefinitionNode, OperationType, parse
from graphql.error import GraphQLError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models import clock

log = logging.getLogger("kibon.cache")

CHANNEL = "kibon_public_data"
PUBLIC_ROOT_FIELDS = frozenset({"publicInstitutions", "publicInstitution", "__typename"})
MAX_ENTRIES = 2048
MAX_BODY = 64 * 1024  # larger requests are not the family portal's


@functools.lru_cache(maxsize=512)
def may_write(query: str) -> bool:
    """Anything but a document of queries only: a mutation, or what cannot be told."""
    try:
        document = parse(query)
    except GraphQLError:
        return False  # never runs
    return any(
        isinstance(d, OperationDefinitionNode) and d.operation != OperationType.QUERY
        for d in document.definitions
    )


@functools.lru_cache(maxsize=512)
def is_public_only(query: str, operation_name: str | None) -> bool:
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name in (None, o.name and o.name.value)]
    if len(chosen) != 1 or chosen[0].operation != OperationType.QUERY:
        return False
    if len(document.definitions) != 1:
        return False  # fragments could hide anything; the portal's queries have none
    selections = chosen[0].selection_set.selections
    return all(getattr(s, "name", None) and s.name.value in PUBLIC_ROOT_FIELDS for s in selections)  # type: ignore[attr-defined]


class PublicResponseCache:
    """The kept answers, and the connection that says when they are stale."""

    def __init__(self) -> None:
        self.entries: OrderedDict[tuple[str, ...], tuple[list[tuple[bytes, bytes]], bytes]] = (
            OrderedDict()
        )
        self.listening = False
        self.generation = 0  # counts the invalidations: an answer older than one is not kept

    def invalidate(self, *_: object) -> None:
        self.generation += 1
        self.entries.clear()

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


class CachedPublicResponses:
    """The ASGI layer: early in the middleware stack, so a hit costs little more than the
    security headers and the metrics around it. It gives a hit its own request id."""

    def __init__(self, app: ASGIApp, cache: PublicResponseCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._may_be_public(scope):
            writes = self.cache.listening and scope.get("method") == "POST"
            await self.app(scope, receive, self._dropping(send) if writes else send)
            return
        body = await _read_body(receive)
        key = _key(scope, body) if len(body) <= MAX_BODY else None
        replay = _replaying(body, receive)
        if key is None:
            await self.app(scope, replay, self._dropping(send) if _may_write(body) else send)
            return
        if (hit := self.cache.entries.get(key)) is not None:
            self.cache.entries.move_to_end(key)
            await _send(send, *hit)
            return
        await self.app(scope, replay, self._keeping(key, send))

    def _dropping(self, send: Send) -> Send:
        """A write's answer starts only after its commit: the entries go before it is sent."""

        async def drop_first(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.cache.invalidate()
            await send(message)

        return drop_first

    def _keeping(self, key: tuple[str, ...], send: Send) -> Send:
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        status = 0
        generation = self.cache.generation

        async def keep(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers.extend(
                    (k, v) for k, v in message.get("headers", []) if k != b"x-request-id"
                )
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and status == 200:
                    body = b"".join(chunks)
                    if b'"errors"' not in body and generation == self.cache.generation:
                        self._store(key, headers, body)
            await send(message)

        return keep

    def _store(self, key: tuple[str, ...], headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.cache.entries[key] = (headers, body)
        if len(self.cache.entries) > MAX_ENTRIES:
            self.cache.entries.popitem(last=False)

    def _may_be_public(self, scope: Scope) -> bool:
        if not self.cache.listening or scope["type"] != "http" or scope["method"] != "POST":
            return False
        if scope["path"] != "/graphql":
            return False
        # Only bodies of a known, small size are read here; anything else goes on to the
        # request guard, which enforces the body limit while streaming.
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        return length.isdigit() and int(length) <= MAX_BODY


def _may_write(body: bytes) -> bool:
    """A POST that is not a plain query document might write (a body too large or malformed
    to read here included)."""
    try:
        query = json.loads(body)["query"]
    except (ValueError, KeyError, TypeError):
        return True
    return not isinstance(query, str) or may_write(query)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _key(scope: Scope, body: bytes) -> tuple[str, ...] | None:
    headers = dict(scope.get("headers") or [])
    if b"authorization" in headers or not headers.get(b"content-type", b"").startswith(
        b"application/json"
    ):
        return None
    try:
        request: Any = json.loads(body)
        query, variables = request["query"], request.get("variables") or {}
        operation = request.get("operationName")
        if not isinstance(query, str) or not is_public_only(query, operation):
            return None
        canonical = json.dumps(variables, sort_keys=True, separators=(",", ":"))
    except (ValueError, KeyError, TypeError):
        return None
    accept = headers.get(b"accept", b"").decode("latin-1")
    # Without a date the portal lists the periods not ended by today (the canton's day), so a
    # day's answers are that day's.
    return (" ".join(query.split()), canonical, str(operation), accept, clock.today().isoformat())


async def _send(send: Send, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    # A copy: middleware adds its own headers to the message it is handed.
    fresh = [*headers, (b"x-request-id", uuid4().hex.encode())]
    await send({"type": "http.response.start", "status": 200, "headers": fresh})
    await send({"type": "http.response.body", "body": body, "more_body": False})
