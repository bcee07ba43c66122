"""A mistyped address: the account that never accepted is deleted, or invited again after its
invitation was revoked, reusing the account."""

from __future__ import annotations

from typing import Any

from mailer.outbox import OutboxMessage
from models.audit import AuditEvent
from models.invitation import Invitation
from models.role import Role
from models.user import User, UserStatus
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.flows import registered_institution
from tests.support.user_admin import INVITE_USER, gid

DELETE = """
mutation ($id: ID!) {
  deleteUser(id: $id) { __typename ... on DeleteUserSuccess { id } ... on Error { message } }
}
"""
REVOKE = "mutation ($id: ID!) { revokeInvitation(id: $id) { __typename } }"


async def delete(api: Api, user: User, by: User) -> dict[str, Any]:
    result = await api(DELETE, {"id": gid(user)}, user=by)
    return {"codes": result.codes} if result.errors else result.ok()["deleteUser"]


async def test_a_clerk_deletes_the_mistyped_admin_of_its_registration_and_invites_the_right_one(
    api: Api,
) -> None:
    clerk = await make_user(Role.CANTON_CLERK)
    done = await registered_institution(admin_email="jana.meir@kita-sonne.ch", by=clerk)
    mistyped = done.invitation.user_id

    deleted = await delete(api, await User.get(id=mistyped), clerk)
    again = await registered_institution(admin_email="jana.meir@kita-sonne.ch", by=clerk)

    assert deleted["__typename"] == "DeleteUserSuccess"
    assert not await User.exists(id=mistyped)
    assert not await Invitation.exists(id=done.invitation.id)
    assert again.invitation.status.value == "PENDING"
    (entry,) = await AuditEvent.filter(action="user.deleted")
    assert entry.details == {"email": "j***@kita-sonne.ch", "role": "INSTITUTION_ADMIN"}


async def test_the_unsent_invitation_mail_of_a_deleted_account_is_dropped(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    done = await registered_institution(admin_email="tippfehler@kita.ch", by=canton)
    message_id = (await Invitation.get(id=done.invitation.id)).message_id

    await delete(api, await User.get(id=done.invitation.user_id), canton)

    assert message_id is not None
    assert not await OutboxMessage.exists(id=message_id)


async def test_an_account_that_accepted_or_signed_in_has_history_and_stays(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    kita = await make_institution()
    active = await make_user(Role.INSTITUTION_CLERK, institution=kita)
    signed_in_never_accepted = await make_user(
        Role.INSTITUTION_CLERK, institution=kita, status=UserStatus.INVITED
    )

    refused = await delete(api, active, canton)
    also_refused = await delete(api, signed_in_never_accepted, canton)

    assert refused["__typename"] == also_refused["__typename"] == "UserHasHistory"
    assert await User.filter(id__in=[active.id, signed_in_never_accepted.id]).count() == 2


async def test_an_admin_deletes_in_its_scope_and_finds_nobody_outside_it(api: Api) -> None:
    sponsor = await make_sponsor()
    kita = await make_institution(sponsor=sponsor)
    elsewhere = await make_institution()
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    mine = await make_user(
        Role.INSTITUTION_CLERK, institution=kita, status=UserStatus.INVITED, bound=False
    )
    theirs = await make_user(
        Role.INSTITUTION_CLERK, institution=elsewhere, status=UserStatus.INVITED, bound=False
    )

    deleted = await delete(api, mine, admin)
    hidden = await delete(api, theirs, admin)

    assert deleted["__typename"] == "DeleteUserSuccess"
    assert hidden["__typename"] == "NotFound"
    assert await User.exists(id=theirs.id)


async def test_a_clerk_may_not_delete_an_account_someone_else_invited(api: Api) -> None:
    clerk = await make_user(Role.CANTON_CLERK)
    done = await registered_institution(admin_email="fremd@kita.ch")  # by a canton admin

    refused = await delete(api, await User.get(id=done.invitation.user_id), clerk)

    assert refused == {"codes": ["FORBIDDEN"]}
    assert await User.exists(id=done.invitation.user_id)


async def test_after_a_revoke_the_address_is_invited_again_reusing_the_account(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    first = await make_institution(name="Kita Alt")
    second = await make_institution(name="Kita Neu")
    invite = {"email": "kollegin@kita.ch", "role": "INSTITUTION_ADMIN"}
    sent = await api(INVITE_USER, {"input": invite | {"institutionId": gid(first)}}, user=canton)
    invitation_id = sent.ok()["inviteUser"]["invitation"]["id"]
    while_open = await api(
        INVITE_USER, {"input": invite | {"institutionId": gid(second)}}, user=canton
    )

    await api(REVOKE, {"id": invitation_id}, user=canton)
    again = await api(INVITE_USER, {"input": invite | {"institutionId": gid(second)}}, user=canton)

    assert while_open.ok()["inviteUser"]["__typename"] == "EmailAlreadyInUse"
    answer = again.ok()["inviteUser"]
    assert answer["__typename"] == "InviteUserSuccess"
    assert answer["user"]["id"] == sent.ok()["inviteUser"]["user"]["id"]
    assert answer["user"]["institution"] == {"name": "Kita Neu"}
    assert await User.filter(email_key="kollegin@kita.ch").count() == 1
