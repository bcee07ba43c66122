"""The service's own JSON log lines, captured from a real uvicorn in this process."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import uvicorn

from commands.logs import configure_logging
from mailer.sink import free_port
from settings import Settings
from web.app import create_app


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The service's own log configuration, writing into a buffer instead of stderr."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    root.handlers.clear()  # configure_logging closes the handlers it replaces: not pytest's
    configure_logging(json_lines=True, level="DEBUG")
    written = io.StringIO()
    (handler,) = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(written)
    # The session's identity provider configured uvicorn's loggers its own way; under
    # `main.py serve` they have no handlers and pass everything on to ours.
    server_loggers = [logging.getLogger(f"uvicorn{part}") for part in ("", ".error", ".access")]
    saved_server = [(lg.handlers[:], lg.propagate, lg.level) for lg in server_loggers]
    for logger in server_loggers:
        logger.handlers.clear()
        logger.propagate, logger.level = True, logging.NOTSET
    yield written
    root.handlers[:], root.level = saved
    for logger, (handlers, propagate, level) in zip(server_loggers, saved_server, strict=True):
        logger.handlers[:], logger.propagate, logger.level = handlers, propagate, level


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[str]:
    config = uvicorn.Config(
        create_app(settings, run_mail_worker=False),
        host="127.0.0.1",
        port=free_port(),
        lifespan="off",  # the session's database is already set up in this process
        log_config=None,  # as `main.py serve`: uvicorn's lines go through our handler
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{config.port}"
    server.should_exit = True
    await task


def lines_of(output: str) -> list[dict[str, Any]]:
    entries = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert all(isinstance(entry, dict) for entry in entries)
    return entries
