"""Migrations are append-only: a database of the first release, upgraded by `migrate`, has
exactly the schema of a database migrated from nothing."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import uuid4

import aiosqlite
import asyncpg

from tests.support import database

ROOT = Path(__file__).resolve().parent.parent
FIRST_RELEASE = "models.0001_initial"
APPLY = """
import asyncio, sys
from tortoise import Tortoise
from tortoise.migrations.api import migrate
from settings import tortoise_config

async def up_to(url, target):
    await migrate(config=tortoise_config(url), target=target)
    await Tortoise.close_connections()

asyncio.run(up_to(*sys.argv[1:]))
"""
PG_SCHEMA = [
    "SELECT table_name, column_name, data_type, is_nullable, column_default, "
    "character_maximum_length FROM information_schema.columns WHERE table_schema = 'public'",
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE connamespace = 'public'::regnamespace",
    "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal",
    "SELECT proname, prosrc FROM pg_proc WHERE pronamespace = 'public'::regnamespace",
    "SELECT app, name FROM tortoise_migrations",
]


async def run(*command: str, **variables: str) -> None:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("KIBON_")}
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, env={**inherited, **variables}, stderr=asyncio.subprocess.PIPE
    )
    _, errors = await process.communicate()
    assert process.returncode == 0, errors.decode()


async def migrate_with_the_command(url: str) -> None:
    await run(sys.executable, "main.py", "migrate", KIBON_DATABASE_URL=url, KIBON_DEV_LOGIN="on")


@asynccontextmanager
async def fresh_database(tmp_path: Path) -> AsyncIterator[str]:
    if not database.is_postgres():
        yield f"sqlite://{tmp_path / f'{uuid4().hex}.sqlite3'}"
        return
    async with database.test_database(tmp_path) as url:
        yield url


async def sqlite_schema(url: str) -> list[object]:
    async with aiosqlite.connect(url.removeprefix("sqlite://")) as connection:
        tables = [
            row[0]
            for row in await connection.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        shape: list[object] = []
        for table in tables:
            shape.append(
                (table, await connection.execute_fetchall(f'PRAGMA table_info("{table}")'))
            )
            shape.append(
                (table, await connection.execute_fetchall(f'PRAGMA foreign_key_list("{table}")'))
            )
            for index in sorted(await connection.execute_fetchall(f'PRAGMA index_list("{table}")')):
                columns = await connection.execute_fetchall(f'PRAGMA index_info("{index[1]}")')
                shape.append((table, index[1:4], [column[2] for column in columns]))
        triggers = await connection.execute_fetchall(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        )
        rows = await connection.execute_fetchall("SELECT app, name FROM tortoise_migrations")
        return [*shape, sorted(triggers), sorted(rows)]


async def postgres_schema(url: str) -> list[object]:
    connection = await asyncpg.connect(url)
    try:
        return [sorted(tuple(row) for row in await connection.fetch(sql)) for sql in PG_SCHEMA]
    finally:
        await connection.close()


async def schema_of(url: str) -> list[object]:
    return await (postgres_schema(url) if database.is_postgres() else sqlite_schema(url))


async def test_a_first_release_database_upgraded_by_migrate_equals_a_fresh_one(
    tmp_path: Path,
) -> None:
    async with fresh_database(tmp_path) as old, fresh_database(tmp_path) as new:
        await run(sys.executable, "-c", APPLY, old, FIRST_RELEASE)
        first_release = await schema_of(old)
        await migrate_with_the_command(old)
        await migrate_with_the_command(new)

        upgraded, fresh = await schema_of(old), await schema_of(new)

    assert first_release != fresh  # the later migrations changed something to upgrade
    assert upgraded == fresh
