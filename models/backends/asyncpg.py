"""PostgreSQL through asyncpg (`tortoise.backends.asyncpg`), reading rows by `models.reading`,
on connections that finish an interrupted statement's exchange before the pool lends them
again."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

import asyncpg
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


class Executor(FastSelect, AsyncpgExecutor):
    pass


class Client(AsyncpgDBClient):
    executor_class = Executor
    connection_class = Connection

    async def create_pool(self, **kwargs: Any) -> asyncpg.Pool:
        return await super().create_pool(**kwargs, reset=finish_interrupted)


client_class = Client
