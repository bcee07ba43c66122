"""User administration: inviting colleagues with a role."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.enums import Language, Role
from schema.errors import EmailAlreadyInUse, InvalidInput, NotFound
from schema.invitation import Invitation
from schema.registration import Warning
from schema.user import User


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


@strawberry.type
class InviteUserSuccess:
    user: User = strawberry.field(
        description="The invited account; an applicant keeps its role until it accepts."
    )
    invitation: Invitation
    warnings: list[Warning]


InviteUserResult = Annotated[
    InviteUserSuccess | InvalidInput | EmailAlreadyInUse | NotFound,
    strawberry.union("InviteUserResult"),
]
