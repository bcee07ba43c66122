"""GraphiQL in a real browser (headless Chromium) with every request off this machine blocked:
sign in with a development token, run the family portal's query, see the result."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import date
from urllib.parse import quote

import pytest
from playwright.async_api import Browser

from models.institution import InstitutionStatus
from models.role import Role
from settings import Settings
from tests.support import flows
from tests.support.browser import ARTIFACTS, Watched, chromium, chromium_missing, require
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.live import served
from web.app import create_app
from web.graphiql import page as graphiql

SCREENSHOT = ARTIFACTS / "graphiql.png"
QUERY = """query FamilyPortal {
  me { user { email role } }
  publicInstitutions(first: 5, filter: { search: "sunneschyn", availableOn: "2025-08-01" }) {
    edges { node { name careType status sponsor { name } } }
  }
}"""


def missing_prerequisite() -> str | None:
    if not graphiql.is_installed():
        return "GraphiQL's assets are not installed: run `make assets`"
    return chromium_missing()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    require(missing_prerequisite())
    async with chromium() as launched:
        yield launched


async def test_graphiql_runs_the_family_portal_query_without_the_internet(
    browser: Browser, settings: Settings
) -> None:
    started = time.monotonic()
    await flows.registered_institution(name="Kita Sunneschyn", vouchers_from=date(2025, 1, 1))
    async with served(create_app(settings, run_mail_worker=False)) as url:
        page = await browser.new_page(viewport={"width": 1400, "height": 860})
        page.set_default_timeout(15_000)
        watched = Watched(page)
        await watched.loopback_only()
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
    assert watched.blocked == []
    assert watched.problems == []
    assert SCREENSHOT.stat().st_size > 10_000
    assert time.monotonic() - started < 45


async def test_an_example_tab_runs_without_editing_its_placeholder_ids(
    browser: Browser, settings: Settings
) -> None:
    sponsor = await make_sponsor(name="Kitas Bärn")
    institution = await make_institution(name="Kita Sunneschyn", sponsor=sponsor)
    await make_user(Role.SPONSOR_ADMIN, email="anna@kitas-baern.ch", sponsor=sponsor, bound=False)

    async with served(create_app(settings, run_mail_worker=False)) as url:
        page = await browser.new_page(viewport={"width": 1400, "height": 860})
        page.set_default_timeout(15_000)
        watched = Watched(page)
        await watched.loopback_only()
        await page.goto(f"{url}/graphql")
        await page.fill("#kibon-sign-in input[name=email]", "anna@kitas-baern.ch")
        await page.click("#kibon-sign-in button[type=submit]")
        await page.wait_for_selector("#kibon-signed-in:has-text('anna@kitas-baern.ch')")
        await page.get_by_role("tab", name="ActivateInstitution").click()
        await page.click(".graphiql-execute-button")
        await page.get_by_role("menuitem", name="ActivateInstitution").click()
        response = page.locator(".graphiql-response")
        await response.get_by_text("ActivateInstitutionSuccess").wait_for()
        await page.close()

    await institution.refresh_from_db()
    assert institution.status == InstitutionStatus.ACTIVE
    assert institution.town == "Bern"
    assert watched.problems == []
