"""Registering and correcting sponsors and institutions (canton staff)."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from engine.context import Info
from models import errors
from schema.types.enums import CareType, Language, WarningCode
from schema.types.errors import EmailAlreadyInUse, InvalidInput, NotFound, TooManyAttempts
from schema.types.institution import Institution, Sponsor
from schema.types.invitation import Invitation


@strawberry.type(description="Done, but worth a second look (e.g. `SHARED_MAILBOX`).")
class Warning:
    code: WarningCode = strawberry.field(description="What the warning is about: stable.")

    @strawberry.field(description="For people: the warning, in the request's language.")
    def message(self, info: Info) -> str:
        return info.context.say(errors.WARNING_TEXTS[self.code])

    @classmethod
    def list_of(cls, codes: list[errors.WarningCode]) -> list[Warning]:
        return [cls(code=code) for code in codes]


@strawberry.input
class RegisterSponsorInput:
    name: str
    admin_email: str = strawberry.field(description="The e-mail of the sponsor's first admin.")
    language: Language | None = None


@strawberry.input
class RegisterInstitutionInput:
    name: str
    care_type: CareType
    vouchers_from: datetime.date
    admin_email: str = strawberry.field(
        description="A new address invites a new institution admin; the address of an admin "
        "of the given sponsor invites that admin to activate the institution."
    )
    sponsor_id: strawberry.ID | None = None
    language: Language | None = None


@strawberry.input
class UpdateSponsorInput:
    name: str


@strawberry.input(description="Only the fields given change.")
class UpdateInstitutionInput:
    name: str | None = None
    care_type: CareType | None = None
    vouchers_from: datetime.date | None = None
    sponsor_id: strawberry.ID | None = None


@strawberry.type
class RegisterSponsorSuccess:
    sponsor: Sponsor
    invitation: Invitation
    warnings: list[Warning]


@strawberry.type
class RegisterInstitutionSuccess:
    institution: Institution
    invitation: Invitation
    warnings: list[Warning]


@strawberry.type
class UpdateSponsorSuccess:
    sponsor: Sponsor


@strawberry.type
class UpdateInstitutionSuccess:
    institution: Institution


RegisterSponsorResult = Annotated[
    RegisterSponsorSuccess | InvalidInput | EmailAlreadyInUse,
    strawberry.union("RegisterSponsorResult"),
]
RegisterInstitutionResult = Annotated[
    RegisterInstitutionSuccess | InvalidInput | EmailAlreadyInUse | NotFound | TooManyAttempts,
    strawberry.union("RegisterInstitutionResult"),
]
UpdateSponsorResult = Annotated[
    UpdateSponsorSuccess | InvalidInput | NotFound, strawberry.union("UpdateSponsorResult")
]
UpdateInstitutionResult = Annotated[
    UpdateInstitutionSuccess | InvalidInput | NotFound, strawberry.union("UpdateInstitutionResult")
]
