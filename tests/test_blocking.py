"""Flow 7: admins block people who leave (refused at their very next request) and unblock them."""

from __future__ import annotations

import asyncio
import time

import pytest

from models import blocking
from models.audit import AuditEvent
from models.errors import LastActiveAdmin
from models.invitation import Invitation, InvitationStatus
from models.role import Role
from models.user import User, UserStatus
from tests.support import database
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.flows import registered_institution, token_of
from tests.support.operations import ACCEPT
from tests.support.user_admin import BLOCK_USER, UNBLOCK_USER, gid, seed_world

ME = "{ me { user { email } } }"


def earlier_token(api: Api, user: User) -> str:
    """A token signed in before now, as a browser tab would still hold it."""
    return api.token_for(user, iat=int(time.time()) - 60)


async def test_an_admin_blocks_a_colleague_and_it_is_recorded(api: Api) -> None:
    world = await seed_world()
    admin, clerk = world.people[Role.INSTITUTION_ADMIN], world.people[Role.INSTITUTION_CLERK]

    result = await api(BLOCK_USER, {"id": gid(clerk)}, user=admin)

    payload = result.ok()["blockUser"]
    assert payload == {
        "__typename": "BlockUserSuccess",
        "user": {"id": gid(clerk), "status": "BLOCKED"},
    }
    stored = await User.get(id=clerk.id)
    assert (stored.status, stored.status_before_block) == (UserStatus.BLOCKED, UserStatus.ACTIVE)
    event = await AuditEvent.get(action="user.blocked")
    assert (event.actor_id, event.subject_id) == (admin.id, clerk.id)
    assert (event.institution_id, event.sponsor_id) == (world.institution.id, world.sponsor.id)
    assert event.details == {"role": "INSTITUTION_CLERK", "status": "BLOCKED"}


async def test_the_blocked_person_is_refused_at_the_very_next_request_whatever_the_token(
    api: Api,
) -> None:
    world = await seed_world()
    clerk = world.people[Role.SPONSOR_CLERK]
    held = earlier_token(api, clerk)
    assert (await api(ME, token=held)).ok()["me"]["user"]["email"] == clerk.email

    await api(BLOCK_USER, {"id": gid(clerk)}, user=world.people[Role.SPONSOR_ADMIN])

    for token in (held, api.token_for(clerk), api.token_for(clerk, key=api.idp.ec)):
        refused = await api(ME, token=token)
        assert (refused.status, refused.codes) == (401, ["UNAUTHENTICATED"])


async def test_unblocking_restores_active_and_the_person_signs_in_afresh(api: Api) -> None:
    world = await seed_world()
    admin, clerk = world.people[Role.SPONSOR_ADMIN], world.people[Role.SPONSOR_CLERK]
    held = earlier_token(api, clerk)
    await api(BLOCK_USER, {"id": gid(clerk)}, user=admin)

    result = await api(UNBLOCK_USER, {"id": gid(clerk)}, user=admin)

    assert result.ok()["unblockUser"]["user"]["status"] == "ACTIVE"
    stored = await User.get(id=clerk.id)
    assert stored.status == UserStatus.ACTIVE
    assert stored.status_before_block is None
    assert (await api(ME, token=held)).status == 401  # the sign-in from before the block ended
    fresh = api.token_for(clerk, iat=int(time.time()) + 1)  # a sign-in after the unblock
    assert (await api(ME, token=fresh)).ok()["me"]["user"]["email"] == clerk.email
    assert await AuditEvent.filter(action="user.unblocked", subject_id=clerk.id).count() == 1


async def test_an_invited_person_unblocked_is_invited_again_and_may_still_accept(
    api: Api,
) -> None:
    done = await registered_institution(admin_email="leitung@kita.ch")
    invited = await User.get(email_key="leitung@kita.ch")
    canton = await make_user(Role.CANTON_ADMIN)
    await api(BLOCK_USER, {"id": gid(invited)}, user=canton)
    while_blocked = await api(
        ACCEPT, {"token": await token_of(done.invitation)}, token=api.idp.token(email=invited.email)
    )

    result = await api(UNBLOCK_USER, {"id": gid(invited)}, user=canton)
    accepted = await api(
        ACCEPT, {"token": await token_of(done.invitation)}, token=api.idp.token(email=invited.email)
    )

    assert while_blocked.status == 401
    assert result.ok()["unblockUser"]["user"]["status"] == "INVITED"
    assert accepted.ok()["acceptInvitation"]["__typename"] == "AcceptInvitationSuccess"
    assert (await Invitation.get(id=done.invitation.id)).status == InvitationStatus.ACCEPTED


@pytest.mark.parametrize("role", [Role.SUPER_ADMIN, Role.CANTON_ADMIN, Role.SPONSOR_ADMIN])
async def test_nobody_blocks_themselves(api: Api, role: Role) -> None:
    world = await seed_world()
    me = world.people[role]

    result = await api(BLOCK_USER, {"id": gid(me)}, user=me)

    assert result.ok()["blockUser"]["__typename"] == "CannotBlockYourself"
    assert (await User.get(id=me.id)).status == UserStatus.ACTIVE


