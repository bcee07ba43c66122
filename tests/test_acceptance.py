"""Flows 4 and 5: the invited person signs in and accepts, exactly once, with the right address."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from commands.logs import quiet_noisy_loggers
from models import acceptance, clock, invitation, revocation
from models.audit import AuditEvent
from models.errors import InvitationAlreadyUsed, InvitationRevoked
from models.invitation import Invitation, InvitationStatus
from models.role import Role
from models.sign_in import Identity
from models.user import User, UserStatus
from schema.types import ids
from tests.support import database
from tests.support.api import Api
from tests.support.flows import canton_admin, registered_institution, registered_sponsor, token_of
from tests.support.idp import ISSUER
from tests.support.operations import ACCEPT

ME = """{ me { user { email role }
  pendingInvitation { role sponsorName institutionName expiresAt } } }"""


async def test_the_invited_person_accepts_and_becomes_an_active_admin(api: Api) -> None:
    done = await registered_sponsor(admin_email="Jana.Muster@Kita-Sonne.ch", name="Kitas Sonne")
    token = await token_of(done.invitation)
    sign_in = api.idp.token(
        email=" jana.muster@kita-sonne.CH ", subject="be-login-42", given_name="Jana"
    )

    result = await api(ACCEPT, {"token": token}, token=sign_in)

    payload = result.ok()["acceptInvitation"]
    assert payload["__typename"] == "AcceptInvitationSuccess"
    assert payload["next"] == "HOME"
    assert payload["institution"] is None
    assert payload["user"]["role"] == "SPONSOR_ADMIN"
    assert payload["user"]["status"] == "ACTIVE"
    assert payload["user"]["email"] == "Jana.Muster@Kita-Sonne.ch"  # spelling kept
    assert payload["user"]["sponsor"] == {"name": "Kitas Sonne"}
    account = await User.get(email_key="jana.muster@kita-sonne.ch")
    assert (account.issuer, account.subject, account.first_name) == (ISSUER, "be-login-42", "Jana")
    assert (await Invitation.get(id=done.invitation.id)).status == InvitationStatus.ACCEPTED


async def test_an_institution_invitation_leads_to_its_master_data(api: Api) -> None:
    done = await registered_institution(admin_email="leitung@kita.ch", name="Kita Sonne")
    assert done.institution is not None

    result = await api(
        ACCEPT,
        {"token": await token_of(done.invitation)},
        token=api.idp.token(email="leitung@kita.ch"),
    )

    payload = result.ok()["acceptInvitation"]
    assert payload["next"] == "INSTITUTION_MASTER_DATA"
    assert payload["institution"] == {
        "id": ids.encode("Institution", done.institution.id),
        "name": "Kita Sonne",
    }
    assert payload["user"]["role"] == "INSTITUTION_ADMIN"
    assert payload["user"]["institution"] == {"name": "Kita Sonne"}


async def test_an_active_sponsor_admin_accepts_an_invitation_for_a_new_institution(
    api: Api,
) -> None:
    first = await registered_sponsor(admin_email="chefin@traeger.ch")
    await api(
        ACCEPT,
        {"token": await token_of(first.invitation)},
        token=api.idp.token(email="chefin@traeger.ch"),
    )
    assert first.sponsor is not None
    second = await registered_institution(
        admin_email="chefin@traeger.ch", sponsor_id=first.sponsor.id
    )
    assert second.institution is not None

    result = await api(
        ACCEPT,
        {"token": await token_of(second.invitation)},
        token=api.idp.token(email="chefin@traeger.ch"),
    )

    payload = result.ok()["acceptInvitation"]
    assert payload["__typename"] == "AcceptInvitationSuccess"
    assert payload["next"] == "INSTITUTION_MASTER_DATA"
    assert payload["institution"]["id"] == ids.encode("Institution", second.institution.id)
    assert payload["user"]["role"] == "SPONSOR_ADMIN"
    assert await User.filter(email_key="chefin@traeger.ch").count() == 1
    assert await User.filter(role=Role.INSTITUTION_ADMIN).count() == 0


async def test_another_address_gets_a_masked_hint_stays_applicant_and_leaves_it_open(
    api: Api,
) -> None:
    done = await registered_sponsor(admin_email="jana.muster@kita-sonne.ch")
    token = await token_of(done.invitation)

    result = await api(
        ACCEPT, {"token": token}, token=api.idp.token(email="jana.private@gmail.com")
    )

    payload = result.ok()["acceptInvitation"]
    assert payload == {
        "__typename": "InvitationEmailMismatch",
        "invitedEmailHint": "j***@kita-sonne.ch",
        "message": payload["message"],
    }
    assert "jana.muster" not in str(result.body)
    caller = await User.get(email_key="jana.private@gmail.com")
    assert caller.role == Role.APPLICANT
    assert (await Invitation.get(id=done.invitation.id)).status == InvitationStatus.PENDING
    event = await AuditEvent.get(action="invitation.email_mismatch")
    assert event.details == {"invited": "j***@kita-sonne.ch", "signedIn": "j***@gmail.com"}
    right = await api(
        ACCEPT, {"token": token}, token=api.idp.token(email="jana.muster@kita-sonne.ch")
    )
    assert right.ok()["acceptInvitation"]["__typename"] == "AcceptInvitationSuccess"


async def test_an_unknown_token_is_not_found(api: Api) -> None:
    result = await api(ACCEPT, {"token": "x" * 43}, token=api.idp.token(email="a@example.ch"))

    assert result.ok()["acceptInvitation"]["__typename"] == "InvitationNotFound"


async def test_a_used_token_is_already_used(api: Api) -> None:
    done = await registered_sponsor(admin_email="a@traeger.ch")
    token = await token_of(done.invitation)
    await api(ACCEPT, {"token": token}, token=api.idp.token(email="a@traeger.ch"))

    again = await api(ACCEPT, {"token": token}, token=api.idp.token(email="a@traeger.ch"))

    assert again.ok()["acceptInvitation"]["__typename"] == "InvitationAlreadyUsed"


async def test_a_revoked_token_is_revoked(api: Api) -> None:
    done = await registered_sponsor(admin_email="a@traeger.ch")
    token = await token_of(done.invitation)
    await revocation.revoke(by=await canton_admin(), invitation_id=done.invitation.id)

    result = await api(ACCEPT, {"token": token}, token=api.idp.token(email="a@traeger.ch"))

    assert result.ok()["acceptInvitation"]["__typename"] == "InvitationRevoked"
    assert (await User.get(email_key="a@traeger.ch")).status == UserStatus.INVITED


async def test_a_token_past_its_expiry_is_expired(api: Api) -> None:
    done = await registered_sponsor(admin_email="a@traeger.ch")
    token = await token_of(done.invitation)

    with clock.travel(timedelta(days=7, seconds=1)):
        result = await api(ACCEPT, {"token": token}, token=api.idp.token(email="a@traeger.ch"))

    assert result.ok()["acceptInvitation"]["__typename"] == "InvitationExpired"


async def test_a_token_just_before_its_expiry_is_accepted(api: Api) -> None:
    done = await registered_sponsor(admin_email="a@traeger.ch")
    token = await token_of(done.invitation)

    with clock.travel(timedelta(days=6, hours=23)):
        result = await api(ACCEPT, {"token": token}, token=api.idp.token(email="a@traeger.ch"))

    assert result.ok()["acceptInvitation"]["__typename"] == "AcceptInvitationSuccess"


async def test_accepting_needs_a_sign_in(api: Api) -> None:
    result = await api(ACCEPT, {"token": "whatever"})

    assert result.codes == ["UNAUTHENTICATED"]


async def test_a_blocked_invitee_cannot_accept(api: Api) -> None:
    done = await registered_sponsor(admin_email="a@traeger.ch")
    await User.filter(email_key="a@traeger.ch").update(status=UserStatus.BLOCKED)

    result = await api(
        ACCEPT,
        {"token": await token_of(done.invitation)},
        token=api.idp.token(email="a@traeger.ch"),
    )

    assert result.status == 401  # blocked people are refused at the door
    assert (await Invitation.get(id=done.invitation.id)).status == InvitationStatus.PENDING


async def test_the_token_is_stored_only_as_a_hash(api: Api) -> None:
    done = await registered_sponsor()

    token = await token_of(done.invitation)

    stored = await Invitation.get(id=done.invitation.id)
    assert len(token) >= 43  # 256 bits, base64url
    assert stored.token_hash == invitation.hash_token(token)
    assert token not in stored.token_hash


async def test_an_invited_person_signing_in_sees_the_pending_invitation_not_an_applicant_account(
    api: Api,
) -> None:
    await registered_institution(admin_email="leitung@kita.ch", name="Kita Sonne")

    result = await api(ME, token=api.idp.token(email="Leitung@Kita.ch"))

    me = result.ok()["me"]
    assert me["user"] is None
    assert me["pendingInvitation"]["role"] == "INSTITUTION_ADMIN"
    assert me["pendingInvitation"]["institutionName"] == "Kita Sonne"
    assert me["pendingInvitation"]["expiresAt"]
    assert await User.filter(role=Role.APPLICANT).count() == 0


async def test_an_applicant_invited_later_is_converted_on_acceptance(api: Api) -> None:
    applicant_token = api.idp.token(email="eva@kita.ch", subject="eva")
    await api(ME, token=applicant_token)
    applicant = await User.get(email_key="eva@kita.ch")
    done = await registered_institution(admin_email="eva@kita.ch")

    pending = await api(ME, token=applicant_token)
    result = await api(ACCEPT, {"token": await token_of(done.invitation)}, token=applicant_token)

    assert pending.ok()["me"]["pendingInvitation"]["role"] == "INSTITUTION_ADMIN"
    assert result.ok()["acceptInvitation"]["user"]["id"] == ids.encode("User", applicant.id)
    converted = await User.get(id=applicant.id)
    assert (converted.role, converted.institution_id) == (
        Role.INSTITUTION_ADMIN,
        done.institution.id if done.institution else None,
    )
    assert await User.filter(email_key="eva@kita.ch").count() == 1


async def test_a_log_of_the_whole_flow_holds_no_token_and_no_link(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    quiet_noisy_loggers()
    caplog.set_level(logging.DEBUG)
    done = await registered_sponsor(admin_email="a@traeger.ch")
    token = await token_of(done.invitation)

    await api(ACCEPT, {"token": token}, token=api.idp.token(email="b@traeger.ch"))
    await api(ACCEPT, {"token": token}, token=api.idp.token(email="a@traeger.ch"))

    assert caplog.records  # the flow was logged at all
    assert token not in caplog.text
    assert "/invitation#token=" not in caplog.text


def identity(address: str, subject: str) -> Identity:
    return Identity(issuer=ISSUER, subject=subject, email=address)


postgres_only = pytest.mark.skipif(
    not database.is_postgres(), reason="row locks live on PostgreSQL"
)


@postgres_only
async def test_ten_simultaneous_acceptances_give_exactly_one_success() -> None:
    done = await registered_sponsor(admin_email="a@traeger.ch")
    token = await token_of(done.invitation)

    outcomes = await asyncio.gather(
        *(
            acceptance.accept(token=token, identity=identity("a@traeger.ch", "a"), caller=None)
            for _ in range(10)
        ),
        return_exceptions=True,
    )

    assert sum(isinstance(o, acceptance.Accepted) for o in outcomes) == 1
    assert all(isinstance(o, acceptance.Accepted | InvitationAlreadyUsed) for o in outcomes)
    assert await AuditEvent.filter(action="invitation.accepted").count() == 1


@postgres_only
async def test_acceptance_racing_revocation_ends_in_exactly_one_of_them() -> None:
    for _ in range(5):
        done = await registered_sponsor()
        token = await token_of(done.invitation)
        canton = await canton_admin()

        accepted, revoked = await asyncio.gather(
            acceptance.accept(
                token=token, identity=identity(done.invitation.email, "x"), caller=None
            ),
            revocation.revoke(by=canton, invitation_id=done.invitation.id),
            return_exceptions=True,
        )

        final = await Invitation.get(id=done.invitation.id)
        if isinstance(accepted, acceptance.Accepted):
            assert isinstance(revoked, InvitationAlreadyUsed)
            assert final.status == InvitationStatus.ACCEPTED
        else:
            assert isinstance(accepted, InvitationRevoked)
            assert final.status == InvitationStatus.REVOKED
