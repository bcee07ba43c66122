"""The seven holes of the scope rule (issue 14), each tried as an attacker inside the portal would,
through GraphQL: moved institutions, the acceptance answer, a second acceptance, a canton's
block, inviting a parent's address, look-alike addresses, and "not found" for "not allowed"."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import pytest

from mailer.outbox import OutboxMessage
from models import acceptance, invitation
from models.audit import AuditEvent
from models.institution import Institution
from models.invitation import Invitation, InvitationStatus
from models.role import Role
from models.sign_in import Identity
from models.sponsor import Sponsor
from models.user import User, UserStatus
from schema.types import ids
from tests.support import database
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.flows import (
    POLICY,
    canton_admin,
    registered_institution,
    registered_sponsor,
    token_of,
)
from tests.support.idp import ISSUER
from tests.support.operations import ACCEPT
from tests.support.user_admin import BLOCK_USER, INVITE_USER, UNBLOCK_USER
from tests.test_authorization_matrix import MASTER_DATA

MOVE = """mutation ($id: ID!, $sponsorId: ID!) {
  updateInstitution(id: $id, input: {sponsorId: $sponsorId}) { __typename } }"""
DEEP_INVITATIONS = """{ invitations { edges { node { id email
  sponsor { name institutions { edges { node { name masterData { phone } } } } }
  institution { name
    sponsor { name institutions { edges { node { name masterData { phone } } } } } }
} } } }"""
AUDIT = "{ auditLog(first: 100) { edges { node { action subjectId } } } }"
RESEND = "mutation ($id: ID!) { resendInvitation(id: $id) { __typename } }"
REVOKE = "mutation ($id: ID!) { revokeInvitation(id: $id) { __typename } }"
ACCEPT_DEEP = """mutation ($token: String!) { acceptInvitation(token: $token) { __typename
  ... on AcceptInvitationSuccess { user { role }
    institution { name masterData { phone }
      sponsor { name institutions { edges { node { name masterData { phone } } } } } } }
  ... on Error { message } } }"""
ACCEPT_TYPED = """mutation ($token: String!) { acceptInvitation(token: $token) { __typename
  ... on AcceptInvitationSuccess { user { role sponsor { name } } }
  ... on LastActiveAdmin { message }
  ... on Error { message } } }"""
ME = "{ me { user { email role } } }"
PERSON = """query ($id: ID!) {
  user(id: $id) { id email role status firstName lastName }
  node(id: $id) { ... on User { id email role status firstName lastName } }
  users { edges { node { id email role status firstName lastName } } } }"""


@dataclass
class Moved:
    a_admin: User
    b_admin: User
    kita: Institution
    b_kita: Institution
    activate: Invitation


async def active_admin_of(name: str, address: str, api: Api) -> tuple[Sponsor, User]:
    done = await registered_sponsor(name=name, admin_email=address)
    token = api.idp.token(email=address)
    accepted = await api(ACCEPT, {"token": await token_of(done.invitation)}, token=token)
    assert accepted.ok()["acceptInvitation"]["__typename"] == "AcceptInvitationSuccess"
    assert done.sponsor is not None
    return done.sponsor, await User.get(email_key=address)


async def moved_world(api: Api) -> Moved:
    """Kita Wander, registered for sponsor A with A's admin (reused, invited to activate it),
    then moved by the canton to sponsor B, which runs Kita Beta with master data."""
    sponsor_a, a_admin = await active_admin_of("Kitas A", "admin@a.ch", api)
    sponsor_b, b_admin = await active_admin_of("Kitas B", "admin@b.ch", api)
    b_kita = await make_institution(name="Kita Beta", sponsor=sponsor_b)
    await Institution.filter(id=b_kita.id).update(phone="+41311111111")
    done = await registered_institution(
        name="Kita Wander", sponsor_id=sponsor_a.id, admin_email="admin@a.ch"
    )
    assert done.institution is not None
    moving = {
        "id": ids.encode("Institution", done.institution.id),
        "sponsorId": ids.encode("Sponsor", sponsor_b.id),
    }
    canton = await canton_admin()
    assert (await api(MOVE, moving, user=canton)).ok()["updateInstitution"]["__typename"] == (
        "UpdateInstitutionSuccess"
    )
    return Moved(a_admin, b_admin, done.institution, b_kita, done.invitation)


# Hole 1: a moved institution leaks across sponsors.


async def test_after_a_move_the_old_sponsors_admin_sees_nothing_of_the_new_sponsor(
    api: Api,
) -> None:
    world = await moved_world(api)

    answer = (await api(DEEP_INVITATIONS, user=world.a_admin)).ok()

    text = json.dumps(answer)
    assert "Kita Beta" not in text
    assert "+41311111111" not in text
    assert "Kitas B" not in text
    edges = answer["invitations"]["edges"]
    assert [edge["node"]["institution"] for edge in edges if edge["node"]["email"] == "admin@a.ch"]
    assert all(edge["node"]["institution"] is None for edge in edges)  # Kita Wander is B's now


async def test_after_a_move_the_new_sponsors_admin_neither_sees_nor_changes_the_old_invitation(
    api: Api,
) -> None:
    world = await moved_world(api)
    old = {"id": ids.encode("Invitation", world.activate.id)}

    answer = (await api(DEEP_INVITATIONS, user=world.b_admin)).ok()
    resent = await api(RESEND, old, user=world.b_admin)
    revoked = await api(REVOKE, old, user=world.b_admin)

    text = json.dumps(answer)
    assert "admin@a.ch" not in text
    assert "Kitas A" not in text
    assert resent.ok()["resendInvitation"]["__typename"] == "NotFound"
    assert revoked.ok()["revokeInvitation"]["__typename"] == "NotFound"


async def test_after_a_move_the_new_sponsors_audit_log_holds_nothing_from_before_it(
    api: Api,
) -> None:
    world = await moved_world(api)

    b_log = (await api(AUDIT, user=world.b_admin)).ok()["auditLog"]["edges"]
    a_log = (await api(AUDIT, user=world.a_admin)).ok()["auditLog"]["edges"]

    b_actions = {e["node"]["action"] for e in b_log if e["node"]["subjectId"]}
    a_actions = {e["node"]["action"] for e in a_log}
    assert "institution.registered" not in b_actions  # written while Kita Wander was A's
    assert "institution.registered" in a_actions  # and A keeps it
    assert "institution.updated" in b_actions  # the move itself is written in B's scope


async def test_moving_an_institution_revokes_the_old_sponsors_open_invitations_for_it(
    api: Api,
) -> None:
    world = await moved_world(api)

    revoked = await Invitation.get(id=world.activate.id)
    accepted = await api(
        ACCEPT,
        {"token": await token_of(world.activate)},
        token=api.idp.token(email="admin@a.ch"),
    )

    assert revoked.status == InvitationStatus.REVOKED
    assert accepted.ok()["acceptInvitation"]["__typename"] == "InvitationRevoked"
    moved = await AuditEvent.get(action="institution.updated", subject_id=world.kita.id)
    assert moved.details["revokedInvitations"] == 1


# Hole 2: the acceptance answer is computed with the old role.


async def test_the_acceptance_answer_of_an_applicant_shows_only_what_its_new_role_sees(
    api: Api,
) -> None:
    sponsor = await make_sponsor(name="Kitas Schwester")
    kita = await make_institution(name="Kita Eins", sponsor=sponsor)
    sister = await make_institution(name="Kita Zwei", sponsor=sponsor)
    await Institution.filter(id=sister.id).update(phone="+41312222222")
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=kita)
    applicant = await make_user(Role.APPLICANT, email="eltern@heim.ch")
    invited = await api(
        INVITE_USER,
        {"input": {"email": "eltern@heim.ch", "role": "INSTITUTION_CLERK",
                   "institutionId": ids.encode("Institution", kita.id)}},
        user=admin,
    )  # fmt: skip
    sent = await Invitation.get(
        id=ids.decode(invited.ok()["inviteUser"]["invitation"]["id"], "Invitation")
    )

    answer = await api(ACCEPT_DEEP, {"token": await token_of(sent)}, user=applicant)

    success = answer.ok()["acceptInvitation"]
    assert success["user"]["role"] == "INSTITUTION_CLERK"
    listed = success["institution"]["sponsor"]["institutions"]["edges"]
    assert [edge["node"]["name"] for edge in listed] == ["Kita Eins"]
    assert "+41312222222" not in json.dumps(success)


async def test_an_invited_person_reads_the_master_data_of_the_institution_it_just_accepted(
    api: Api,
) -> None:
    done = await registered_institution(name="Kita Neu", admin_email="leitung@neu.ch")
    assert done.institution is not None
    await Institution.filter(id=done.institution.id).update(phone="+41313333333")

    answer = await api(
        ACCEPT_DEEP,
        {"token": await token_of(done.invitation)},
        token=api.idp.token(email="leitung@neu.ch"),
    )

    success = answer.ok()["acceptInvitation"]
    assert success["institution"]["masterData"] == {"phone": "+41313333333"}


# Hole 3: accepting a second invitation silently moves an admin.


async def test_accepting_one_invitation_revokes_the_others_so_a_second_cannot_move_the_admin(
    api: Api,
) -> None:
    person = await make_user(Role.APPLICANT, email="zwei@traeger.ch")
    first = await registered_sponsor(name="Kitas Eins", admin_email="zwei@traeger.ch")
    second = await registered_sponsor(name="Kitas Zwei", admin_email="zwei@traeger.ch")

    took_first = await api(ACCEPT, {"token": await token_of(first.invitation)}, user=person)
    took_second = await api(ACCEPT, {"token": await token_of(second.invitation)}, user=person)

    assert took_first.ok()["acceptInvitation"]["user"]["sponsor"] == {"name": "Kitas Eins"}
    assert took_second.ok()["acceptInvitation"]["__typename"] == "InvitationRevoked"
    account = await User.get(id=person.id)
    assert (account.role, account.sponsor_id) == (Role.SPONSOR_ADMIN, first.sponsor.id)  # type: ignore[union-attr]
    assert (await Invitation.get(id=second.invitation.id)).status == InvitationStatus.REVOKED


async def open_invitation_elsewhere(person: User, sponsor: Sponsor) -> Invitation:
    """The state two acceptances racing each other leave: an active admin with an open
    invitation to another sponsor."""
    return await invitation.issue(
        user=person,
        role=Role.SPONSOR_ADMIN,
        sponsor=sponsor,
        institution=None,
        by=await canton_admin(),
        language=None,
        policy=POLICY,
    )


async def test_an_acceptance_that_would_leave_a_sponsor_without_an_active_admin_is_refused(
    api: Api,
) -> None:
    home, elsewhere = await make_sponsor(name="Kitas Heim"), await make_sponsor(name="Kitas Weg")
    only_admin = await make_user(Role.SPONSOR_ADMIN, sponsor=home)
    sent = await open_invitation_elsewhere(only_admin, elsewhere)

    answer = await api(ACCEPT_TYPED, {"token": await token_of(sent)}, user=only_admin)

    assert answer.ok()["acceptInvitation"]["__typename"] == "LastActiveAdmin"
    account = await User.get(id=only_admin.id)
    assert (account.role, account.sponsor_id, account.signed_out_at) == (
        Role.SPONSOR_ADMIN,
        home.id,
        None,
    )
    assert (await Invitation.get(id=sent.id)).status == InvitationStatus.PENDING


async def test_a_role_change_by_acceptance_ends_the_sign_in_and_a_first_role_keeps_it(
    api: Api,
) -> None:
    home, elsewhere = await make_sponsor(name="Kitas Heim"), await make_sponsor(name="Kitas Weg")
    mover = await make_user(Role.SPONSOR_ADMIN, sponsor=home)
    await make_user(Role.SPONSOR_ADMIN, sponsor=home)  # home keeps an active admin
    sent = await open_invitation_elsewhere(mover, elsewhere)
    mover_token = api.token_for(mover)
    first = await registered_sponsor(name="Kitas Erst", admin_email="erst@traeger.ch")
    newcomer_token = api.idp.token(email="erst@traeger.ch")

    moved = await api(ACCEPT_TYPED, {"token": await token_of(sent)}, token=mover_token)
    taken = await api(
        ACCEPT_TYPED, {"token": await token_of(first.invitation)}, token=newcomer_token
    )

    assert moved.ok()["acceptInvitation"]["user"]["sponsor"] == {"name": "Kitas Weg"}
    assert (await api(ME, token=mover_token)).codes == ["UNAUTHENTICATED"]
    assert taken.ok()["acceptInvitation"]["__typename"] == "AcceptInvitationSuccess"
    assert (await api(ME, token=newcomer_token)).ok()["me"]["user"]["role"] == "SPONSOR_ADMIN"


@pytest.mark.skipif(not database.is_postgres(), reason="row locks live on PostgreSQL")
async def test_two_admins_accepting_elsewhere_at_once_leave_their_sponsor_one_of_them() -> None:
    home, elsewhere = await make_sponsor(name="Kitas Heim"), await make_sponsor(name="Kitas Weg")
    admins = [await make_user(Role.SPONSOR_ADMIN, sponsor=home) for _ in range(2)]
    sent = [await open_invitation_elsewhere(admin, elsewhere) for admin in admins]

    tokens = [await token_of(invited) for invited in sent]

    outcomes = await asyncio.gather(
        *(
            acceptance.accept(
                token=token,
                identity=Identity(issuer=ISSUER, subject=admin.subject or "", email=admin.email),
                caller=admin,
            )
            for admin, token in zip(admins, tokens, strict=True)
        ),
        return_exceptions=True,
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["Accepted", "LastActiveAdmin"]
    stayed = await User.filter(role=Role.SPONSOR_ADMIN, sponsor_id=home.id).count()
    assert stayed == 1


# Hole 4: a canton's block is undone locally.


async def test_a_block_by_the_canton_is_lifted_only_by_canton_staff(api: Api) -> None:
    sponsor = await make_sponsor()
    compromised = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    colleague = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    canton = await canton_admin()
    target = {"id": ids.encode("User", compromised.id)}

    blocked = await api(BLOCK_USER, target, user=canton)
    lifted_locally = await api(UNBLOCK_USER, target, user=colleague)
    still = await User.get(id=compromised.id)
    lifted_by_canton = await api(UNBLOCK_USER, target, user=canton)

    assert blocked.ok()["blockUser"]["__typename"] == "BlockUserSuccess"
    assert lifted_locally.codes == ["FORBIDDEN"]
    assert still.status == UserStatus.BLOCKED
    assert (still.blocked_by_id, still.blocked_by_role) == (canton.id, Role.CANTON_ADMIN)
    assert lifted_by_canton.ok()["unblockUser"]["user"]["status"] == "ACTIVE"


async def test_a_block_by_a_sponsor_admin_is_lifted_by_another_admin_of_the_sponsor(
    api: Api,
) -> None:
    sponsor = await make_sponsor()
    leaving = await make_user(Role.SPONSOR_CLERK, sponsor=sponsor)
    first = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    second = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    target = {"id": ids.encode("User", leaving.id)}

    blocked = await api(BLOCK_USER, target, user=first)
    lifted = await api(UNBLOCK_USER, target, user=second)

    assert blocked.ok()["blockUser"]["user"]["status"] == "BLOCKED"
    assert lifted.ok()["unblockUser"]["user"]["status"] == "ACTIVE"


# Hole 5: inviting reveals who a parent is.


async def test_inviting_an_applicants_address_shows_the_invitation_not_the_parent(
    api: Api,
) -> None:
    kita = await make_institution()
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=kita)
    parent = await make_user(Role.APPLICANT, email="eva.eltern@heim.ch")  # Anna Muster
    described = {
        "id": ids.encode("User", parent.id),
        "email": "Eva.Eltern@Heim.ch",
        "role": "INSTITUTION_CLERK",
        "status": "INVITED",
        "firstName": "",
        "lastName": "",
    }

    invited = await api(
        INVITE_USER,
        {"input": {"email": "Eva.Eltern@Heim.ch", "role": "INSTITUTION_CLERK",
                   "institutionId": ids.encode("Institution", kita.id)}},
        user=admin,
    )  # fmt: skip
    seen = (await api(PERSON, {"id": described["id"]}, user=admin)).ok()

    user = invited.ok()["inviteUser"]["user"]
    assert {key: user[key] for key in described} == described
    assert seen["user"] == described
    assert seen["node"] == described
    assert described in [edge["node"] for edge in seen["users"]["edges"]]
    assert "Muster" not in json.dumps([user, seen["user"], seen["node"]])
    assert (await User.get(id=parent.id)).role == Role.APPLICANT  # the role comes on acceptance


async def test_a_parent_stays_described_to_a_sponsor_whose_id_is_the_parents_too(
    api: Api,
) -> None:
    """The viewer's own account is told apart by the account's id, not by its scope's."""
    sponsor, parent = await make_sponsor(), await make_user(Role.APPLICANT, email="e@heim.ch")
    while sponsor.id != parent.id:  # ids of two tables: bring them level
        if sponsor.id < parent.id:
            sponsor = await make_sponsor()
        else:
            parent = await make_user(Role.APPLICANT, email=f"e{parent.id}@heim.ch")
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    invite = {
        "email": parent.email,
        "role": "SPONSOR_CLERK",
        "sponsorId": ids.encode("Sponsor", sponsor.id),
    }

    await api(INVITE_USER, {"input": invite}, user=admin)
    seen = (await api(PERSON, {"id": ids.encode("User", parent.id)}, user=admin)).ok()

    assert (seen["user"]["role"], seen["user"]["lastName"]) == ("SPONSOR_CLERK", "")


