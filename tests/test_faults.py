"""Faults: the database going away and coming back, SMTP unreachable, SIGTERM while requests are
in flight."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
from tortoise.exceptions import DBConnectionError, OperationalError

from engine.request_errors import RequestErrors
from mailer.outbox import DeliveryStatus, OutboxMessage
from mailer.sink import free_port
from mailer.worker import MailWorker
from models.outage import is_database_unavailable
from models.role import Role
from models.user import User
from settings import Settings, SmtpSettings
from tests.support import database, server
from tests.support.api import Api, Result
from tests.support.apps import client_for, with_http
from tests.support.builders import make_user
from tests.support.operations import REGISTER_SPONSOR
from web import endpoint

PUBLIC = "{ publicInstitutions { edges { cursor } } }"
postgres_only = pytest.mark.skipif(
    not database.is_postgres(), reason="connections are killed on PostgreSQL"
)


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


def assert_unavailable(result: Result) -> None:
    assert result.status == 503, result.body
    (error,) = result.errors
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert error["extensions"]["requestId"]
    assert "noch einmal" in error["message"]


@postgres_only
async def test_requests_get_503_while_the_database_is_gone_and_succeed_once_it_is_back(
    api: Api, client: httpx.AsyncClient, database_url: str
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)

    async with database_gone(database_url):
        first = await api(PUBLIC)
        anonymous = await api(PUBLIC)
        signed_in = await api("{ me { user { email } } }", user=canton)
        health = await client.get("/healthz")

    back = await api(PUBLIC)
    signed_in_again = await api("{ me { user { email } } }", user=canton)

    for refused in (first, anonymous, signed_in):
        assert_unavailable(refused)
    assert health.status_code == 503
    assert back.ok() == {"publicInstitutions": {"edges": []}}
    assert signed_in_again.ok() == {"me": {"user": {"email": canton.email}}}
    assert (await client.get("/healthz")).status_code == 200


@postgres_only
async def test_a_503_carries_retry_after_in_both_media_types(
    client: httpx.AsyncClient, database_url: str
) -> None:
    async with database_gone(database_url):
        answers = [
            await client.post("/graphql", json={"query": PUBLIC}, headers={"Accept": accept})
            for accept in ("application/json", "application/graphql-response+json")
        ]

    for answer in answers:
        assert answer.status_code == 503
        assert int(answer.headers["retry-after"]) > 0


class SilentSmtp:
    """Accepts connections and never says a word, like a mail server behind a dead firewall."""

    def __init__(self) -> None:
        self.server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> SmtpSettings:
        async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read()
            writer.close()

        self.server = await asyncio.start_server(hold, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return SmtpSettings(host="127.0.0.1", port=self.port)

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()


def register(api: Api, canton: User, name: str) -> Awaitable[Result]:
    variables = {"input": {"name": name, "adminEmail": f"leitung@{name.lower()}.ch"}}
    return api(REGISTER_SPONSOR, variables, user=canton)


async def test_registration_works_while_the_mail_server_is_unreachable(
    api: Api, settings: Settings
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    nobody_listens = SmtpSettings(host="127.0.0.1", port=free_port())

    async with MailWorker(settings, smtp=nobody_listens).running():
        first = await register(api, canton, "Kitas-Eins")
        await asyncio.sleep(1.5)  # the worker has tried and failed at least once
        second = await register(api, canton, "Kitas-Zwei")

    for result in (first, second):
        assert result.ok()["registerSponsor"]["__typename"] == "RegisterSponsorSuccess"
    assert [m.status for m in await OutboxMessage.all()] == [DeliveryStatus.PENDING] * 2


async def test_registration_works_while_the_mail_server_hangs(api: Api, settings: Settings) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    impatient = with_http(settings, request_timeout_seconds=3)

    async with (
        SilentSmtp() as silent,
        MailWorker(settings, smtp=silent).running(),
        client_for(impatient) as client,
    ):
        await register(api, canton, "Kitas-Eins")
        await asyncio.sleep(1.5)  # the worker now waits for the silent server's greeting
        second = await register(Api(client, api.idp), canton, "Kitas-Zwei")

    assert second.ok()["registerSponsor"]["__typename"] == "RegisterSponsorSuccess"


async def test_sigterm_lets_the_request_in_flight_finish_then_exits(tmp_path: Path) -> None:
    body = json.dumps({"query": PUBLIC}).encode()
    first_half_sent, finish = asyncio.Event(), asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        yield body[:10]
        first_half_sent.set()
        await finish.wait()
        yield body[10:]

    with server.running(tmp_path) as running:
        async with httpx.AsyncClient(base_url=running.url, timeout=20) as client:
            in_flight = asyncio.create_task(
                client.post(
                    "/graphql", content=slow_body(), headers={"Content-Type": "application/json"}
                )
            )
            await first_half_sent.wait()
            await asyncio.sleep(0.3)
            running.process.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.5)
            draining = running.process.poll() is None
            with pytest.raises(httpx.ConnectError):
                await client.get("/healthz")
            finish.set()
            response = await in_flight
        exit_code = await asyncio.to_thread(running.process.wait, 20)
        log = running.log()

    assert draining
    assert response.status_code == 200
    assert response.json() == {"data": {"publicInstitutions": {"edges": []}}}
    assert "Application shutdown complete" in log
    assert exit_code == -signal.SIGTERM  # uvicorn re-raises the signal once it has drained


def wrapped(cause: BaseException) -> Exception:
    try:
        raise cause
    except BaseException as inner:
        try:
            raise OperationalError("the ORM's wrapper") from inner
        except OperationalError as outer:
            return outer


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("gone")),
        wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection")),
        wrapped(asyncpg.exceptions.TooManyConnectionsError("too many clients")),
        wrapped(sqlite3.OperationalError("database is locked")),
        DBConnectionError("cannot connect"),
    ],
)
def test_an_unreachable_database_is_recognised_through_the_orms_wrapping(
    error: Exception,
) -> None:
    assert is_database_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad"),
        wrapped(asyncpg.exceptions.UniqueViolationError("duplicate key")),
        wrapped(sqlite3.OperationalError("no such table: sponsor")),
        FileNotFoundError("templates/missing.j2"),
    ],
)
def test_other_failures_stay_faults(error: Exception) -> None:
    assert not is_database_unavailable(error)


async def test_an_exception_outside_graphql_is_a_masked_500_with_the_request_id(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*arguments: object) -> None:
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(endpoint, "authenticate", broken)

    response = await client.post("/graphql", json={"query": "{ __typename }"})

    assert response.status_code == 500
    (error,) = response.json()["errors"]
    assert error["message"] == "Unerwarteter Fehler."
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert "hunter2" not in response.text


async def test_a_fault_in_the_graphql_machinery_is_masked_too(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: object) -> None:
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(RequestErrors, "_settings", broken)

    response = await client.post("/graphql", json={"query": "{ __typename }"})

    assert response.status_code == 500
    (error,) = response.json()["errors"]
    assert error["message"] == "Unerwarteter Fehler."
    assert "code" not in error["extensions"]
    assert "hunter2" not in response.text
