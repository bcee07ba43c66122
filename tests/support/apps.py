"""The app built with other settings than the session's, for tests of configuration."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from settings import Settings
from web.app import create_app


def with_http(settings: Settings, **changes: Any) -> Settings:
    return dataclasses.replace(settings, http=dataclasses.replace(settings.http, **changes))


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings, run_mail_worker=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://kibon.test") as client:
        yield client
