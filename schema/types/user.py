"""People: accounts, and what the signed-in caller sees of itself."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

import strawberry

from engine.batch import batched, one
from engine.context import Context, Info
from engine.loaders import at_once
from models import blocking, deletion, invitation, user, user_admin
from schema.types import ids
from schema.types.enums import InvitationStatus, Role, UserStatus
from schema.types.institution import INSTITUTION_OF, SPONSOR_OF, Institution, Sponsor
from schema.types.nodes import Node, visible_nodes


@strawberry.type(
    description="What the caller may do with an account now, decided by the same rule the "
    'mutations apply: a portal hides or disables what would be refused. "May manage": the '
    "caller could give the account's role where it holds it (the role table); canton admins "
    "manage every account but a super admin's. None of them foresees `LastActiveAdmin`, which "
    "depends on the other admins at the moment of the change."
)
class UserViewerCan:
    block: bool = strawberry.field(
        description="`blockUser` would block it: the caller may manage the account, it is not "
        "the caller's own, and it is not `BLOCKED` already."
    )
    unblock: bool = strawberry.field(
        description="`unblockUser` would lift its block: it is `BLOCKED`, the caller may "
        "manage it, the block did not come with a withdrawal (only restoring the institution "
        "or sponsor lifts that), and a block by canton staff is lifted only by canton staff."
    )
    change_role: bool = strawberry.field(
        description="`changeUserRole` would be accepted for some new role: the caller may "
        "manage the account and it is not the caller's own. Which roles, and where, the role "
        "table says."
    )
    delete: bool = strawberry.field(
        description="`deleteUser` would delete it: an account that never accepted an "
        "invitation and never signed in, by whoever may manage it, or by the canton clerk who "
        "sent its invitation. Any other account can only be blocked."
    )

    @classmethod
    async def of(
        cls, viewer: user.User | None, target: user.User, place: user.Place | None
    ) -> UserViewerCan:
        if viewer is None:
            return cls(block=False, unblock=False, change_role=False, delete=False)
        institution = place.institution if place else None

        async def sent_by_viewer() -> bool:
            return place is not None and place.invited_by_actor

        removal = await deletion.deletion_verdict(
            viewer, target, institution, sent_by_actor=sent_by_viewer
        )
        return cls(
            block=blocking.block_verdict(viewer, target, institution).allowed,
            unblock=blocking.unblock_verdict(viewer, target, institution).allowed,
            change_role=user_admin.role_change_verdict(viewer, target, institution).allowed,
            delete=removal.allowed,
        )


async def _viewer_can_of(
    context: Context, people: Sequence[User], _: Mapping[str, Any]
) -> list[UserViewerCan]:
    """The places of a whole level's accounts in one statement. A stand-in for an invited
    applicant is judged by the account it shows (`itself`), which the mutations act on."""
    targets = [shown.row.itself for shown in people]
    wanted = list({target.id for target in targets})
    places = dict(zip(wanted, await at_once(context.loaders.place, wanted), strict=True))
    return [
        await UserViewerCan.of(context.user, target, places.get(target.id)) for target in targets
    ]


@strawberry.type(description="A person's account: one e-mail, one role at a time.")
class User(Node):
    pk: strawberry.Private[int]
    email: str = strawberry.field(description="The address it signs in with, as it was typed.")
    first_name: str = strawberry.field(
        description="From the identity provider at sign-in; empty until then."
    )
    last_name: str = strawberry.field(
        description="From the identity provider at sign-in; empty until then."
    )
    role: Role = strawberry.field(description="What the person may do, and where.")
    status: UserStatus = strawberry.field(description="Invited, active or blocked.")
    sponsor_id: strawberry.Private[int | None]
    institution_id: strawberry.Private[int | None]
    row: strawberry.Private[user.User]

    @classmethod
    def from_model(cls, row: user.User) -> User:
        return cls(
            id=ids.encode("User", row.id),
            pk=row.id,
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            role=row.role,
            status=row.status,
            sponsor_id=row.sponsor_id,
            institution_id=row.institution_id,
            row=row,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: list[str]) -> list[User | None]:
        scope = info.context.scope
        found = await visible_nodes(user.seen_by(scope), node_ids, lambda row: row)
        seen = iter(await invitation.as_seen([row for row in found if row], by=scope))
        return [cls.from_model(next(seen)) if row else None for row in found]

    @strawberry.field(
        description="The sponsor a sponsor role is tied to.", metadata=batched(SPONSOR_OF)
    )
    async def sponsor(self, info: Info) -> Sponsor | None:
        found: Sponsor | None = await one(info, SPONSOR_OF, self)
        return found

    @strawberry.field(
        description="The institution an institution role is tied to.",
        metadata=batched(INSTITUTION_OF),
    )
    async def institution(self, info: Info) -> Institution | None:
        found: Institution | None = await one(info, INSTITUTION_OF, self)
        return found

    @strawberry.field(
        description="What the caller may do with this account: hide or disable what would be "
        "refused.",
        metadata=batched(_viewer_can_of),
    )
    async def viewer_can(self, info: Info) -> UserViewerCan:
        found: UserViewerCan = await one(info, _viewer_can_of, self)
        return found


@strawberry.type(
    description="The invitation for the signed-in person's e-mail address: an open one, or for "
    "an account that never accepted its newest, whatever became of it."
)
class PendingInvitation:
    role: Role = strawberry.field(description="The role accepting it gives.")
    status: InvitationStatus = strawberry.field(
        description="`PENDING`: accept it through the link in its mail; `EXPIRED` or "
        "`REVOKED`: ask `invitedByName` for a new one."
    )
    invited_by_name: str | None = strawberry.field(
        description="Whom to ask: the inviter's name, else their organisation or the canton."
    )
    sponsor_name: str | None = strawberry.field(description="The sponsor it is about, if any.")
    institution_name: str | None = strawberry.field(
        description="The institution it is about, if any."
    )
    expires_at: datetime.datetime = strawberry.field(description="Its link works until then.")

    @classmethod
    def from_model(cls, row: invitation.Invitation, *, invited_by: str | None) -> PendingInvitation:
        return cls(
            role=row.role,
            status=row.current_status,
            invited_by_name=invited_by,
            sponsor_name=row.sponsor.name if row.sponsor else None,
            institution_name=row.institution.name if row.institution else None,
            expires_at=row.expires_at,
        )


@strawberry.type(description="The caller: its account (null when anonymous) and open invitation.")
class Viewer:
    user: User | None = strawberry.field(
        description="The caller's account; null without a token or before an invitation is "
        "accepted."
    )
    pending_invitation: PendingInvitation | None = strawberry.field(
        description="The invitation waiting for the caller's verified address, if any: accept "
        "it through the link in its mail."
    )


@strawberry.input(description="Narrows the list; every condition given must hold.")
class UserFilter:
    role: Role | None = strawberry.field(default=None, description="Only people with this role.")
    status: UserStatus | None = strawberry.field(
        default=None, description="Only people in this status."
    )
    sponsor_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only people of this sponsor."
    )
    institution_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only people of this institution."
    )
    search: str | None = strawberry.field(
        default=None, description="Part of the e-mail address or the name, at most 100 characters."
    )
