"""Debian's Chromium driven by Playwright (no browser download), for the tests of our pages."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, Route, async_playwright

CHROMIUM = os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_missing() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM}: `apt-get install chromium` (make browser does)"
    return None


def require(missing: str | None) -> None:
    """Fails under `make test` (TEST_REQUIRE_BROWSER), skips loudly elsewhere."""
    if missing and os.environ.get("TEST_REQUIRE_BROWSER"):
        pytest.fail(f"TEST_REQUIRE_BROWSER is set, but {missing}")
    if missing:
        pytest.skip(f"BROWSER TEST NOT RUN: {missing}")


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


class Watched:
    """A page whose requests off this machine are blocked and whose script errors (CSP
    violations among them) are collected."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.blocked: list[str] = []
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(str(error)))
        page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)

    async def loopback_only(self) -> None:
        await self.page.route("**/*", self._only_loopback)

    async def _only_loopback(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            await route.continue_()
        else:
            self.blocked.append(route.request.url)
            await route.abort()
