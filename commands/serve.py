"""`serve --workers N` (several processes on one host) and `serve --no-mail-worker`.

Each worker process builds its own app with `main:app_from_env`. The database is migrated
once, here, before any of them starts. Several processes share the mail queue safely on
PostgreSQL: the delivery worker claims messages with FOR UPDATE SKIP LOCKED. SQLite has no such
claim and one writer at a time, so it is refused with more than one worker.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from contextlib import ExitStack

import uvicorn
from tortoise import Tortoise
from tortoise.migrations.api import migrate

from settings import Settings

MAIL_WORKER = "KIBON_MAIL_WORKER"  # "0" in the environment: serve without delivering mail


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers", type=int, default=1, metavar="N", help="processes on this host (default 1)"
    )
    parser.add_argument(
        "--no-mail-worker",
        action="store_true",
        help="deliver no mail here (a separate `mail-worker` does)",
    )


def mail_worker_wanted() -> bool:
    return os.environ.get(MAIL_WORKER, "1").strip().lower() not in {"0", "false", "no", "off"}


def refusal(settings: Settings, *, workers: int, mail_worker: bool) -> str | None:
    if workers < 1:
        return "--workers must be at least 1"
    if workers > 1 and settings.database_url.startswith("sqlite"):
        return "--workers > 1 needs PostgreSQL (KIBON_DATABASE_URL=postgres://…), not SQLite"
    if workers > 1 and mail_worker and settings.smtp is None:
        return (
            "--workers > 1 needs KIBON_SMTP_HOST: the development mail sink lives in one "
            "process (or pass --no-mail-worker)"
        )
    return None


def serve(settings: Settings, *, workers: int, mail_worker: bool) -> int:
    refused = refusal(settings, workers=workers, mail_worker=mail_worker)
    if refused:
        print(f"serve: {refused}")
        return 2
    asyncio.run(_migrate(settings))
    os.environ[MAIL_WORKER] = "1" if mail_worker else "0"
    with ExitStack() as stack:
        if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # Set before the workers start, so each one writes its counts there.
            directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="kibon-metrics-"))
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        uvicorn.run(
            "main:app_from_env",
            factory=True,
            workers=workers,
            host=settings.host,
            port=settings.port,
            log_config=None,
        )
    return 0


async def _migrate(settings: Settings) -> None:
    config = settings.tortoise_config()
    await migrate(config=config)
    await Tortoise.init(config=config)
    await Tortoise.close_connections()
