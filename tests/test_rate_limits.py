"""Rate limits kept in the database: failed acceptances per identity and per invited address,
invitation mails per sponsor or institution."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest

from mailer.outbox import OutboxMessage
from models import attempts, clock
from models.errors import InvitationNotFound, TooManyAttempts
from models.institution import Institution
from models.invitation import Invitation, InvitationStatus
from models.rate_limit import RateCounter
from models.role import Role
from models.sign_in import Identity
from models.user import User
from schema.types import ids
from settings import RateLimits, Settings
from tests.support.api import Api
from tests.support.apps import client_for
from tests.support.builders import make_sponsor, make_user
from tests.support.flows import registered_sponsor, token_of
from tests.support.idp import ISSUER, TestIdentityProvider
from tests.support.operations import ACCEPT, REGISTER_INSTITUTION

ACCEPT_LIMITED = ACCEPT.replace(
    "... on Error { message }",
    "... on TooManyAttempts { retryAfterSeconds } ... on Error { message }",
)
RESEND = """mutation ($id: ID!) { resendInvitation(id: $id) { __typename
  ... on TooManyAttempts { retryAfterSeconds message } } }"""


async def accept(api: Api, token: str, email: str) -> dict[str, object]:
    result = await api(ACCEPT_LIMITED, {"token": token}, token=api.idp.token(email=email))
    return dict(result.ok()["acceptInvitation"])


async def test_five_failed_attempts_of_one_person_lock_that_person_out_for_a_while(
    api: Api,
) -> None:
    done = await registered_sponsor(admin_email="mallory@traeger.ch")
    right_token = await token_of(done.invitation)
    for n in range(5):
        failed = await accept(api, f"guess-{n}", "mallory@traeger.ch")
        assert failed["__typename"] == "InvitationNotFound"

    refused = await accept(api, "guess-6", "mallory@traeger.ch")
    also_refused = await accept(api, right_token, "mallory@traeger.ch")

    assert refused["__typename"] == "TooManyAttempts"
    assert 0 < int(str(refused["retryAfterSeconds"])) <= 15 * 60
    assert also_refused["__typename"] == "TooManyAttempts"
    assert (await Invitation.get(id=done.invitation.id)).status == InvitationStatus.PENDING


async def test_the_lock_ends_with_its_window(api: Api) -> None:
    for n in range(6):
        await accept(api, f"guess-{n}", "eve@example.ch")

    with clock.travel(timedelta(minutes=15)):
        later = await accept(api, "guess-7", "eve@example.ch")

    assert later["__typename"] == "InvitationNotFound"


async def test_other_people_are_not_affected_by_one_persons_failures(api: Api) -> None:
    for n in range(6):
        await accept(api, f"guess-{n}", "eve@example.ch")

    other = await accept(api, "guess-7", "bob@example.ch")

    assert other["__typename"] == "InvitationNotFound"


async def test_mismatches_on_one_invitation_are_limited_per_invited_address(api: Api) -> None:
    done = await registered_sponsor(admin_email="jana@kita-sonne.ch")
    token = await token_of(done.invitation)
    for n in range(5):
        mismatch = await accept(api, token, f"someone-{n}@example.ch")
        assert mismatch["__typename"] == "InvitationEmailMismatch"

    sixth = await accept(api, token, "someone-6@example.ch")
    right_person = await accept(api, token, "jana@kita-sonne.ch")

    assert sixth["__typename"] == "TooManyAttempts"
    assert right_person["__typename"] == "AcceptInvitationSuccess"


async def test_outcomes_other_than_not_found_and_mismatch_do_not_count(api: Api) -> None:
    done = await registered_sponsor(admin_email="a@traeger.ch")
    token = await token_of(done.invitation)
    await accept(api, token, "a@traeger.ch")

    for _ in range(7):
        again = await accept(api, token, "a@traeger.ch")
        assert again["__typename"] == "InvitationAlreadyUsed"


async def test_the_count_is_shared_by_every_server_process(
    settings: Settings, idp: TestIdentityProvider
) -> None:
    async with client_for(settings) as first, client_for(settings) as second:
        for n in range(5):
            await accept(Api(first if n % 2 else second, idp), f"guess-{n}", "eve@example.ch")

        refused = await accept(Api(first, idp), "guess-6", "eve@example.ch")

    assert refused["__typename"] == "TooManyAttempts"


async def test_simultaneous_failures_never_get_past_the_limit() -> None:
    eve = Identity(issuer=ISSUER, subject="eve", email="eve@example.ch")

    outcomes = await asyncio.gather(
        *(
            attempts.accept(token=f"guess-{n}", identity=eve, caller=None, allowed=5)
            for n in range(20)
        ),
        return_exceptions=True,
    )

    assert sum(isinstance(o, InvitationNotFound) for o in outcomes) == 5
    assert sum(isinstance(o, TooManyAttempts) for o in outcomes) == 15


async def test_ended_windows_are_pruned(api: Api) -> None:
    await accept(api, "guess-1", "eve@example.ch")

    with clock.travel(timedelta(minutes=16)):
        await accept(api, "guess-2", "eve@example.ch")

    assert await RateCounter.all().count() == 1


def with_mail_limit(settings: Settings, allowed: int) -> Settings:
    return dataclasses.replace(settings, rate_limits=RateLimits(invitation_mails=allowed))


async def test_a_sponsors_admins_get_a_limited_number_of_invitation_mails_per_hour(
    settings: Settings, idp: TestIdentityProvider
) -> None:
    done = await registered_sponsor(by=await make_user(Role.CANTON_ADMIN))  # the canton's mail
    assert done.sponsor is not None
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=done.sponsor)
    invitation_id = ids.encode("Invitation", done.invitation.id)

    async with client_for(with_mail_limit(settings, 2)) as client:
        api = Api(client, idp)
        await api(RESEND, {"id": invitation_id}, user=admin)
        second = await api(RESEND, {"id": invitation_id}, user=admin)
        valid_link = await token_of(done.invitation)
        third = await api(RESEND, {"id": invitation_id}, user=admin)
        still_valid_link = await token_of(done.invitation)
        with clock.travel(timedelta(hours=1)):
            next_hour = await api(RESEND, {"id": invitation_id}, user=admin)

    assert second.ok()["resendInvitation"]["__typename"] == "ResendInvitationSuccess"
    refused = third.ok()["resendInvitation"]
    assert refused["__typename"] == "TooManyAttempts"
    assert 0 < refused["retryAfterSeconds"] <= 3600
    assert next_hour.ok()["resendInvitation"]["__typename"] == "ResendInvitationSuccess"
    assert still_valid_link == valid_link
    assert await OutboxMessage.all().count() == 4


async def test_the_canton_is_not_stopped_by_a_sponsors_mail_budget(
    settings: Settings, idp: TestIdentityProvider
) -> None:
    canton = await make_user(Role.CANTON_CLERK)
    done = await registered_sponsor(admin_email="chefin@traeger.ch", by=canton)
    assert done.sponsor is not None
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=done.sponsor)
    sponsor_id = ids.encode("Sponsor", done.sponsor.id)

    def institution(n: int) -> dict[str, object]:
        return {
            "input": {
                "name": f"Kita {n}",
                "careType": "DAYCARE_CENTER",
                "vouchersFrom": "2024-08-01",
                "adminEmail": admin.email,
                "sponsorId": sponsor_id,
            }
        }

    async with client_for(with_mail_limit(settings, 1)) as client:
        api = Api(client, idp)
        results = [await api(REGISTER_INSTITUTION, institution(n), user=canton) for n in range(3)]

    assert [r.ok()["registerInstitution"]["__typename"] for r in results] == [
        "RegisterInstitutionSuccess"
    ] * 3
    assert await Institution.filter(sponsor_id=done.sponsor.id).count() == 3


async def test_each_sponsor_and_institution_has_its_own_mail_budget(
    settings: Settings, idp: TestIdentityProvider
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)

    async with client_for(with_mail_limit(settings, 1)) as client:
        api = Api(client, idp)
        results = [
            await api(
                REGISTER_INSTITUTION,
                {
                    "input": {
                        "name": f"Kita {n}",
                        "careType": "DAY_SCHOOL",
                        "vouchersFrom": "2024-08-01",
                        "adminEmail": f"leitung-{n}@kita.ch",
                    }
                },
                user=canton,
            )
            for n in range(3)
        ]

    assert [r.ok()["registerInstitution"]["__typename"] for r in results] == [
        "RegisterInstitutionSuccess"
    ] * 3


def test_the_rate_limits_are_read_from_the_environment() -> None:
    limits = Settings.from_env(
        {
            "KIBON_DEV_LOGIN": "on",
            "KIBON_ACCEPT_FAILURE_LIMIT": "3",
            "KIBON_INVITATION_MAIL_LIMIT": "500",
        }
    ).rate_limits
    defaults = Settings.from_env({"KIBON_DEV_LOGIN": "on"}).rate_limits

    assert limits == RateLimits(accept_failures=3, invitation_mails=500)
    assert defaults == RateLimits(accept_failures=5, invitation_mails=50)


@pytest.mark.parametrize("name", ["KIBON_ACCEPT_FAILURE_LIMIT", "KIBON_INVITATION_MAIL_LIMIT"])
def test_a_rate_limit_of_zero_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({"KIBON_DEV_LOGIN": "on", name: "0"})


async def test_inviting_a_colleague_over_the_mail_budget_is_a_typed_result(
    settings: Settings, idp: TestIdentityProvider
) -> None:
    sponsor = await make_sponsor()
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    invite = """mutation ($input: InviteUserInput!) { inviteUser(input: $input) { __typename
      ... on TooManyAttempts { retryAfterSeconds } } }"""

    def colleague(n: int) -> dict[str, object]:
        sponsor_id = ids.encode("Sponsor", sponsor.id)
        email = f"kollegin-{n}@traeger.ch"
        return {"input": {"email": email, "role": "SPONSOR_CLERK", "sponsorId": sponsor_id}}

    async with client_for(with_mail_limit(settings, 1)) as client:
        api = Api(client, idp)
        first = await api(invite, colleague(1), user=admin)
        second = await api(invite, colleague(2), user=admin)

    assert first.ok()["inviteUser"]["__typename"] == "InviteUserSuccess"
    assert second.ok()["inviteUser"]["__typename"] == "TooManyAttempts"
    assert await User.filter(email_key="kollegin-2@traeger.ch").count() == 0
