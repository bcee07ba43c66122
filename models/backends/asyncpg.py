"""PostgreSQL through asyncpg (`tortoise.backends.asyncpg`), reading rows by `models.reading`,
on connections that finish an interrupted statement's exchange before the pool lends them
again, from a pool that takes a finished statement's connection back in place."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from typing import Any, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.asyncpg.executor import AsyncpgExecutor

from models.reading import FastSelect

T = TypeVar("T")


class Connection(asyncpg.Connection):  # type: ignore[misc]
    """asyncpg prepares a statement (Parse, Describe, Flush) and then runs it (Bind, Execute,
    Sync): a statement interrupted between the two, as a request past its deadline is, leaves
    the server waiting for the rest, in a transaction holding the statement's locks, until the
    connection's next message. A migration's or a truncation's lock waits behind it. Such a
    connection is marked, and the pool's reset (`finish_interrupted`) sends that message."""

    interrupted = False

    async def fetch(self, *args: Any, **kwargs: Any) -> Any:
        return await self._marked(super().fetch(*args, **kwargs))

    async def fetchrow(self, *args: Any, **kwargs: Any) -> Any:
        return await self._marked(super().fetchrow(*args, **kwargs))

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return await self._marked(super().execute(*args, **kwargs))

    async def executemany(self, *args: Any, **kwargs: Any) -> Any:
        return await self._marked(super().executemany(*args, **kwargs))

    async def _marked(self, statement: Awaitable[T]) -> T:
        """The statement's result; the connection marked if it failed or was interrupted."""
        try:
            return await statement
        except BaseException:
            self.interrupted = True
            raise


async def finish_interrupted(connection: Connection) -> None:
    """The pool's reset: asyncpg's RESET ALL, UNLISTEN and CLOSE ALL would be a second round
    trip after every statement, for session state no pooled connection keeps (no SET, LISTEN,
    cursors or advisory locks; the response cache's LISTEN has a connection of its own); asyncpg
    still rolls back a transaction left open. Only a connection whose last statement failed or
    was interrupted pays a round trip: a simple query, which ends whatever exchange was left
    unfinished and releases its locks."""
    if connection.interrupted:
        connection.interrupted = False
        await asyncpg.Connection.execute(connection, "SELECT 1")


# The release the pool's return in place (`Pool.release`) was written against: it reads
# attributes of asyncpg's pool and connection that are not public API
# (tests/test_pooled_connections.py fails when the installed release moves).
CHECKED_WITH = "0.32.0"


class Pool(asyncpg.Pool):  # type: ignore[misc]
    """asyncpg takes every connection back through a task of its own (`asyncio.shield`), so
    that a caller cancelled while the connection is reset still returns it: a task, a future
    and a turn of the event loop for every statement. A connection whose return waits for
    nothing (its last statement finished, no transaction open, nothing to close or cancel) is
    taken back in place, where nothing can interrupt it; any other goes asyncpg's way."""

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:  # noqa: ASYNC109  # asyncpg's own signature
        if _returns_at_once(self, connection):
            self._check_init()
            connection._con._on_release()
            await connection._holder.release(None)  # runs to its end without waiting
            return
        await super().release(connection, timeout=timeout)


def _returns_at_once(pool: Pool, proxy: Any) -> bool:
    """Whether the holder's release of this pooled connection awaits nothing: no ROLLBACK,
    no reset statement (`finish_interrupted`), no close, no cancellation to wait for."""
    if type(proxy) is not PoolConnectionProxy:
        return False
    connection, holder = proxy._con, proxy._holder
    if not isinstance(connection, Connection) or holder._pool is not pool:
        return False
    protocol = connection._protocol
    return not (
        connection.interrupted
        or connection.is_closed()
        or protocol.is_in_transaction()
        or connection._top_xact is not None
        or protocol._is_cancelling()
        or protocol.queries_count >= holder._max_queries
        or holder._generation != pool._generation
    )


# What `asyncpg.create_pool` gives a pool that its caller does not say.
_POOL_DEFAULTS = {
    name: parameter.default
    for name, parameter in inspect.signature(asyncpg.create_pool).parameters.items()
    if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    and parameter.default is not inspect.Parameter.empty
}


class Executor(FastSelect, AsyncpgExecutor):
    pass


class Client(AsyncpgDBClient):
    executor_class = Executor
    connection_class = Connection

    async def create_pool(self, **kwargs: Any) -> asyncpg.Pool:
        """What `asyncpg.create_pool` makes, as our `Pool`, its sessions planning with
        `PLANNER_SETTINGS`."""
        settings = PLANNER_SETTINGS | (kwargs.get("server_settings") or {})
        chosen = _POOL_DEFAULTS | kwargs | {"reset": finish_interrupted}
        return await Pool(None, **chosen | {"server_settings": settings})


# The planner's price of reading a page out of order, relative to reading the next one:
# PostgreSQL's default (4) is for spinning disks; this database's pages are in memory or on
# SSD (1.1, the usual setting there). With 4, the plan PostgreSQL keeps for a prepared
# statement reads a sponsor's page of institutions by sorting all of them instead of taking the
# first 51 in the order of its index: on a sponsor of 500 institutions, 1.0 ms instead of 0.4.
PLANNER_SETTINGS = {"random_page_cost": "1.1"}


client_class = Client
