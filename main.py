"""Wiring and the command line only: each command's body lives in `commands/`.

python main.py serve | migrate | create-admin EMAIL [--role …] | mail-worker | export-schema
             | import-institutions FILE.csv --as EMAIL [--dry-run]
             | trusted-documents --output FILE [SOURCE …] | block-user EMAIL --as EMAIL
             | withdraw-institution ID --as EMAIL [--reason TEXT]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from commands import (
    block_user,
    create_admin,
    database,
    import_institutions,
    mail_worker,
    serve,
    trusted_documents,
    withdraw_institution,
)
from commands.logs import configure_logging, log_start
from commands.serve import app_from_env
from i18n import Language
from mailer.worker import MailWorker
from models import reminders
from models.role import Role
from schema.root import schema
from settings import ConfigurationError, Settings

__all__ = ["app_from_env", "main"]  # `uvicorn --factory main:app_from_env` keeps working

parser_name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "main.py"


def _command_line(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=parser_name, description="kiBon onboarding backend")
    commands = parser.add_subparsers(dest="command", required=True)
    serving = commands.add_parser("serve", help="migrate, then serve HTTP and deliver mail")
    serve.add_arguments(serving)
    commands.add_parser("migrate", help="apply database migrations")
    admin = commands.add_parser("create-admin", help="create a canton account for EMAIL")
    admin.add_argument("email")
    admin.add_argument(
        "--role", choices=[Role.SUPER_ADMIN.value, Role.CANTON_ADMIN.value], default="SUPER_ADMIN"
    )
    commands.add_parser("mail-worker", help="only deliver queued mail (and keep house)")
    blocking = commands.add_parser(
        "block-user", help="block the person with EMAIL at once (audited, as in the API)"
    )
    blocking.add_argument("email")
    blocking.add_argument(
        "--as", dest="acting_as", required=True, metavar="EMAIL", help="the acting account"
    )
    withdrawing = commands.add_parser(
        "withdraw-institution",
        help="take the institution with ID out of the family portal at once (audited, as in "
        "the API)",
    )
    withdrawing.add_argument("institution", metavar="ID", help="its ID, as the API shows it")
    withdrawing.add_argument(
        "--as", dest="acting_as", required=True, metavar="EMAIL", help="a canton account"
    )
    withdrawing.add_argument("--reason", help="why, for the audit trail (500 characters)")
    commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    trusted = commands.add_parser(
        "trusted-documents",
        help="write the KIBON_TRUSTED_DOCUMENTS manifest: api/examples/ and each SOURCE",
    )
    trusted.add_argument("--output", "-o", type=Path, required=True, metavar="FILE")
    trusted.add_argument(
        "sources",
        nargs="*",
        type=Path,
        metavar="SOURCE",
        help="a .graphql file, a folder of them, or a frontend's JSON manifest (hash → document)",
    )
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
    if args.command == "trusted-documents":
        return trusted_documents.run(args.output, args.sources)
    try:
        settings = Settings.from_env()
    except ConfigurationError as wrong:
        print(f"{parser_name}: {wrong}", file=sys.stderr)
        return 2
    configure_logging(json_lines=not settings.dev_login, level=settings.log_level)
    log_start(settings, command=args.command, workers=getattr(args, "workers", 1))
    if args.command == "serve":
        delivers = settings.mail_worker and not args.no_mail_worker
        return serve.serve(settings, workers=args.workers, mail_worker=delivers)
    if args.command == "migrate":
        asyncio.run(database.migrate(settings))
    elif args.command == "create-admin":
        job = create_admin.run(args.email, Role(args.role))
        asyncio.run(database.with_database(settings, job))
    elif args.command == "mail-worker":
        if settings.smtp is None:
            print(
                "mail-worker: KIBON_SMTP_HOST is required (serve alone uses the development sink)",
                file=sys.stderr,
            )
            return 2
        worker = MailWorker(settings, smtp=settings.smtp, chores=(reminders.remind_due,))
        asyncio.run(
            database.with_database(
                settings, mail_worker.deliver_until_stopped(worker, settings.retention)
            )
        )
    elif args.command == "block-user":
        job = block_user.run(args.email, acting_as=args.acting_as)
        asyncio.run(database.with_database(settings, job))
    elif args.command == "withdraw-institution":
        job = withdraw_institution.run(
            args.institution, acting_as=args.acting_as, reason=args.reason
        )
        asyncio.run(database.with_database(settings, job))
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