# Hole 6: look-alike addresses are one address.


async def test_a_look_alike_address_does_not_take_an_invitation_for_another_mailbox(
    api: Api,
) -> None:
    done = await registered_sponsor(admin_email="kira@heim.ch")
    kelvin = api.idp.token(email="\u212aira@heim.ch", subject="sub-kelvin")

    taken = await api(ACCEPT, {"token": await token_of(done.invitation)}, token=kelvin)

    assert taken.ok()["acceptInvitation"]["__typename"] == "InvitationEmailMismatch"
    assert (await Invitation.get(id=done.invitation.id)).status == InvitationStatus.PENDING
    assert await User.filter(email_key="kira@heim.ch", status=UserStatus.INVITED).exists()


async def test_the_invitation_mail_goes_to_the_address_as_the_admin_typed_it(api: Api) -> None:
    kita = await make_institution()
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=kita)
    await make_user(Role.APPLICANT, email="eva@heim.ch")

    await api(
        INVITE_USER,
        {"input": {"email": "Eva@Heim.ch", "role": "INSTITUTION_CLERK",
                   "institutionId": ids.encode("Institution", kita.id)}},
        user=admin,
    )  # fmt: skip

    assert await OutboxMessage.filter(recipient="Eva@Heim.ch").count() == 1


# Hole 7: "you may not" comes back as "not found".


async def test_an_admin_of_another_sponsor_is_forbidden_to_change_its_institutions(
    api: Api,
) -> None:
    kita = await make_institution(sponsor=await make_sponsor())
    foreign = await make_user(Role.SPONSOR_ADMIN, sponsor=await make_sponsor())
    target = {"id": ids.encode("Institution", kita.id)}
    rename = """mutation ($id: ID!) { updateInstitution(id: $id, input: {name: "Weg"}) {
      __typename } }"""
    activate = f"""mutation ($id: ID!) {{ activateInstitution(id: $id, input: {MASTER_DATA}) {{
      __typename }} }}"""

    renamed = await api(rename, target, user=foreign)
    activated = await api(activate, target, user=foreign)

    assert renamed.codes == ["FORBIDDEN"]
    assert activated.codes == ["FORBIDDEN"]
    unchanged = await Institution.get(id=kita.id)
    assert (unchanged.name, unchanged.version) == (kita.name, kita.version)
