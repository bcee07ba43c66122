"""Pooled PostgreSQL connections come back from an interrupted statement holding nothing.

asyncpg prepares a statement and runs it in two exchanges; a request stopped at its deadline
can interrupt it between them, and the server then holds the statement's locks until the
connection's next message (a truncation or a migration waits behind them, for as long as the
connection sits in the pool).
"""

from __future__ import annotations

import asyncio
import importlib.metadata
from typing import Any

import asyncpg
import pytest
from tortoise import connections
from tortoise.exceptions import OperationalError

from models.backends.asyncpg import CHECKED_WITH, PLANNER_SETTINGS, Connection
from tests.support import database

pytestmark = pytest.mark.skipif(not database.is_postgres(), reason="asyncpg is PostgreSQL's")

STATEMENT = 'SELECT "id" FROM "institution"'


async def locks_at_once(database_url: str) -> bool:
    """Whether another connection can take the institution table for itself without waiting."""
    other = await asyncpg.connect(database_url)
    try:
        async with other.transaction():
            await other.execute('LOCK TABLE "institution" IN ACCESS EXCLUSIVE MODE NOWAIT')
        return True
    except asyncpg.LockNotAvailableError:
        return False
    finally:
        await other.close()


async def test_a_statement_interrupted_after_its_preparation_leaves_no_lock_behind(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client: Any = connections.get("default")
    async with client.acquire_connection() as proxy:
        connection = proxy._con  # the pool lends a proxy of it
        assert isinstance(connection, Connection)
        prepare = connection._get_statement

        async def prepared_then_interrupted(*args: Any, **kwargs: Any) -> Any:
            await prepare(*args, **kwargs)  # Parse, Describe, Flush: the server waits
            raise asyncio.CancelledError  # the request's deadline, before Bind, Execute, Sync

        monkeypatch.setattr(connection, "_get_statement", prepared_then_interrupted)
        with pytest.raises(asyncio.CancelledError):
            await connection.fetch(STATEMENT)
        monkeypatch.undo()
        assert not await locks_at_once(database_url)  # what the pool must not lend on

    assert await locks_at_once(database_url)
    assert await client.execute_query_dict(STATEMENT) == []


async def test_only_a_statement_that_did_not_finish_costs_a_round_trip_on_its_way_back() -> None:
    client: Any = connections.get("default")
    async with client.acquire_connection() as proxy:
        connection = proxy._con
        await connection.fetch(STATEMENT)
        ran = connection.interrupted
        with pytest.raises(asyncpg.PostgresSyntaxError):
            await connection.fetch("SELECT FROM WHERE")
        failed = connection.interrupted

    assert (ran, failed) == (False, True)
    assert connection.interrupted is False  # the pool's reset finished it


async def test_a_finished_statements_connection_is_taken_back_in_place_and_any_other_shielded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """asyncpg shields every return in a task of its own; ours only where it must wait."""
    shielded: list[Any] = []
    shield = asyncio.shield

    def counting(awaitable: Any) -> Any:
        shielded.append(awaitable)
        return shield(awaitable)

    client: Any = connections.get("default")
    pool = client._pool
    idle = pool._queue.qsize()
    monkeypatch.setattr(asyncio, "shield", counting)

    await client.execute_query_dict(STATEMENT)
    in_place = (len(shielded), pool._queue.qsize())
    with pytest.raises(OperationalError):
        await client.execute_query_dict("SELECT FROM WHERE")
    after_a_failure = (len(shielded), pool._queue.qsize())

    assert in_place == (0, idle)
    assert after_a_failure == (1, idle)  # reset by a statement: asyncpg's way


def test_the_pool_runs_on_the_asyncpg_release_it_was_checked_with() -> None:
    """`Pool.release` reads asyncpg's pool holders and connection protocol: on a new release,
    read models/backends/asyncpg.py against asyncpg's pool.py, run the suite on PostgreSQL,
    then update CHECKED_WITH."""
    assert importlib.metadata.version("asyncpg") == CHECKED_WITH


async def test_pooled_sessions_plan_for_pages_in_memory_or_on_ssd() -> None:
    client: Any = connections.get("default")
    async with client.acquire_connection() as connection:
        shown = await connection.fetchval("SHOW random_page_cost")

    assert float(shown) == float(PLANNER_SETTINGS["random_page_cost"]) < 4
