"""Is this failure the database being unreachable (a 503 for the client, and retry later), or a
fault in our code (a 500)? Looks through the whole chain of causes, because the ORM wraps the
driver's errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import asyncpg
from tortoise.exceptions import DBConnectionError

# SQLSTATE classes: 08 connection exception, 53 insufficient resources (too many
# connections), 57P operator intervention (shutdown, crash, cannot connect now, dropped).
UNAVAILABLE_SQLSTATES = ("08", "53", "57P")
# "55000 object not in prerequisite state" is what a database refusing connections answers.
NOT_ACCEPTING_CONNECTIONS = "not currently accepting connections"
SQLITE_UNAVAILABLE = ("unable to open database file", "disk i/o error", "database is locked")


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _is_unavailable(error: BaseException) -> bool:
    # A connection killed while idle in the pool can surface as asyncpg's "cannot switch to
    # state" on its next use: the connection is broken, a new one will work.
    if isinstance(error, DBConnectionError | ConnectionError | asyncpg.InternalClientError):
        return True
    if isinstance(error, asyncpg.InterfaceError):
        return "closed" in str(error)
    if isinstance(error, OSError) and not isinstance(error, FileNotFoundError):
        return True
    if isinstance(error, asyncpg.PostgresError):
        state = str(getattr(error, "sqlstate", "") or "")
        return state.startswith(UNAVAILABLE_SQLSTATES) or NOT_ACCEPTING_CONNECTIONS in str(error)
    if isinstance(error, sqlite3.OperationalError):
        return str(error).lower().startswith(SQLITE_UNAVAILABLE)
    return False


def is_database_unavailable(error: BaseException) -> bool:
    return any(_is_unavailable(link) for link in _chain(error))
