"""Entering master data: the input, and the results of activating and updating."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from models import master_data
from schema.types.enums import Weekday
from schema.types.errors import InstitutionAlreadyActive, InvalidInput, NotFound, StaleData
from schema.types.institution import Institution


@strawberry.input(description="Postal address; shown to parents once the institution is active.")
class AddressInput:
    organisation: str | None = strawberry.field(
        default=None, description="The name on the letterbox; required."
    )
    street: str | None = strawberry.field(
        default=None, description="The street without the house number; required."
    )
    house_number: str | None = strawberry.field(default=None, description="e.g. `12a`; optional.")
    postal_code: str | None = strawberry.field(
        default=None, description="Swiss or Liechtenstein: four digits, 1000 to 9999."
    )
    town: str | None = strawberry.field(default=None, description="Required.")

    def to_form(self) -> master_data.AddressForm:
        return master_data.AddressForm(
            organisation=self.organisation,
            street=self.street,
            house_number=self.house_number,
            postal_code=self.postal_code,
            town=self.town,
        )


@strawberry.input(
    description="The whole master data, not a patch: a field left out is cleared. Every field "
    "is optional in the schema so that each missing one is reported in `InvalidInput`."
)
class MasterDataInput:
    address: AddressInput | None = strawberry.field(
        default=None, description="Required: every part but the house number."
    )
    contact_email: str | None = strawberry.field(
        default=None, description="Shown to parents; may be the same for several institutions."
    )
    phone: str | None = strawberry.field(
        default=None, description="Swiss or Liechtenstein number in any usual form; kept as E.164."
    )
    website: str | None = strawberry.field(default=None, description="An http or https address.")
    opening_days: list[Weekday] = strawberry.field(
        description="At least one; a day given twice counts once."
    )
    opening_time: datetime.time | None = strawberry.field(
        default=None, description='Hours and minutes, e.g. "07:00".'
    )
    closing_time: datetime.time | None = strawberry.field(
        default=None, description="After the opening time, on the same day."
    )
    iban: str | None = strawberry.field(default=None, description="A Swiss or Liechtenstein IBAN.")
    account_holder: str | None = strawberry.field(
        default=None, description="The name on the account; required with the IBAN."
    )
    places: int | None = strawberry.field(
        default=None,
        description="1 to 1000. Required for day-care centres; must be empty for day-family "
        "organisations; optional for day schools and holiday care.",
    )
    version: int | None = strawberry.field(
        default=None, description="The `version` read; if it is no longer current: `StaleData`."
    )

    def to_form(self) -> master_data.MasterDataForm:
        return master_data.MasterDataForm(
            address=self.address.to_form() if self.address else None,
            contact_email=self.contact_email,
            phone=self.phone,
            website=self.website,
            opening_days=self.opening_days,
            opening_time=self.opening_time,
            closing_time=self.closing_time,
            iban=self.iban,
            account_holder=self.account_holder,
            places=self.places,
            version=self.version,
        )


@strawberry.type(description="The master data is saved and the institution is `ACTIVE`.")
class ActivateInstitutionSuccess:
    institution: Institution = strawberry.field(description="The institution as it is now.")


@strawberry.type(description="The master data is saved.")
class UpdateInstitutionMasterDataSuccess:
    institution: Institution = strawberry.field(
        description="The institution as it is now, with its new `version`."
    )


ActivateInstitutionResult = Annotated[
    ActivateInstitutionSuccess | InstitutionAlreadyActive | InvalidInput | NotFound | StaleData,
    strawberry.union(
        "ActivateInstitutionResult", description="What `activateInstitution` answers."
    ),
]
UpdateInstitutionMasterDataResult = Annotated[
    UpdateInstitutionMasterDataSuccess | InvalidInput | NotFound | StaleData,
    strawberry.union(
        "UpdateInstitutionMasterDataResult",
        description="What `updateInstitutionMasterData` answers.",
    ),
]
