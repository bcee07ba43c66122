"""Jobs that need the database outside the server: migrate first, then run, then close."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from tortoise import Tortoise
from tortoise.migrations.api import migrate as apply_migrations

from mailer import letterhead
from models import migration_state
from settings import Settings

log = logging.getLogger("kibon.migrate")


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
    await with_database(settings, _report())


async def _report() -> None:
    state = await migration_state.current()
    log.info(
        "database migrated: %d migrations applied, the newest %s",
        len(state.applied),
        state.applied[-1] if state.applied else "none",
        extra={"event": "migrated", "rows": len(state.applied)},
    )