async def test_blocking_twice_keeps_the_status_from_before_the_first_block(api: Api) -> None:
    world = await seed_world()
    canton = world.people[Role.CANTON_ADMIN]
    invited = await make_user(Role.SPONSOR_ADMIN, sponsor=world.sponsor, status=UserStatus.INVITED)
    await api(BLOCK_USER, {"id": gid(invited)}, user=canton)

    again = await api(BLOCK_USER, {"id": gid(invited)}, user=canton)
    unblocked = await api(UNBLOCK_USER, {"id": gid(invited)}, user=canton)

    assert again.ok()["blockUser"]["__typename"] == "BlockUserSuccess"
    assert unblocked.ok()["unblockUser"]["user"]["status"] == "INVITED"
    assert await AuditEvent.filter(action="user.blocked").count() == 1


async def test_unblocking_someone_not_blocked_changes_nothing(api: Api) -> None:
    world = await seed_world()
    clerk = world.people[Role.INSTITUTION_CLERK]

    result = await api(UNBLOCK_USER, {"id": gid(clerk)}, user=world.people[Role.SPONSOR_ADMIN])

    assert result.ok()["unblockUser"]["user"]["status"] == "ACTIVE"
    assert not await AuditEvent.filter(action="user.unblocked").exists()


@pytest.mark.parametrize(
    ("actor", "target"),
    [
        ("foreign", Role.INSTITUTION_CLERK),
        (Role.INSTITUTION_ADMIN, Role.SPONSOR_CLERK),
        (Role.INSTITUTION_ADMIN, Role.SPONSOR_ADMIN),
        (Role.SPONSOR_ADMIN, Role.CANTON_CLERK),
        (Role.SPONSOR_ADMIN, Role.APPLICANT),
    ],
)
async def test_people_outside_ones_scope_are_not_found(
    api: Api, actor: Role | str, target: Role
) -> None:
    world = await seed_world()
    by = world.foreign if actor == "foreign" else world.people[Role(actor)]
    person = world.people[target]

    result = await api(BLOCK_USER, {"id": gid(person)}, user=by)

    assert result.ok()["blockUser"]["__typename"] == "NotFound"
    assert (await User.get(id=person.id)).status == UserStatus.ACTIVE


async def test_a_canton_admin_may_not_block_a_super_admin(api: Api) -> None:
    world = await seed_world()
    chief = world.people[Role.SUPER_ADMIN]

    result = await api(BLOCK_USER, {"id": gid(chief)}, user=world.people[Role.CANTON_ADMIN])

    assert result.codes == ["FORBIDDEN"]
    assert (await User.get(id=chief.id)).status == UserStatus.ACTIVE


async def test_a_canton_admin_may_block_any_clerk_and_the_last_admin(api: Api) -> None:
    world = await seed_world()
    canton = world.people[Role.CANTON_ADMIN]

    clerk = await api(BLOCK_USER, {"id": gid(world.people[Role.SPONSOR_CLERK])}, user=canton)
    admin = await api(BLOCK_USER, {"id": gid(world.people[Role.SPONSOR_ADMIN])}, user=canton)

    assert clerk.ok()["blockUser"]["__typename"] == "BlockUserSuccess"
    assert admin.ok()["blockUser"]["__typename"] == "BlockUserSuccess"


async def test_a_sponsor_admin_may_block_the_last_admin_of_one_of_its_institutions(
    api: Api,
) -> None:
    world = await seed_world()
    head = world.people[Role.INSTITUTION_ADMIN]

    result = await api(BLOCK_USER, {"id": gid(head)}, user=world.people[Role.SPONSOR_ADMIN])

    assert result.ok()["blockUser"]["__typename"] == "BlockUserSuccess"  # the sponsor runs it


async def test_an_admin_blocked_in_the_meantime_cannot_block_the_last_admin_left() -> None:
    sponsor = await make_sponsor()
    first = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    second = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    await blocking.block(by=first, user_id=second.id)

    with pytest.raises(LastActiveAdmin):
        await blocking.block(by=second, user_id=first.id)  # `second` signed in before its block

    assert (await User.get(id=first.id)).status == UserStatus.ACTIVE


postgres_only = pytest.mark.skipif(
    not database.is_postgres(), reason="row locks live on PostgreSQL"
)


async def two_admins(scope: str) -> tuple[User, User]:
    if scope == "sponsor":
        sponsor = await make_sponsor()
        first = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
        return first, await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    institution = await make_institution()  # without a sponsor whose admins would run it
    first = await make_user(Role.INSTITUTION_ADMIN, institution=institution)
    return first, await make_user(Role.INSTITUTION_ADMIN, institution=institution)


@postgres_only
@pytest.mark.parametrize("scope", ["sponsor", "institution"])
async def test_two_admins_blocking_each_other_at_once_cannot_both_succeed(scope: str) -> None:
    for _ in range(5):
        first, second = await two_admins(scope)

        outcomes = await asyncio.gather(
            blocking.block(by=first, user_id=second.id),
            blocking.block(by=second, user_id=first.id),
            return_exceptions=True,
        )

        assert sorted(type(o).__name__ for o in outcomes) == ["LastActiveAdmin", "User"]
        statuses = {u.status for u in await User.filter(id__in=[first.id, second.id])}
        assert statuses == {UserStatus.ACTIVE, UserStatus.BLOCKED}
