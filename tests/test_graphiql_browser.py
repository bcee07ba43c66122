"""GraphiQL in a real browser (headless Chromium) with every request off this machine blocked:
sign in with a development token, run the family portal's query, see the result."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.async_api import Browser, Route, async_playwright

from settings import Settings
from tests.support import flows
from tests.support.live import served
from web.app import create_app
from web.graphiql import page as graphiql

CHROMIUM = os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "var" / "artifacts"
SCREENSHOT = ARTIFACTS / "graphiql.png"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUERY = """query FamilyPortal {
  me { user { email role } }
  publicInstitutions(first: 5, filter: { search: "sunneschyn", availableOn: "2025-08-01" }) {
    edges { node { name careType status sponsor { name } } }
  }
}"""


def missing_prerequisite() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM}: `apt-get install chromium` (make browser does)"
    if not graphiql.is_installed():
        return "GraphiQL's assets are not installed: run `make assets`"
    return None


@pytest.fixture(scope="module")
def prerequisites() -> None:
    missing = missing_prerequisite()
    if missing and os.environ.get("TEST_REQUIRE_BROWSER"):
        pytest.fail(f"TEST_REQUIRE_BROWSER is set, but {missing}")
    if missing:
        pytest.skip(f"BROWSER TEST NOT RUN: {missing}")


@pytest.fixture
async def browser(prerequisites: None) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        await launched.close()


async def test_graphiql_runs_the_family_portal_query_without_the_internet(
    browser: Browser, settings: Settings
) -> None:
    started = time.monotonic()
    await flows.registered_institution(name="Kita Sunneschyn", vouchers_from=date(2025, 1, 1))
    blocked: list[str] = []
    problems: list[str] = []

    async def loopback_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort()

    async with served(create_app(settings, run_mail_worker=False)) as url:
        page = await browser.new_page(viewport={"width": 1400, "height": 860})
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        await page.route("**/*", loopback_only)
        await page.goto(f"{url}/graphql?query={quote(QUERY)}")
        await page.fill("#kibon-sign-in input[name=email]", "eltern@example.ch")
        await page.click("#kibon-sign-in button[type=submit]")
        await page.wait_for_selector("#kibon-signed-in:has-text('eltern@example.ch')")
        await page.click(".graphiql-execute-button")
        response = page.locator(".graphiql-response")
        await response.get_by_text("Kita Sunneschyn").wait_for()
        shown = await response.inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOT))
        await page.close()

    assert '"email": "eltern@example.ch"' in shown
    assert '"name": "Kita Sunneschyn"' in shown
    assert blocked == []
    assert problems == []
    assert SCREENSHOT.stat().st_size > 10_000
    assert time.monotonic() - started < 45
