"""The app built with other settings than the session's, for tests of configuration."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette

from settings import Settings
from web.app import create_app


def with_http(settings: Settings, **changes: Any) -> Settings:
    return dataclasses.replace(settings, http=dataclasses.replace(settings.http, **changes))


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(create_app(settings, run_mail_worker=False)) as client:
        yield client


@asynccontextmanager
async def client_of(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app the test holds on to (to reach into its parts)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kibon.test") as client:
        yield client
