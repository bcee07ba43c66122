"""Resending (a new link, the old one dead) and revoking invitations."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mailer.outbox import OutboxMessage
from models import clock
from models.invitation import Invitation, InvitationStatus
from models.role import Role
from schema.types import ids
from tests.support.api import Api
from tests.support.builders import make_sponsor, make_user
from tests.support.flows import registered_institution, registered_sponsor, token_of
from tests.support.operations import ACCEPT

RESEND = """mutation ($id: ID!) { resendInvitation(id: $id) { __typename
  ... on ResendInvitationSuccess { invitation { status expiresAt } } ... on Error { message } } }"""
REVOKE = """mutation ($id: ID!) { revokeInvitation(id: $id) { __typename
  ... on RevokeInvitationSuccess { invitation { status } } ... on Error { message } } }"""


async def test_resending_issues_a_new_link_and_kills_the_old_one(api: Api) -> None:
    done = await registered_sponsor(admin_email="a@traeger.ch")
    old_token = await token_of(done.invitation)
    canton = await make_user(Role.CANTON_CLERK)

    with clock.travel(timedelta(days=6)):
        result = await api(
            RESEND, {"id": ids.encode("Invitation", done.invitation.id)}, user=canton
        )
    new_token = await token_of(done.invitation)
    old = await api(ACCEPT, {"token": old_token}, token=api.idp.token(email="a@traeger.ch"))
    new = await api(ACCEPT, {"token": new_token}, token=api.idp.token(email="a@traeger.ch"))

    assert result.ok()["resendInvitation"]["invitation"]["status"] == "PENDING"
    assert new_token != old_token
    assert await OutboxMessage.filter(recipient="a@traeger.ch").count() == 2
    assert old.ok()["acceptInvitation"]["__typename"] == "InvitationNotFound"
    assert new.ok()["acceptInvitation"]["__typename"] == "AcceptInvitationSuccess"


async def test_resending_an_expired_invitation_gives_it_a_new_expiry(api: Api) -> None:
    done = await registered_sponsor(admin_email="a@traeger.ch")
    canton = await make_user(Role.CANTON_ADMIN)

    with clock.travel(timedelta(days=10)):
        result = await api(
            RESEND, {"id": ids.encode("Invitation", done.invitation.id)}, user=canton
        )
        fresh = await Invitation.get(id=done.invitation.id)
        status = fresh.current_status

    assert result.ok()["resendInvitation"]["__typename"] == "ResendInvitationSuccess"
    assert status == InvitationStatus.PENDING


async def test_neither_works_on_an_accepted_invitation(api: Api) -> None:
    done = await registered_sponsor(admin_email="a@traeger.ch")
    await api(
        ACCEPT,
        {"token": await token_of(done.invitation)},
        token=api.idp.token(email="a@traeger.ch"),
    )
    canton = await make_user(Role.CANTON_ADMIN)
    variables = {"id": ids.encode("Invitation", done.invitation.id)}

    resent = await api(RESEND, variables, user=canton)
    revoked = await api(REVOKE, variables, user=canton)

    assert resent.ok()["resendInvitation"]["__typename"] == "InvitationAlreadyUsed"
    assert revoked.ok()["revokeInvitation"]["__typename"] == "InvitationAlreadyUsed"
    assert await OutboxMessage.filter(recipient="a@traeger.ch").count() == 1


async def test_revoking_ends_the_invitation(api: Api) -> None:
    done = await registered_sponsor(admin_email="a@traeger.ch")
    canton = await make_user(Role.CANTON_ADMIN)

    result = await api(REVOKE, {"id": ids.encode("Invitation", done.invitation.id)}, user=canton)
    again = await api(REVOKE, {"id": ids.encode("Invitation", done.invitation.id)}, user=canton)

    assert result.ok()["revokeInvitation"]["invitation"]["status"] == "REVOKED"
    assert again.ok()["revokeInvitation"]["__typename"] == "InvitationRevoked"


async def test_the_sponsor_admin_may_resend_invitations_of_its_institutions(api: Api) -> None:
    sponsor = await make_sponsor()
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    done = await registered_institution(sponsor_id=sponsor.id)

    result = await api(RESEND, {"id": ids.encode("Invitation", done.invitation.id)}, user=admin)

    assert result.ok()["resendInvitation"]["__typename"] == "ResendInvitationSuccess"


@pytest.mark.parametrize("role", [Role.SPONSOR_CLERK, Role.INSTITUTION_CLERK])
async def test_clerks_may_not_resend_or_revoke(api: Api, role: Role) -> None:
    sponsor = await make_sponsor()
    done = await registered_institution(sponsor_id=sponsor.id)
    assert done.institution is not None
    clerk = await make_user(
        role,
        sponsor=sponsor if role == Role.SPONSOR_CLERK else None,
        institution=done.institution if role == Role.INSTITUTION_CLERK else None,
    )
    variables = {"id": ids.encode("Invitation", done.invitation.id)}

    resent = await api(RESEND, variables, user=clerk)
    revoked = await api(REVOKE, variables, user=clerk)

    assert resent.codes == ["FORBIDDEN"]
    assert revoked.codes == ["FORBIDDEN"]
    assert (await Invitation.get(id=done.invitation.id)).status == InvitationStatus.PENDING


async def test_an_admin_of_another_sponsor_does_not_even_see_the_invitation(api: Api) -> None:
    done = await registered_institution(sponsor_id=(await make_sponsor()).id)
    stranger = await make_user(Role.SPONSOR_ADMIN, sponsor=await make_sponsor())

    result = await api(REVOKE, {"id": ids.encode("Invitation", done.invitation.id)}, user=stranger)

    assert result.ok()["revokeInvitation"]["__typename"] == "NotFound"
    assert (await Invitation.get(id=done.invitation.id)).status == InvitationStatus.PENDING


async def test_a_revoked_invitation_cannot_be_resent(api: Api) -> None:
    done = await registered_sponsor(admin_email="a@traeger.ch")
    canton = await make_user(Role.CANTON_ADMIN)
    variables = {"id": ids.encode("Invitation", done.invitation.id)}
    await api(REVOKE, variables, user=canton)

    result = await api(RESEND, variables, user=canton)

    assert result.ok()["resendInvitation"]["__typename"] == "InvitationRevoked"
    assert (await Invitation.get(id=done.invitation.id)).status == InvitationStatus.REVOKED
    assert await OutboxMessage.filter(recipient="a@traeger.ch").count() == 1


async def test_institution_staff_do_not_see_a_sponsor_admins_invitation(api: Api) -> None:
    sponsor = await make_sponsor()
    chefin = await make_user(Role.SPONSOR_ADMIN, email="chefin@traeger.ch", sponsor=sponsor)
    done = await registered_institution(admin_email=chefin.email, sponsor_id=sponsor.id)
    clerk = await make_user(Role.INSTITUTION_CLERK, institution=done.institution)

    result = await api("{ invitations { edges { node { email } } } }", user=clerk)

    assert result.ok()["invitations"]["edges"] == []
