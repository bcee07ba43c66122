"""The development invitation page (the portal's stand-in) in a real browser: the link from a
real invitation mail, signed in as someone else (the masked hint) and as the invited person
(accepted), under the page's own Content-Security-Policy."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.support import server
from tests.support.browser import ARTIFACTS, Watched, chromium, chromium_missing, require

SCREENSHOT = ARTIFACTS / "invitation.png"
REGISTER = """mutation ($input: RegisterSponsorInput!) {
  registerSponsor(input: $input) { __typename }
}"""


async def invitation_link(client: httpx.AsyncClient) -> str:
    for _ in range(150):
        messages = (await client.get("/dev/mail")).json()["messages"]
        links = [link for message in messages for link in message["links"]]
        if links:
            return str(links[0])
        await asyncio.sleep(0.1)
    raise AssertionError("no invitation mail reached the development sink")


async def registered_sponsor(client: httpx.AsyncClient, admin_email: str) -> str:
    signed = await client.post("/dev/token", json={"email": "chefin@be.ch"})
    answer = await client.post(
        "/graphql",
        json={
            "query": REGISTER,
            "variables": {"input": {"name": "Kitas", "adminEmail": admin_email}},
        },
        headers={"authorization": f"Bearer {signed.json()['access_token']}"},
    )
    return str(answer.json()["data"]["registerSponsor"]["__typename"])


async def test_the_link_of_a_real_invitation_mail_is_accepted_in_a_browser(
    tmp_path: Path,
) -> None:
    require(chromium_missing())

    with server.running(tmp_path) as running:
        running.command("create-admin", "chefin@be.ch", "--role", "CANTON_ADMIN")
        async with httpx.AsyncClient(base_url=running.url, timeout=10) as client:
            registered = await registered_sponsor(client, "jana@kita-sonne.ch")
            link = await invitation_link(client)
        async with chromium() as browser:
            page = await browser.new_page(viewport={"width": 1000, "height": 800})
            page.set_default_timeout(15_000)
            watched = Watched(page)
            await watched.loopback_only()
            await page.goto(link)
            await page.fill("#email", "someone.else@example.ch")
            await page.click("#sign-in button[type=submit]")
            await page.locator("#outcome", has_text="InvitationEmailMismatch").wait_for()
            refused = await page.inner_text("#answer")
            await page.fill("#email", "jana@kita-sonne.ch")
            await page.click("#sign-in button[type=submit]")
            await page.locator("#outcome", has_text="AcceptInvitationSuccess").wait_for()
            accepted = await page.inner_text("#answer")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SCREENSHOT))

    assert registered == "RegisterSponsorSuccess"
    assert link.startswith(f"{running.url}/invitation#token=")
    assert '"invitedEmailHint": "j***@kita-sonne.ch"' in refused
    assert '"email": "jana@kita-sonne.ch"' in accepted
    assert '"status": "ACTIVE"' in accepted
    assert watched.problems == []
    assert watched.blocked == []
    assert SCREENSHOT.stat().st_size > 5_000


async def test_the_invitation_page_runs_under_a_policy_without_inline_code(
    tmp_path: Path,
) -> None:
    with server.running(tmp_path) as running:
        async with httpx.AsyncClient(base_url=running.url, timeout=10) as client:
            page = await client.get("/invitation")
            script = await client.get("/dev/invitation.js")

    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in page.text
    assert 'src="/dev/invitation.js"' in page.text
    assert script.headers["content-type"].startswith("text/javascript")
    assert "acceptInvitation" in script.text
