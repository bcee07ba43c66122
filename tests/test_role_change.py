"""Flow 7: an admin changes a colleague's role; one role at a time, the old sign-in ends."""

from __future__ import annotations

import time

import pytest

from mailer.outbox import OutboxMessage
from models.audit import AuditEvent
from models.invitation import Invitation, InvitationStatus
from models.role import Role
from models.user import User, UserStatus
from tests.support.api import Api
from tests.support.builders import make_institution, make_user
from tests.support.flows import registered_institution, registered_sponsor, token_of
from tests.support.operations import ACCEPT
from tests.support.user_admin import CHANGE_USER_ROLE, MAY_GRANT, World, gid, seed_world

ME = "{ me { user { role } } }"


def change(world: World, person: User, role: Role, **scope: str) -> dict[str, object]:
    return {"id": gid(person), "input": {"role": role.value} | (scope or world.scope_of(role))}


async def test_a_role_change_takes_effect_and_ends_the_persons_sign_in(api: Api) -> None:
    world = await seed_world()
    admin, clerk = world.people[Role.SPONSOR_ADMIN], world.people[Role.SPONSOR_CLERK]
    held = api.token_for(clerk, iat=int(time.time()) - 60)

    result = await api(CHANGE_USER_ROLE, change(world, clerk, Role.SPONSOR_ADMIN), user=admin)

    payload = result.ok()["changeUserRole"]
    assert payload["__typename"] == "ChangeUserRoleSuccess"
    assert payload["user"]["role"] == "SPONSOR_ADMIN"
    assert payload["user"]["sponsor"] == {"name": "Kitas Heim"}
    stored = await User.get(id=clerk.id)
    assert stored.role == Role.SPONSOR_ADMIN
    assert stored.signed_out_at is not None
    refused = await api(ME, token=held)
    assert (refused.status, refused.codes) == (401, ["UNAUTHENTICATED"])
    fresh = api.token_for(clerk, iat=int(time.time()) + 1)  # a sign-in after the change
    assert (await api(ME, token=fresh)).ok()["me"]["user"]["role"] == "SPONSOR_ADMIN"


async def test_the_change_is_recorded_with_where_the_person_came_from_and_went(
    api: Api,
) -> None:
    world = await seed_world()
    admin, clerk = world.people[Role.SPONSOR_ADMIN], world.people[Role.INSTITUTION_CLERK]

    await api(CHANGE_USER_ROLE, change(world, clerk, Role.SPONSOR_CLERK), user=admin)

    event = await AuditEvent.get(action="user.role_changed")
    assert (event.actor_id, event.subject_id) == (admin.id, clerk.id)
    assert (event.sponsor_id, event.institution_id) == (world.sponsor.id, world.institution.id)
    assert event.details == {
        "from": {
            "role": "INSTITUTION_CLERK",
            "sponsorId": world.sponsor.id,
            "institutionId": world.institution.id,
        },
        "to": {"role": "SPONSOR_CLERK", "sponsorId": world.sponsor.id, "institutionId": None},
        "revokedInvitations": 0,
        "reinvited": False,
    }


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(
    "granter", [Role.SUPER_ADMIN, Role.CANTON_ADMIN, Role.SPONSOR_ADMIN, Role.INSTITUTION_ADMIN]
)
async def test_the_new_role_follows_the_contract_table(api: Api, granter: Role, role: Role) -> None:
    world = await seed_world()
    clerk = world.people[Role.INSTITUTION_CLERK]

    result = await api(CHANGE_USER_ROLE, change(world, clerk, role), user=world.people[granter])

    stored = await User.get(id=clerk.id)
    if role in MAY_GRANT[granter]:
        assert result.ok()["changeUserRole"]["__typename"] == "ChangeUserRoleSuccess"
        assert stored.role == role
    else:
        assert result.codes == ["FORBIDDEN"]
        assert (stored.role, stored.signed_out_at) == (Role.INSTITUTION_CLERK, None)
        assert not await AuditEvent.filter(action="user.role_changed").exists()


