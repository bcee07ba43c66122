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
    code: WarningCode = strawberry.field(
        description="What the warning is about: stable, for the portal to switch on."
    )

    @strawberry.field(description="What to look at, for the person, in the request's language.")
    def message(self, info: Info) -> str:
        return info.context.say(errors.WARNING_TEXTS[self.code])

    @classmethod
    def list_of(cls, codes: list[errors.WarningCode]) -> list[Warning]:
        return [cls(code=code) for code in codes]


@strawberry.input(description="A new sponsor and the address of its first admin.")
class RegisterSponsorInput:
    name: str = strawberry.field(
        description="Unique among sponsors, compared without case and accents."
    )
    admin_email: str = strawberry.field(description="The e-mail of the sponsor's first admin.")
    language: Language | None = strawberry.field(
        default=None, description="The language of the invitation mail; both when omitted."
    )


@strawberry.input(description="A new institution and the address of its admin.")
class RegisterInstitutionInput:
    name: str = strawberry.field(description="As parents will see it in the family portal.")
    care_type: CareType = strawberry.field(description="The kind of childcare it offers.")
    vouchers_from: datetime.date = strawberry.field(
        description="Vouchers are accepted from this date on (2000-01-01 to 2100-12-31)."
    )
    vouchers_until: datetime.date | None = strawberry.field(
        default=None,
        description="The last day vouchers are accepted (inclusive), on or after "
        "`vouchersFrom` and not in the past; open-ended when omitted.",
    )
    admin_email: str = strawberry.field(
        description="A new address invites a new institution admin; the address of an admin "
        "of the given sponsor invites that admin to activate the institution."
    )
    sponsor_id: strawberry.ID | None = strawberry.field(
        default=None, description="The sponsor that runs it; none when omitted."
    )
    language: Language | None = strawberry.field(
        default=None, description="The language of the invitation mail; both when omitted."
    )


@strawberry.input(description="A sponsor's corrected name.")
class UpdateSponsorInput:
    name: str = strawberry.field(
        description="Unique among sponsors, compared without case and accents."
    )


@strawberry.input(description="Only the fields given change.")
class UpdateInstitutionInput:
    name: str | None = strawberry.field(default=None, description="The corrected name.")
    care_type: CareType | None = strawberry.field(
        default=None, description="The corrected kind of childcare (canton staff)."
    )
    vouchers_from: datetime.date | None = strawberry.field(
        default=None,
        description="The corrected first day of vouchers (canton staff; the institution's own "
        "and its sponsor's staff only while it is `INVITED`).",
    )
    sponsor_id: strawberry.ID | None = strawberry.field(
        default=None, description="Moves it to this sponsor (canton staff)."
    )
    vouchers_until: datetime.date | None = strawberry.field(
        default=strawberry.UNSET,
        description="The last day of vouchers, inclusive (canton staff): omitted leaves it as "
        "it is, `null` makes the period open-ended. On or after `vouchersFrom`; a new end is "
        "not in the past (today in Europe/Zurich).",
    )


@strawberry.type(description="The sponsor exists and its first admin is invited.")
class RegisterSponsorSuccess:
    sponsor: Sponsor = strawberry.field(description="The new sponsor.")
    invitation: Invitation = strawberry.field(description="The invitation of its first admin.")
    warnings: list[Warning] = strawberry.field(description="Worth a second look; may be empty.")


@strawberry.type(
    description="The institution exists (in the family portal at once) and its admin is invited."
)
class RegisterInstitutionSuccess:
    institution: Institution = strawberry.field(description="The new institution, `INVITED`.")
    invitation: Invitation = strawberry.field(description="The invitation of its admin.")
    warnings: list[Warning] = strawberry.field(description="Worth a second look; may be empty.")


@strawberry.type(description="The sponsor is renamed.")
class UpdateSponsorSuccess:
    sponsor: Sponsor = strawberry.field(description="The sponsor as it is now.")


@strawberry.type(description="The institution is corrected.")
class UpdateInstitutionSuccess:
    institution: Institution = strawberry.field(description="The institution as it is now.")


RegisterSponsorResult = Annotated[
    RegisterSponsorSuccess | InvalidInput | EmailAlreadyInUse,
    strawberry.union("RegisterSponsorResult", description="What `registerSponsor` answers."),
]
RegisterInstitutionResult = Annotated[
    RegisterInstitutionSuccess | InvalidInput | EmailAlreadyInUse | NotFound | TooManyAttempts,
    strawberry.union(
        "RegisterInstitutionResult", description="What `registerInstitution` answers."
    ),
]
UpdateSponsorResult = Annotated[
    UpdateSponsorSuccess | InvalidInput | NotFound,
    strawberry.union("UpdateSponsorResult", description="What `updateSponsor` answers."),
]
UpdateInstitutionResult = Annotated[
    UpdateInstitutionSuccess | InvalidInput | NotFound,
    strawberry.union("UpdateInstitutionResult", description="What `updateInstitution` answers."),
]
