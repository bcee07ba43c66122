"""Wiring and the command line only: each command's body lives in `commands/`.

python main.py serve | migrate | create-admin EMAIL [--role …] | mail-worker | export-schema
             | import-institutions FILE.csv --as EMAIL [--dry-run]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from commands import create_admin, database, import_institutions, mail_worker, serve
from commands.logs import configure_logging
from commands.serve import app_from_env
from i18n import Language
from mailer.worker import MailWorker
from models import reminders
from models.role import Role
from schema.root import schema
from settings import Settings

__all__ = ["app_from_env", "main"]  # `uvicorn --factory main:app_from_env` keeps working


def _command_line(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="main.py", description="kiBon onboarding backend")
    commands = parser.add_subparsers(dest="command", required=True)
    serving = commands.add_parser("serve", help="migrate, then serve HTTP and deliver mail")
    serve.add_arguments(serving)
    commands.add_parser("migrate", help="apply database migrations")
    admin = commands.add_parser("create-admin", help="create a canton account for EMAIL")
    admin.add_argument("email")
    admin.add_argument(
        "--role", choices=[Role.SUPER_ADMIN.value, Role.CANTON_ADMIN.value], default="SUPER_ADMIN"
    )
    commands.add_parser("mail-worker", help="only deliver queued mail")
    commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    bulk = commands.add_parser(
        "import-institutions", help="register sponsors and institutions from a CSV file"
    )
    bulk.add_argument(
        "file", type=Path, help="UTF-8, ';' or ',' separated (columns: see docs/bulk-import.md)"
    )
    bulk.add_argument("--dry-run", action="store_true", help="report problems, write nothing")
    bulk.add_argument(
        "--as", dest="acting_as", required=True, metavar="EMAIL", help="canton account"
    )
    bulk.add_argument(
        "--language",
        type=Language,
        choices=list(Language),
        default=import_institutions.operators_language(os.environ),
        help="of the report (default: from the locale, else de)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _command_line(sys.argv[1:] if argv is None else argv)
    if args.command == "export-schema":
        print(schema.as_str())
        return 0
    settings = Settings.from_env()
    configure_logging(json_lines=not settings.dev_login, level=settings.log_level)
    if args.command == "serve":
        return serve.serve(settings, workers=args.workers, mail_worker=not args.no_mail_worker)
    if args.command == "migrate":
        asyncio.run(database.migrate(settings))
    elif args.command == "create-admin":
        job = create_admin.run(args.email, Role(args.role))
        asyncio.run(database.with_database(settings, job))
    elif args.command == "mail-worker":
        if settings.smtp is None:
            print("mail-worker needs KIBON_SMTP_HOST (serve alone uses the development sink)")
            return 2
        worker = MailWorker(settings, smtp=settings.smtp, chores=(reminders.remind_due,))
        asyncio.run(database.with_database(settings, mail_worker.deliver_until_stopped(worker)))
    elif args.command == "import-institutions":
        job = import_institutions.run(
            args.file,
            acting_as=args.acting_as,
            dry_run=args.dry_run,
            settings=settings,
            language=args.language,
        )
        asyncio.run(database.with_database(settings, job))
    return 0


if __name__ == "__main__":
    sys.exit(main())