async def test_a_new_scope_outside_ones_own_is_forbidden(api: Api) -> None:
    world = await seed_world()
    clerk = world.people[Role.INSTITUTION_CLERK]

    result = await api(
        CHANGE_USER_ROLE,
        change(world, clerk, Role.INSTITUTION_CLERK, institutionId=gid(world.other_institution)),
        user=world.people[Role.SPONSOR_ADMIN],
    )

    assert result.codes == ["FORBIDDEN"]
    assert (await User.get(id=clerk.id)).institution_id == world.institution.id


async def test_a_sponsor_admin_moves_people_between_its_institutions(api: Api) -> None:
    world = await seed_world()
    sister = await make_institution(name="Kita Schwester", sponsor=world.sponsor)
    head = world.people[Role.INSTITUTION_ADMIN]

    result = await api(
        CHANGE_USER_ROLE,
        change(world, head, Role.INSTITUTION_ADMIN, institutionId=gid(sister)),
        user=world.people[Role.SPONSOR_ADMIN],
    )

    assert result.ok()["changeUserRole"]["user"]["institution"] == {"name": "Kita Schwester"}


async def test_a_canton_admin_may_not_change_a_super_admin(api: Api) -> None:
    world = await seed_world()
    chief = world.people[Role.SUPER_ADMIN]

    result = await api(
        CHANGE_USER_ROLE,
        change(world, chief, Role.CANTON_CLERK),
        user=world.people[Role.CANTON_ADMIN],
    )

    assert result.codes == ["FORBIDDEN"]
    assert (await User.get(id=chief.id)).role == Role.SUPER_ADMIN


@pytest.mark.parametrize(
    ("actor", "target"),
    [("foreign", Role.SPONSOR_CLERK), (Role.INSTITUTION_ADMIN, Role.SPONSOR_CLERK)],
)
async def test_people_outside_ones_scope_are_not_found(
    api: Api, actor: Role | str, target: Role
) -> None:
    world = await seed_world()
    by = world.foreign if actor == "foreign" else world.people[Role(actor)]

    result = await api(
        CHANGE_USER_ROLE, change(world, world.people[target], Role.INSTITUTION_CLERK), user=by
    )

    assert result.ok()["changeUserRole"]["__typename"] == "NotFound"
    assert (await User.get(id=world.people[target].id)).role == target


async def test_nobody_changes_their_own_role(api: Api) -> None:
    world = await seed_world()
    admin = world.people[Role.SPONSOR_ADMIN]

    result = await api(CHANGE_USER_ROLE, change(world, admin, Role.SPONSOR_CLERK), user=admin)

    assert result.ok()["changeUserRole"]["__typename"] == "CannotChangeYourOwnRole"
    assert (await User.get(id=admin.id)).role == Role.SPONSOR_ADMIN


async def test_the_new_role_must_fit_its_kind_of_scope(api: Api) -> None:
    world = await seed_world()
    clerk = world.people[Role.INSTITUTION_CLERK]

    result = await api(
        CHANGE_USER_ROLE,
        change(world, clerk, Role.INSTITUTION_ADMIN, sponsorId=gid(world.sponsor)),
        user=world.people[Role.SPONSOR_ADMIN],
    )

    payload = result.ok()["changeUserRole"]
    assert payload["__typename"] == "InvalidInput"
    assert {e["field"] for e in payload["fieldErrors"]} == {"sponsorId", "institutionId"}


async def test_giving_the_role_the_person_holds_changes_nothing(api: Api) -> None:
    world = await seed_world()
    clerk = world.people[Role.INSTITUTION_CLERK]

    result = await api(
        CHANGE_USER_ROLE,
        change(world, clerk, Role.INSTITUTION_CLERK),
        user=world.people[Role.INSTITUTION_ADMIN],
    )

    assert result.ok()["changeUserRole"]["__typename"] == "ChangeUserRoleSuccess"
    assert (await User.get(id=clerk.id)).signed_out_at is None
    assert not await AuditEvent.filter(action="user.role_changed").exists()


