"""Sponsors and institutions with nobody to run them: the `withoutAdmin` filter of the staff
lists, and the audit entry the canton reads when a change leaves one without an admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from models import clock, invitation, withdrawal
from models.audit import AuditEvent
from models.institution import Institution, InstitutionStatus
from models.invitation import Invitation
from models.role import Role
from models.sponsor import Sponsor, SponsorStatus
from models.user import User, UserStatus
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.flows import POLICY, registered_institution, registered_sponsor
from tests.support.user_admin import BLOCK_USER, CHANGE_USER_ROLE, gid

SPONSORS = """
query ($without: Boolean) {
  sponsors(first: 100, withoutAdmin: $without) { totalCount edges { node { name } } }
}
"""
INSTITUTIONS = """
query ($without: Boolean) {
  institutions(first: 100, filter: { withoutAdmin: $without }) {
    totalCount edges { node { name } }
  }
}
"""
DELETE_USER = "mutation ($id: ID!) { deleteUser(id: $id) { __typename } }"
RESTORE_INSTITUTION = "mutation ($id: ID!) { restoreInstitution(id: $id) { __typename } }"
REVOKE_INVITATION = "mutation ($id: ID!) { revokeInvitation(id: $id) { __typename } }"
MISSING = ("sponsor.admin_missing", "institution.admin_missing")


async def invite(person: User, *, role: Role, at: Sponsor | Institution) -> Invitation:
    sponsor = at if isinstance(at, Sponsor) else None
    institution = at if isinstance(at, Institution) else None
    return await invitation.issue(
        user=person,
        role=role,
        sponsor=sponsor,
        institution=institution,
        by=None,
        language=None,
        policy=POLICY,
    )


async def invited(role: Role, *, at: Sponsor | Institution, expired: bool = False) -> User:
    """An `INVITED` account with one invitation, open or expired."""
    place = {"sponsor": at} if isinstance(at, Sponsor) else {"institution": at}
    person = await make_user(role, status=UserStatus.INVITED, bound=False, **place)
    sent = await invite(person, role=role, at=at)
    if expired:
        gone = clock.now() - timedelta(seconds=1)
        await Invitation.filter(id=sent.id).update(expires_at=gone)
    return person


@dataclass
class World:
    canton: User
    clerk_of_alone: User


async def build_world() -> World:
    """Sponsors and institutions named for what they have; `no` = no admin at all."""
    active = await make_sponsor(name="yes active admin")
    await make_user(Role.SPONSOR_ADMIN, sponsor=active)
    await invited(Role.SPONSOR_ADMIN, at=await make_sponsor(name="yes invited admin"))
    await invited(
        Role.SPONSOR_ADMIN, at=await make_sponsor(name="no expired invitation"), expired=True
    )
    blocked = await make_sponsor(name="no blocked admin")
    await make_user(Role.SPONSOR_ADMIN, sponsor=blocked, status=UserStatus.BLOCKED)
    alone = await make_sponsor(name="no one")
    clerks = await make_sponsor(name="no only a clerk")
    await make_user(Role.SPONSOR_CLERK, sponsor=clerks)
    applicant = await make_user(Role.APPLICANT)
    await invite(applicant, role=Role.SPONSOR_ADMIN, at=await make_sponsor(name="yes applicant"))
    withdrawn = await make_sponsor(name="withdrawn")
    withdrawn.set_status(SponsorStatus.WITHDRAWN)
    await withdrawn.save()

    own = await make_institution(name="yes own admin")
    await make_user(Role.INSTITUTION_ADMIN, institution=own)
    await make_institution(name="no nobody")
    await make_institution(name="yes by its sponsor", sponsor=active)
    orphan = await make_institution(name="no sponsor without admin", sponsor=alone)
    clerk_of_alone = await make_user(Role.INSTITUTION_CLERK, institution=orphan)
    await invited(
        Role.INSTITUTION_ADMIN, at=await make_institution(name="yes invited own", sponsor=alone)
    )
    await invited(
        Role.INSTITUTION_ADMIN, at=await make_institution(name="no own expired"), expired=True
    )
    blocked_invitee = await invited(
        Role.INSTITUTION_ADMIN, at=await make_institution(name="no invitee blocked")
    )
    blocked_invitee.status_before_block, blocked_invitee.status = (
        UserStatus.INVITED,
        UserStatus.BLOCKED,
    )
    await blocked_invitee.save()
    await make_institution(name="withdrawn", status=InstitutionStatus.WITHDRAWN)
    return World(canton=await make_user(Role.CANTON_CLERK), clerk_of_alone=clerk_of_alone)


async def names(api: Api, query: str, by: User, without: bool | None) -> tuple[list[str], int]:
    answer = (await api(query, {"without": without}, user=by)).ok()
    connection = answer["sponsors" if "sponsors" in answer else "institutions"]
    listed = [edge["node"]["name"] for edge in connection["edges"]]
    assert connection["totalCount"] == len(listed)
    return sorted(listed), connection["totalCount"]


async def test_without_admin_lists_exactly_the_sponsors_with_nobody_to_run_them(
    api: Api,
) -> None:
    world = await build_world()

    without, _ = await names(api, SPONSORS, world.canton, True)
    with_one, _ = await names(api, SPONSORS, world.canton, False)
    every, _ = await names(api, SPONSORS, world.canton, None)

    assert without == ["no blocked admin", "no expired invitation", "no one", "no only a clerk"]
    assert with_one == ["yes active admin", "yes applicant", "yes invited admin"]
    assert sorted([*without, *with_one, "withdrawn"]) == every


async def test_without_admin_lists_exactly_the_institutions_with_nobody_to_run_them(
    api: Api,
) -> None:
    world = await build_world()

    without, counted = await names(api, INSTITUTIONS, world.canton, True)
    with_one, _ = await names(api, INSTITUTIONS, world.canton, False)

    assert without == [
        "no invitee blocked",
        "no nobody",
        "no own expired",
        "no sponsor without admin",
    ]
    assert counted == 4
    assert with_one == ["yes by its sponsor", "yes invited own", "yes own admin"]


async def test_outside_the_canton_the_filter_narrows_only_the_callers_own_scope(
    api: Api,
) -> None:
    world = await build_world()

    institutions, _ = await names(api, INSTITUTIONS, world.clerk_of_alone, True)
    sponsors, _ = await names(api, SPONSORS, world.clerk_of_alone, True)
    none_with, _ = await names(api, INSTITUTIONS, world.clerk_of_alone, False)

    assert institutions == ["no sponsor without admin"]
    assert sponsors == ["no one"]
    assert none_with == []


async def missing_entries() -> list[tuple[str, int | None, int | None, dict[str, Any]]]:
    rows = await AuditEvent.filter(action__in=MISSING).order_by("id")
    return [(row.action, row.subject_id, row.actor_id, row.details) for row in rows]


async def test_deleting_the_only_invited_admin_tells_the_canton_and_a_second_one_does_not(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    done = await registered_sponsor(name="Kitas Ost")
    assert done.sponsor is not None
    second = await invited(Role.SPONSOR_ADMIN, at=done.sponsor)

    await api(DELETE_USER, {"id": gid(second)}, user=canton)
    after_second = await missing_entries()
    await api(DELETE_USER, {"id": gid(await User.get(id=done.invitation.user_id))}, user=canton)

    assert after_second == []
    assert await missing_entries() == [
        (
            "sponsor.admin_missing",
            done.sponsor.id,
            canton.id,
            {"name": "Kitas Ost", "institutions": []},
        )
    ]


async def test_blocking_the_last_admin_of_an_institution_tells_the_canton(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    kita = await make_institution(name="Kita West")
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=kita)

    blocked = await api(BLOCK_USER, {"id": gid(admin)}, user=canton)

    assert blocked.ok()["blockUser"]["__typename"] == "BlockUserSuccess"
    assert await missing_entries() == [
        ("institution.admin_missing", kita.id, canton.id, {"name": "Kita West"})
    ]
    (entry,) = await AuditEvent.filter(action="institution.admin_missing")
    assert entry.institution_id == kita.id


async def test_restoring_an_institution_whose_invited_admin_went_with_it_tells_the_canton(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    done = await registered_institution(name="Kita Zurück")
    assert done.institution is not None
    await withdrawal.withdraw_institution(
        by=canton, institution_id=done.institution.id, reason=None
    )

    restored = await api(RESTORE_INSTITUTION, {"id": gid(done.institution)}, user=canton)
    listed, _ = await names(api, INSTITUTIONS, canton, True)

    assert restored.ok()["restoreInstitution"]["__typename"] == "RestoreInstitutionSuccess"
    assert await missing_entries() == [
        ("institution.admin_missing", done.institution.id, canton.id, {"name": "Kita Zurück"})
    ]
    assert listed == ["Kita Zurück"]


def admin_of(kita: Institution, person: User) -> dict[str, Any]:
    role = {"role": Role.INSTITUTION_ADMIN.value, "institutionId": gid(kita)}
    return {"id": gid(person), "input": role}


async def test_moving_the_last_admin_to_another_role_tells_the_canton_and_with_another_not(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    alone, kept = await make_institution(name="Kita Allein"), await make_institution()
    new = await make_institution()
    last = await make_user(Role.INSTITUTION_ADMIN, institution=alone)
    one = await make_user(Role.INSTITUTION_ADMIN, institution=kept)
    await make_user(Role.INSTITUTION_ADMIN, institution=kept)

    moved = await api(CHANGE_USER_ROLE, admin_of(new, last), user=canton)
    await api(CHANGE_USER_ROLE, admin_of(new, one), user=canton)

    assert moved.ok()["changeUserRole"]["__typename"] == "ChangeUserRoleSuccess"
    assert await missing_entries() == [
        ("institution.admin_missing", alone.id, canton.id, {"name": "Kita Allein"})
    ]
    entries = await AuditEvent.filter(actor_id=canton.id).order_by("id")
    first_move = [entry.action for entry in entries][:2]
    assert first_move == ["user.role_changed", "institution.admin_missing"]


async def test_moving_an_admin_whose_place_had_none_already_writes_nothing(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    kita, new = await make_institution(), await make_institution()
    expired = await invited(Role.INSTITUTION_ADMIN, at=kita, expired=True)

    moved = await api(CHANGE_USER_ROLE, admin_of(new, expired), user=canton)

    assert moved.ok()["changeUserRole"]["__typename"] == "ChangeUserRoleSuccess"
    assert await missing_entries() == []


async def test_revoking_the_invitation_of_the_only_coming_admin_tells_the_canton(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    done = await registered_sponsor(name="Kitas Widerruf")
    other = await registered_sponsor()
    assert done.sponsor is not None
    assert other.sponsor is not None
    await invited(Role.SPONSOR_ADMIN, at=other.sponsor)  # a second one coming

    revoked = await api(REVOKE_INVITATION, {"id": gid(done.invitation)}, user=canton)
    await api(REVOKE_INVITATION, {"id": gid(other.invitation)}, user=canton)

    assert revoked.ok()["revokeInvitation"]["__typename"] == "RevokeInvitationSuccess"
    assert await missing_entries() == [
        (
            "sponsor.admin_missing",
            done.sponsor.id,
            canton.id,
            {"name": "Kitas Widerruf", "institutions": []},
        )
    ]


async def test_revoking_an_expired_or_a_clerks_invitation_writes_nothing(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    kita = await make_institution()
    await invited(Role.INSTITUTION_ADMIN, at=kita, expired=True)
    await invited(Role.INSTITUTION_CLERK, at=kita)

    for sent in await Invitation.filter(institution_id=kita.id):
        revoked = await api(REVOKE_INVITATION, {"id": gid(sent)}, user=canton)
        assert revoked.ok()["revokeInvitation"]["__typename"] == "RevokeInvitationSuccess"

    assert await Invitation.filter(institution_id=kita.id, status="REVOKED").count() == 2
    assert await missing_entries() == []
