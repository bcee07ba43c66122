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
    email: str
    role: Role
    sponsor_id: strawberry.ID | None = None
    institution_id: strawberry.ID | None = None
    language: Language | None = None
    first_name: str | None = None
    last_name: str | None = None


@strawberry.input(description="The new role and its sponsor or institution, as for inviting.")
class ChangeUserRoleInput:
    role: Role
    sponsor_id: strawberry.ID | None = None
    institution_id: strawberry.ID | None = None


@strawberry.type
class InviteUserSuccess:
    user: User = strawberry.field(
        description="The invited account; an applicant keeps its role until it accepts."
    )
    invitation: Invitation
    warnings: list[Warning]


@strawberry.type
class ChangeUserRoleSuccess:
    user: User


@strawberry.type
class BlockUserSuccess:
    user: User


@strawberry.type
class UnblockUserSuccess:
    user: User


@strawberry.type
class CannotBlockYourself(Error):
    pass


@strawberry.type
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
    strawberry.union("InviteUserResult"),
]
ChangeUserRoleResult = Annotated[
    ChangeUserRoleSuccess
    | InvalidInput
    | NotFound
    | CannotChangeYourOwnRole
    | LastActiveAdmin
    | TooManyAttempts,
    strawberry.union("ChangeUserRoleResult"),
]
BlockUserResult = Annotated[
    BlockUserSuccess | NotFound | CannotBlockYourself | LastActiveAdmin,
    strawberry.union("BlockUserResult"),
]
UnblockUserResult = Annotated[
    UnblockUserSuccess | NotFound,
    strawberry.union("UnblockUserResult"),
]
