"""Test databases: SQLite by default; PostgreSQL when TEST_DATABASE=postgres.

Each run gets its own database, migrated with the project's real migrations and dropped at the
end; each test starts from empty tables.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import uuid4

import asyncpg
from tortoise import Tortoise
from tortoise.migrations.api import migrate

from settings import tortoise_config

POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


def backend() -> str:
    return os.environ.get("TEST_DATABASE", "sqlite")


def is_postgres() -> bool:
    return backend() == "postgres"


@asynccontextmanager
async def test_database(tmp_dir: Path) -> AsyncIterator[str]:
    if not is_postgres():
        url = f"sqlite://{tmp_dir / 'kibon-test.sqlite3'}"
        yield url
        return
    name = f"kibon_test_{uuid4().hex[:12]}"
    admin = await asyncpg.connect(f"{POSTGRES_SERVER}/postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def orm(url: str) -> AsyncIterator[None]:
    config = tortoise_config(url)
    await migrate(config=config)
    await Tortoise.init(config=config, _enable_global_fallback=True)
    try:
        yield
    finally:
        await Tortoise.close_connections()
