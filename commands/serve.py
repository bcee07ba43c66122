"""`serve`: one process, or `--workers N` processes on one host, with or without the mail worker.

Each worker process of `--workers N` builds its own app with `commands.serve:app_from_env`; the
database is migrated once, here, before any of them starts. Several processes share the mail
queue safely on PostgreSQL: the delivery worker claims messages with FOR UPDATE SKIP LOCKED.
SQLite has no such claim and one writer at a time, so it is refused with more than one worker.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from contextlib import ExitStack

import uvicorn
from starlette.applications import Starlette

from commands import database
from commands.logs import configure_logging
from settings import ConfigurationError, Settings
from web.app import create_app

MAIL_WORKER = "KIBON_MAIL_WORKER"  # off in the workers' environment: they deliver no mail


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers", type=int, default=1, metavar="N", help="processes on this host (default 1)"
    )
    parser.add_argument(
        "--no-mail-worker",
        action="store_true",
        help="deliver no mail here (a separate `mail-worker` does)",
    )


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


def app_from_env() -> Starlette:
    """The app factory each worker process of `serve --workers N` calls (also for running
    uvicorn or another ASGI server directly: `uvicorn --factory commands.serve:app_from_env`)."""
    try:
        settings = Settings.from_env()
    except ConfigurationError as wrong:
        print(f"serve: {wrong}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(json_lines=not settings.dev_login, level=settings.log_level)
    return create_app(settings, run_mail_worker=settings.mail_worker)


def serve(settings: Settings, *, workers: int, mail_worker: bool) -> int:
    if workers <= 1 and mail_worker:  # one process: no migration step of its own, no refusal
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,  # ours leaves out the query string, which may carry variables
            server_header=False,  # names no software to whoever probes
        )
        return 0
    refused = refusal(settings, workers=workers, mail_worker=mail_worker)
    if refused:
        print(f"serve: {refused}", file=sys.stderr)
        return 2
    asyncio.run(database.migrate(settings))
    os.environ[MAIL_WORKER] = "on" if mail_worker else "off"
    with ExitStack() as stack:
        if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # Set before the workers start, so each one writes its counts there.
            directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="kibon-metrics-"))
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        uvicorn.run(
            "commands.serve:app_from_env",
            factory=True,
            workers=workers,
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            server_header=False,
        )
    return 0
