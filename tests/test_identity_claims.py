"""Claims are checked once, where a token becomes an identity: an address or subject we cannot
use is a 401, never a fault; names are made fit for one line before anything stores them."""

from __future__ import annotations

import pytest

from mailer.outbox import OutboxMessage
from models.role import Role
from models.user import User
from schema.types import ids
from tests.support.api import Api
from tests.support.builders import make_sponsor, make_user
from tests.support.user_admin import INVITE_USER

ME = "{ me { user { email firstName lastName } } }"
WARNING = "Ihr Konto wird gesperrt, melden Sie sich an: https://evil.example/"
INJECTED = f"Eva\r\n\r\nWICHTIG: {WARNING}"


@pytest.mark.parametrize(
    "address", ["a@b@c", "@", "anna", "anna\x00@example.ch", f"{'a' * 250}@example.ch", 42]
)
async def test_an_email_claim_that_is_no_address_is_unauthenticated(
    api: Api, address: object
) -> None:
    token = api.idp.token(email=address, subject="sub-x")  # type: ignore[arg-type]

    result = await api(ME, token=token)

    assert (result.status, result.codes) == (401, ["UNAUTHENTICATED"])
    assert await User.all().count() == 0


@pytest.mark.parametrize("subject", ["", " ", "a\x00b", "s" * 256, 42])
async def test_a_sub_claim_that_cannot_name_an_identity_is_unauthenticated(
    api: Api, subject: object
) -> None:
    token = api.idp.token(email="anna@example.ch", sub=subject)

    result = await api(ME, token=token)

    assert (result.status, result.codes) == (401, ["UNAUTHENTICATED"])
    assert await User.all().count() == 0


async def test_names_lose_control_characters_and_line_breaks_and_are_capped(api: Api) -> None:
    token = api.idp.token(
        email="eva@example.ch", given_name=INJECTED, family_name="Muster\x00\u202e" + "x" * 200
    )

    result = await api(ME, token=token)

    user = result.ok()["me"]["user"]
    assert user["firstName"] == (
        "Eva WICHTIG: Ihr Konto wird gesperrt, melden Sie sich an: https://evil.example/"
    )
    assert user["lastName"] == ("Muster" + "x" * 200)[:100]


async def test_a_name_from_the_provider_stays_on_the_inviters_line_of_the_mail(api: Api) -> None:
    sponsor = await make_sponsor()
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    token = api.token_for(admin, given_name=INJECTED, family_name="Muster")
    sponsor_id = ids.encode("Sponsor", sponsor.id)
    invite = {"email": "jana@kita.ch", "role": "SPONSOR_CLERK", "sponsorId": sponsor_id}

    result = await api(INVITE_USER, {"input": invite}, token=token)

    mail = await OutboxMessage.get()
    lines = [line for line in (mail.body_text or "").splitlines() if "WICHTIG" in line]
    assert len(lines) == 2  # German and French, each the inviter's fixed sentence on one line
    assert all(line.startswith(f"Eva WICHTIG: {WARNING} Muster ") for line in lines)
    assert all(sponsor.name in line for line in lines)
    assert result.ok()["inviteUser"]["__typename"] == "InviteUserSuccess"
    assert 'href="https://evil.example/' not in (mail.body_html or "")
