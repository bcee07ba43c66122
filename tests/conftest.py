"""Fixtures: one migrated database per run (emptied before each test), a real SMTP server, a
test identity provider whose JWKS is served over real HTTP, and the app on top of them."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from tortoise.contrib.test import truncate_all_models

from mailer.sink import free_port
from settings import Settings
from tests.support import database
from tests.support.api import Api
from tests.support.clock import Clock
from tests.support.idp import AUDIENCE, ISSUER, TestIdentityProvider
from tests.support.json_logs import json_logs, live  # noqa: F401 (fixtures for every module)
from tests.support.smtp import SmtpServer
from web.app import create_app

RENAMED = {"KIBON_TEST_DATABASE": "TEST_DATABASE", "KIBON_TEST_POSTGRES_URL": "TEST_POSTGRES_URL"}


def pytest_configure(config: pytest.Config) -> None:
    """The service refuses unknown `KIBON_*` names, so the suite's own variables have another
    prefix; an old name would otherwise run the suite on SQLite without a word."""
    for old, new in RENAMED.items():
        if old in os.environ:
            raise pytest.UsageError(f"{old} is now {new}")


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with database.test_database(tmp_path_factory.mktemp("db")) as url, database.orm(url):
        yield url


@pytest.fixture(autouse=True)
async def db(database_url: str) -> None:
    await truncate_all_models()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    smtp_server.reset()
    return smtp_server


async def serve(app: Any, port: int) -> AsyncIterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture(scope="session")
async def idp() -> AsyncIterator[TestIdentityProvider]:
    provider = TestIdentityProvider()
    async for url in serve(provider.app(), free_port()):
        provider.jwks_url = f"{url}/jwks"
        yield provider


# `TEST_EXECUTOR=stock` runs the suite on graphql-core's own executor (`make test` does it
# once): the planned executor must answer exactly as it does.
EXECUTOR = {"stock": {"KIBON_PLANNED_EXECUTOR": "off"}}.get(os.environ.get("TEST_EXECUTOR", ""), {})


@pytest.fixture(scope="session")
def settings(idp: TestIdentityProvider, smtp_server: SmtpServer) -> Settings:
    return Settings.from_env(
        EXECUTOR
        | {
            "KIBON_OIDC_ISSUER": ISSUER,
            "KIBON_OIDC_AUDIENCE": AUDIENCE,
            "KIBON_OIDC_JWKS_URL": idp.jwks_url,
            "KIBON_SMTP_HOST": "127.0.0.1",
            "KIBON_SMTP_PORT": str(smtp_server.port),
            "KIBON_PORTAL_URL": "https://portal.kibon.test",
            "KIBON_DEV_LOGIN": "1",
        }
    )


@pytest.fixture(scope="session")
async def client(settings: Settings, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, run_mail_worker=False)  # the ASGI transport runs no lifespan
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kibon.test") as client:
        yield client


@pytest.fixture
def api(client: httpx.AsyncClient, idp: TestIdentityProvider) -> Api:
    return Api(client, idp)


@pytest.fixture
def tmp_dir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def clock() -> Clock:
    return Clock()
