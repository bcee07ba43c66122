"""Invitations as the API shows them to those who manage them."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

import strawberry

from engine.batch import batched, one
from engine.context import Context, Info
from engine.loaders import at_once
from models import invitation, user
from schema.types import ids
from schema.types.enums import DeliveryStatus, InvitationStatus, Role
from schema.types.institution import INSTITUTION_OF, SPONSOR_OF, Institution, Sponsor
from schema.types.nodes import Node, Related, visible_nodes
from schema.types.user import User


def _delivery_status(delivery: invitation.Delivery) -> DeliveryStatus:
    return delivery.status


# Whether its mail was delivered (null for an invitation whose mail is gone).
_DELIVERY_STATUS_OF = Related(
    "message_id", lambda context: context.loaders.delivery, _delivery_status
)


# Who sent an invitation, if the caller's scope shows that person.
_INVITED_BY = Related("invited_by_id", lambda context: context.loaders.user, User.from_model)


@strawberry.type(
    description="What the caller may do with an invitation now, decided by the same rule the "
    "mutations apply: a portal hides or disables what would be refused. Canton staff, clerks "
    "included, and the admins who may give the invited role where it sits."
)
class InvitationViewerCan:
    resend: bool = strawberry.field(
        description="`resendInvitation` would send it again with a new link: it is `PENDING` "
        "or `EXPIRED`. The hourly mail budget of a sponsor or institution (`TooManyAttempts`) "
        "is known only when sending."
    )
    revoke: bool = strawberry.field(
        description="`revokeInvitation` would revoke it: it is `PENDING` or `EXPIRED`."
    )

    @classmethod
    def of(
        cls, viewer: user.User | None, row: invitation.Invitation, sponsor_id: int | None
    ) -> InvitationViewerCan:
        """`sponsor_id`: of the institution it names, whatever that institution's status."""
        if viewer is None:
            return cls(resend=False, revoke=False)
        return cls(
            resend=invitation.resend_verdict(viewer, row, sponsor_id).allowed,
            revoke=invitation.revoke_verdict(viewer, row, sponsor_id).allowed,
        )


async def _viewer_can_of(
    context: Context, invitations: Sequence[Invitation], _: Mapping[str, Any]
) -> list[InvitationViewerCan]:
    """The places of a whole level's institutions in one statement."""
    wanted = list({i.institution_id for i in invitations if i.institution_id is not None})
    places = await at_once(context.loaders.placement, wanted)
    sponsor_of = {p.id: p.sponsor_id for p in places if p is not None}
    return [
        InvitationViewerCan.of(context.user, i.row, sponsor_of.get(i.institution_id or 0))
        for i in invitations
    ]


@strawberry.type(description="An invitation to take a role; its link is single-use.")
class Invitation(Node):
    pk: strawberry.Private[int]
    email: str = strawberry.field(description="The invited address, as it was typed.")
    role: Role = strawberry.field(description="The role accepting it gives.")
    status: InvitationStatus = strawberry.field(description="Where it stands now.")
    expires_at: datetime.datetime = strawberry.field(
        description="Its link works until then (UTC); a resend sets a new one."
    )
    created_at: datetime.datetime = strawberry.field(description="When it was first sent (UTC).")
    sent_count: int = strawberry.field(description="How often its mail went out: 1, plus resends.")
    last_sent_at: datetime.datetime | None = strawberry.field(
        description="When its mail last went out (UTC): the first time, or the last resend."
    )
    accepted_at: datetime.datetime | None = strawberry.field(
        description="When it was accepted (UTC); null until then."
    )
    revoked_at: datetime.datetime | None = strawberry.field(
        description="When it was revoked (UTC), by a person, a role change or a withdrawal."
    )
    invited_by_id: strawberry.Private[int | None]
    sponsor_id: strawberry.Private[int | None]
    institution_id: strawberry.Private[int | None]
    message_id: strawberry.Private[int | None]
    row: strawberry.Private[invitation.Invitation]

    @classmethod
    def from_model(cls, row: invitation.Invitation) -> Invitation:
        return cls(
            id=ids.encode("Invitation", row.id),
            pk=row.id,
            email=row.email,
            role=row.role,
            status=row.current_status,
            expires_at=row.expires_at,
            created_at=row.created_at,
            sent_count=row.sent_count,
            last_sent_at=row.last_sent_at,
            accepted_at=row.accepted_at,
            revoked_at=row.revoked_at,
            invited_by_id=row.invited_by_id,
            sponsor_id=row.sponsor_id,
            institution_id=row.institution_id,
            message_id=row.message_id,
            row=row,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: list[str]) -> list[Invitation | None]:
        visible = invitation.visible_to(info.context.scope)
        return await visible_nodes(visible, node_ids, cls.from_model)

    @strawberry.field(
        description="Whether the invitation mail has been delivered.",
        metadata=batched(_DELIVERY_STATUS_OF),
    )
    async def delivery_status(self, info: Info) -> DeliveryStatus | None:
        found: DeliveryStatus | None = await one(info, _DELIVERY_STATUS_OF, self)
        return found

    @strawberry.field(
        description="Who sent it last (a resend names the resender); null when the caller may "
        "not see that person, or for the canton's commands.",
        metadata=batched(_INVITED_BY),
    )
    async def invited_by(self, info: Info) -> User | None:
        found: User | None = await one(info, _INVITED_BY, self)
        return found

    @strawberry.field(
        description="The sponsor of the role, for sponsor roles.", metadata=batched(SPONSOR_OF)
    )
    async def sponsor(self, info: Info) -> Sponsor | None:
        found: Sponsor | None = await one(info, SPONSOR_OF, self)
        return found

    @strawberry.field(
        description="The institution of the role, or the one a sponsor admin is invited to "
        "activate.",
        metadata=batched(INSTITUTION_OF),
    )
    async def institution(self, info: Info) -> Institution | None:
        found: Institution | None = await one(info, INSTITUTION_OF, self)
        return found

    @strawberry.field(
        description="What the caller may do with this invitation: hide or disable what would "
        "be refused.",
        metadata=batched(_viewer_can_of),
    )
    async def viewer_can(self, info: Info) -> InvitationViewerCan:
        found: InvitationViewerCan = await one(info, _viewer_can_of, self)
        return found


@strawberry.input(description="Narrows the list; every condition given must hold.")
class InvitationFilter:
    status: InvitationStatus | None = strawberry.field(
        default=None, description="Only invitations in this status."
    )
    sponsor_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only invitations to a role of this sponsor."
    )
    institution_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only invitations naming this institution."
    )
    search: str | None = strawberry.field(
        default=None, description="Part of the e-mail address, at most 100 characters."
    )
