"""Wiring only: settings, the Starlette app and its lifespan, the command line.

python main.py serve | migrate | create-admin EMAIL [--role …] | mail-worker | export-schema
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import AsyncIterator, Sequence

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise import Tortoise, connections
from tortoise.contrib.starlette import RegisterTortoise
from tortoise.migrations.api import migrate as apply_migrations

from log_redaction import ScrubbedText, scrub, without_query_strings
from mailer.sink import DevMailSink
from mailer.worker import MailWorker
from models import account, audit
from models.role import Role
from resolvers import dev_login
from resolvers.endpoint import GraphQLEndpoint, RequestId
from resolvers.identity import DevIssuer, RemoteKeys, TokenVerifier, TrustedIssuer
from schema.root import schema
from settings import Settings
from web.guard import RequestGuard
from web.perimeter import protect

log = logging.getLogger("kibon")

# Loggers that would write SQL with its parameters (invitation links, addresses) or request
# details at DEBUG: they never go below WARNING, whatever the root level.
QUIET_LOGGERS = ("tortoise", "aiosqlite", "asyncpg", "httpx", "httpcore", "mail.log")


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "requestId": getattr(record, "request_id", None),
        }
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def with_request_id(record: logging.LogRecord) -> bool:
    record.request_id = audit.request_id.get()
    return True


def configure_logging(*, json_lines: bool, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(with_request_id)
    handler.addFilter(without_query_strings)
    handler.setFormatter(
        JsonLines()
        if json_lines
        else ScrubbedText("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    logging.basicConfig(level=level, handlers=[handler], force=True)
    quiet_noisy_loggers()


def quiet_noisy_loggers() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def build_verifier(settings: Settings, dev_issuer: DevIssuer | None) -> TokenVerifier:
    trusted = []
    if settings.oidc_issuer and settings.oidc_audience and settings.oidc_jwks_url:
        keys = RemoteKeys(settings.oidc_jwks_url)
        trusted.append(TrustedIssuer(settings.oidc_issuer, settings.oidc_audience, keys))
    if dev_issuer is not None:
        trusted.append(dev_issuer.trusted)
    return TokenVerifier(trusted)


async def healthz(request: Request) -> Response:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # any failure to answer means "not healthy"
        log.warning("health check: the database does not answer", exc_info=True)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


def create_app(settings: Settings, *, run_mail_worker: bool = True) -> Starlette:
    dev_issuer = DevIssuer() if settings.dev_login else None
    sink = DevMailSink() if settings.smtp is None and run_mail_worker else None
    routes = [
        Route(
            "/graphql",
            RequestGuard(
                GraphQLEndpoint(
                    schema, settings=settings, verifier=build_verifier(settings, dev_issuer)
                ),
                settings.http,
            ),
            methods=["GET", "POST"],
        ),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    if dev_issuer is not None:
        routes += dev_login.routes(dev_issuer, sink)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        config = settings.tortoise_config()
        await apply_migrations(config=config)
        async with RegisterTortoise(app, config=config), contextlib.AsyncExitStack() as stack:
            if run_mail_worker:
                smtp = settings.smtp
                if smtp is None and sink is not None:
                    smtp = await stack.enter_async_context(sink)
                assert smtp is not None
                await stack.enter_async_context(MailWorker(settings, smtp=smtp).running())
            yield

    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(RequestId)
    protect(app, settings.http)
    return app


async def _with_database(settings: Settings, job: object) -> None:
    config = settings.tortoise_config()
    await apply_migrations(config=config)
    await Tortoise.init(config=config)
    try:
        await job  # type: ignore[misc]
    finally:
        await Tortoise.close_connections()


def _command_line(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="main.py", description="kiBon onboarding backend")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="migrate, then serve HTTP and deliver mail")
    commands.add_parser("migrate", help="apply database migrations")
    admin = commands.add_parser("create-admin", help="create a canton account for EMAIL")
    admin.add_argument("email")
    admin.add_argument(
        "--role", choices=[Role.SUPER_ADMIN.value, Role.CANTON_ADMIN.value], default="SUPER_ADMIN"
    )
    commands.add_parser("mail-worker", help="only deliver queued mail")
    commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _command_line(sys.argv[1:] if argv is None else argv)
    if args.command == "export-schema":
        print(schema.as_str())
        return 0
    settings = Settings.from_env()
    configure_logging(json_lines=not settings.dev_login)
    if args.command == "serve":
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
    elif args.command == "migrate":
        asyncio.run(_with_database(settings, asyncio.sleep(0)))
    elif args.command == "create-admin":
        asyncio.run(_with_database(settings, _create_admin(args.email, Role(args.role))))
    elif args.command == "mail-worker":
        if settings.smtp is None:
            print("mail-worker needs KIBON_SMTP_HOST (serve alone uses the development sink)")
            return 2
        worker = MailWorker(settings, smtp=settings.smtp)
        asyncio.run(_with_database(settings, worker.run_forever()))
    return 0


async def _create_admin(address: str, role: Role) -> None:
    try:
        user, changed = await account.create_admin(email=address, role=role)
    except ValueError as invalid:
        raise SystemExit(f"create-admin: {invalid}") from None
    print(f"{'created' if changed else 'unchanged'}: {user.email} ({user.role})")


if __name__ == "__main__":
    sys.exit(main())
