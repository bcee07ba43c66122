"""Accepting, resending and revoking invitations."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from models import errors
from schema.types.errors import Error, NotFound, TooManyAttempts
from schema.types.institution import Institution
from schema.types.invitation import Invitation
from schema.types.user import User
from schema.types.user_admin import LastActiveAdmin


@strawberry.enum(description="Where the portal takes the person after accepting.")
class NextStep(Enum):
    HOME = strawberry.enum_value("HOME", description="The portal's start page.")
    INSTITUTION_MASTER_DATA = strawberry.enum_value(
        "INSTITUTION_MASTER_DATA",
        description="The master data form of `institution`, which is still to be activated.",
    )


@strawberry.type(description="The invitation is accepted: the account has its role.")
class AcceptInvitationSuccess:
    user: User = strawberry.field(description="The account as it is now, with its new role.")
    next: NextStep = strawberry.field(description="Where the portal should take the person.")
    institution: Institution | None = strawberry.field(
        description="The institution to activate when `next` is INSTITUTION_MASTER_DATA."
    )


@strawberry.type(
    description="Signed in with another address than the invited one; the invitation stays open."
)
class InvitationEmailMismatch(Error):
    invited_email_hint: str = strawberry.field(description="e.g. `j***@kita-sonne.ch`")

    @classmethod
    def from_error(cls, error: errors.InvitationEmailMismatch) -> InvitationEmailMismatch:
        return cls(text=error.text, invited_email_hint=error.invited_email_hint)


@strawberry.type(
    description="The invitation was not accepted in time; an admin can resend it (a new link)."
)
class InvitationExpired(Error):
    pass


@strawberry.type(
    description="No invitation has this link's token (mistyped or replaced by a resend)."
)
class InvitationNotFound(Error):
    pass


@strawberry.type(description="The invitation has been accepted already; its link works once.")
class InvitationAlreadyUsed(Error):
    pass


@strawberry.type(description="The invitation was withdrawn; ask for a new one.")
class InvitationRevoked(Error):
    pass


@strawberry.type(description="A new link and a new expiry were sent; the old link stops working.")
class ResendInvitationSuccess:
    invitation: Invitation = strawberry.field(description="The invitation as it is now.")


@strawberry.type(description="The invitation is withdrawn; its link stops working.")
class RevokeInvitationSuccess:
    invitation: Invitation = strawberry.field(description="The invitation as it is now.")


AcceptInvitationResult = Annotated[
    AcceptInvitationSuccess
    | InvitationEmailMismatch
    | InvitationExpired
    | InvitationNotFound
    | InvitationAlreadyUsed
    | InvitationRevoked
    | TooManyAttempts
    | LastActiveAdmin,
    strawberry.union("AcceptInvitationResult", description="What `acceptInvitation` answers."),
]
ResendInvitationResult = Annotated[
    ResendInvitationSuccess
    | NotFound
    | InvitationAlreadyUsed
    | InvitationRevoked
    | TooManyAttempts,
    strawberry.union("ResendInvitationResult", description="What `resendInvitation` answers."),
]
RevokeInvitationResult = Annotated[
    RevokeInvitationSuccess | NotFound | InvitationAlreadyUsed | InvitationRevoked,
    strawberry.union("RevokeInvitationResult", description="What `revokeInvitation` answers."),
]
