"""Jobs that need the database outside the server: migrate first, then run, then close."""

from __future__ import annotations

from collections.abc import Awaitable

from tortoise import Tortoise
from tortoise.migrations.api import migrate as apply_migrations

from mailer import letterhead
from settings import Settings


async def with_database(settings: Settings, job: Awaitable[object]) -> None:
    letterhead.configure(settings)  # a job may queue mail
    config = settings.tortoise_config()
    await apply_migrations(config=config)
    await Tortoise.init(config=config)
    try:
        await job
    finally:
        await Tortoise.close_connections()


async def migrate(settings: Settings) -> None:
    """`migrate`: apply every migration of this code, then stop (a release step)."""
    await with_database(settings, _nothing())


async def _nothing() -> None:
    return None
