"""User administration: inviting colleagues with a role, changing roles, blocking, unblocking."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.types.enums import Language, Role
from schema.types.errors import EmailAlreadyInUse, Error, InvalidInput, NotFound, TooManyAttempts
from schema.types.invitation import Invitation
from schema.types.registration import Warning
from schema.types.user import User


@strawberry.input(
    description="A sponsor role needs `sponsorId`, an institution role `institutionId`; "
    "canton roles and APPLICANT take neither."
)
class InviteUserInput:
    email: str = strawberry.field(description="The person's own address (not a shared mailbox).")
    role: Role = strawberry.field(description="A role you may grant.")
    sponsor_id: strawberry.ID | None = strawberry.field(
        default=None, description="The sponsor of a sponsor role."
    )
    institution_id: strawberry.ID | None = strawberry.field(
        default=None, description="The institution of an institution role."
    )
    language: Language | None = strawberry.field(
        default=None, description="The language of the invitation mail; both when omitted."
    )
    first_name: str | None = strawberry.field(
        default=None, description="For the mail's greeting until the person signs in."
    )
    last_name: str | None = strawberry.field(
        default=None, description="For the mail's greeting until the person signs in."
    )
    valid_for_days: int | None = strawberry.field(
        default=None,
        description="How many days its link works, 1 to 30; `KIBON_INVITATION_TTL_DAYS` when "
        "omitted.",
    )


@strawberry.input(description="The new role and its sponsor or institution, as for inviting.")
class ChangeUserRoleInput:
    role: Role = strawberry.field(description="A role you may grant.")
    sponsor_id: strawberry.ID | None = strawberry.field(
        default=None, description="The sponsor of a sponsor role."
    )
    institution_id: strawberry.ID | None = strawberry.field(
        default=None, description="The institution of an institution role."
    )


@strawberry.type(description="The invitation mail is on its way.")
class InviteUserSuccess:
    user: User = strawberry.field(
        description="The invited account; an applicant keeps its role until it accepts."
    )
    invitation: Invitation = strawberry.field(description="The new invitation.")
    warnings: list[Warning] = strawberry.field(description="Worth a second look; may be empty.")


@strawberry.type(
    description="The role is changed and the person signed out; open invitations for the old "
    "role are revoked."
)
class ChangeUserRoleSuccess:
    user: User = strawberry.field(description="The account as it is now.")


@strawberry.type(description="The person is blocked and refused from their very next request.")
class BlockUserSuccess:
    user: User = strawberry.field(description="The account as it is now, `BLOCKED`.")


@strawberry.type(description="The block is lifted; the status before it is back.")
class UnblockUserSuccess:
    user: User = strawberry.field(description="The account as it is now.")


@strawberry.type(description="Nobody can block their own account; ask another admin.")
class CannotBlockYourself(Error):
    pass


@strawberry.type(description="Nobody can change their own role; ask another admin.")
class CannotChangeYourOwnRole(Error):
    pass


@strawberry.type(
    description="The sponsor or institution would have no active admin left; "
    "invite another admin first, or ask the canton."
)
class LastActiveAdmin(Error):
    pass


InviteUserResult = Annotated[
    InviteUserSuccess | InvalidInput | EmailAlreadyInUse | NotFound | TooManyAttempts,
    strawberry.union("InviteUserResult", description="What `inviteUser` answers."),
]
ChangeUserRoleResult = Annotated[
    ChangeUserRoleSuccess
    | InvalidInput
    | NotFound
    | CannotChangeYourOwnRole
    | LastActiveAdmin
    | TooManyAttempts,
    strawberry.union("ChangeUserRoleResult", description="What `changeUserRole` answers."),
]
BlockUserResult = Annotated[
    BlockUserSuccess | NotFound | CannotBlockYourself | LastActiveAdmin,
    strawberry.union("BlockUserResult", description="What `blockUser` answers."),
]
UnblockUserResult = Annotated[
    UnblockUserSuccess | NotFound,
    strawberry.union("UnblockUserResult", description="What `unblockUser` answers."),
]
