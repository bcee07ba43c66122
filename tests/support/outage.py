"""A PostgreSQL test database made unreachable for a while, as in a real outage."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from tests.support import database


@asynccontextmanager
async def database_gone(database_url: str) -> AsyncIterator[None]:
    """No new connections, every open one killed, from a separate connection; then back."""
    name = database_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(f"{database.POSTGRES_SERVER}/postgres")
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
