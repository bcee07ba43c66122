"""The app over real HTTP on loopback, on the test database that the session already opened."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from mailer.sink import free_port


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    # No lifespan: it would migrate and register Tortoise on the configured database; the
    # requests use the ORM the test session set up instead.
    config = uvicorn.Config(
        app, host="127.0.0.1", port=free_port(), log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        await task