async def test_open_invitations_for_the_old_role_are_withdrawn(api: Api) -> None:
    first = await registered_sponsor(admin_email="chefin@traeger.ch")
    assert first.sponsor is not None
    await api(
        ACCEPT,
        {"token": await token_of(first.invitation)},
        token=api.idp.token(email="chefin@traeger.ch"),
    )
    chefin = await User.get(email_key="chefin@traeger.ch")
    colleague = await make_user(Role.SPONSOR_ADMIN, sponsor=first.sponsor)
    pending = await registered_institution(
        admin_email="chefin@traeger.ch", sponsor_id=first.sponsor.id
    )

    result = await api(
        CHANGE_USER_ROLE,
        {"id": gid(chefin), "input": {"role": "SPONSOR_CLERK", "sponsorId": gid(first.sponsor)}},
        user=colleague,
    )
    late = await api(
        ACCEPT,
        {"token": await token_of(pending.invitation)},
        token=api.idp.token(email="chefin@traeger.ch", iat=int(time.time()) + 1),  # signed in anew
    )

    assert result.ok()["changeUserRole"]["__typename"] == "ChangeUserRoleSuccess"
    assert (await Invitation.get(id=pending.invitation.id)).status == InvitationStatus.REVOKED
    assert late.ok()["acceptInvitation"]["__typename"] == "InvitationRevoked"
    assert (await User.get(id=chefin.id)).role == Role.SPONSOR_CLERK


async def test_a_person_not_yet_accepted_is_invited_again_for_the_new_role(api: Api) -> None:
    done = await registered_sponsor(admin_email="neu@traeger.ch", name="Kitas Neu")
    assert done.sponsor is not None
    invited = await User.get(email_key="neu@traeger.ch")
    canton = await make_user(Role.CANTON_ADMIN)
    old_token = await token_of(done.invitation)

    result = await api(
        CHANGE_USER_ROLE,
        {"id": gid(invited), "input": {"role": "CANTON_CLERK"}},
        user=canton,
    )

    assert result.ok()["changeUserRole"]["user"]["status"] == "INVITED"
    assert (await Invitation.get(id=done.invitation.id)).status == InvitationStatus.REVOKED
    fresh = await Invitation.get(user_id=invited.id, status=InvitationStatus.PENDING)
    assert (fresh.role, fresh.sponsor_id) == (Role.CANTON_CLERK, None)
    assert await OutboxMessage.filter(recipient="neu@traeger.ch").count() == 2
    signed_in = api.idp.token(email="neu@traeger.ch")
    stale = await api(ACCEPT, {"token": old_token}, token=signed_in)
    accepted = await api(ACCEPT, {"token": await token_of(fresh)}, token=signed_in)
    assert stale.ok()["acceptInvitation"]["__typename"] == "InvitationRevoked"
    assert accepted.ok()["acceptInvitation"]["user"]["role"] == "CANTON_CLERK"
    assert (await User.get(id=invited.id)).status == UserStatus.ACTIVE


async def test_a_token_from_the_very_second_of_the_change_is_refused(api: Api) -> None:
    world = await seed_world()
    admin, clerk = world.people[Role.SPONSOR_ADMIN], world.people[Role.SPONSOR_CLERK]

    await api(CHANGE_USER_ROLE, change(world, clerk, Role.SPONSOR_ADMIN), user=admin)
    stored = await User.get(id=clerk.id)
    assert stored.signed_out_at is not None
    same_second = api.token_for(clerk, iat=int(stored.signed_out_at.timestamp()))

    result = await api(ME, token=same_second)

    assert (result.status, result.codes) == (401, ["UNAUTHENTICATED"])
