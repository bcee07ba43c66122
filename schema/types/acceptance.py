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


@strawberry.enum(description="Where the portal takes the person after accepting.")
class NextStep(Enum):
    HOME = "HOME"
    INSTITUTION_MASTER_DATA = "INSTITUTION_MASTER_DATA"


@strawberry.type
class AcceptInvitationSuccess:
    user: User
    next: NextStep
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


@strawberry.type
class InvitationExpired(Error):
    pass


@strawberry.type
class InvitationNotFound(Error):
    pass


@strawberry.type
class InvitationAlreadyUsed(Error):
    pass


@strawberry.type
class InvitationRevoked(Error):
    pass


@strawberry.type
class ResendInvitationSuccess:
    invitation: Invitation


@strawberry.type
class RevokeInvitationSuccess:
    invitation: Invitation


AcceptInvitationResult = Annotated[
    AcceptInvitationSuccess
    | InvitationEmailMismatch
    | InvitationExpired
    | InvitationNotFound
    | InvitationAlreadyUsed
    | InvitationRevoked
    | TooManyAttempts,
    strawberry.union("AcceptInvitationResult"),
]
ResendInvitationResult = Annotated[
    ResendInvitationSuccess
    | NotFound
    | InvitationAlreadyUsed
    | InvitationRevoked
    | TooManyAttempts,
    strawberry.union("ResendInvitationResult"),
]
RevokeInvitationResult = Annotated[
    RevokeInvitationSuccess | NotFound | InvitationAlreadyUsed | InvitationRevoked,
    strawberry.union("RevokeInvitationResult"),
]
