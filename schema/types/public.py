"""The family portal's view of institutions: what parents may see, and nothing else."""

from __future__ import annotations

import datetime

import strawberry

from models import institution
from schema.types import ids
from schema.types.enums import CareType, InstitutionStatus


@strawberry.type(name="PublicSponsor")
class PublicSponsor:
    name: str


@strawberry.type(name="PublicAddress")
class PublicAddress:
    organisation: str
    street: str
    house_number: str | None
    postal_code: str
    town: str


@strawberry.type(
    description="An institution as parents see it. Address and contact details are null "
    "until the institution is ACTIVE; staff, IBAN and internal data are never shown."
)
class PublicInstitution:
    id: strawberry.ID
    name: str
    care_type: CareType
    status: InstitutionStatus
    vouchers_from: datetime.date
    sponsor: PublicSponsor | None
    address: PublicAddress | None
    contact_email: str | None
    phone: str | None
    website: str | None

    @classmethod
    def from_model(cls, row: institution.Institution) -> PublicInstitution:
        active = row.status == institution.InstitutionStatus.ACTIVE
        sponsor = row.sponsor  # fetched with the page (select_related)
        return cls(
            id=ids.encode("PublicInstitution", row.id),
            name=row.name,
            care_type=row.care_type,
            status=row.status,
            vouchers_from=row.vouchers_from,
            sponsor=PublicSponsor(name=sponsor.name) if sponsor else None,
            address=PublicAddress(
                organisation=row.organisation or "",
                street=row.street or "",
                house_number=row.house_number,
                postal_code=row.postal_code or "",
                town=row.town or "",
            )
            if active
            else None,
            contact_email=row.contact_email if active else None,
            phone=row.phone if active else None,
            website=row.website if active else None,
        )


@strawberry.input
class PublicInstitutionFilter:
    care_type: CareType | None = None
    search: str | None = strawberry.field(
        default=None, description="Part of the name; case and accents are ignored."
    )
    available_on: datetime.date | None = strawberry.field(
        default=None,
        description="Only institutions that accept vouchers on this date; default today.",
    )
