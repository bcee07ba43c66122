"""The family portal's view of institutions: what parents may see, and nothing else."""

from __future__ import annotations

import datetime

import strawberry

from models import institution
from models.sponsor import Sponsor
from schema.types import ids
from schema.types.enums import CareType, InstitutionStatus


@strawberry.type(name="PublicSponsor", description="The sponsor as parents see it: its name.")
class PublicSponsor:
    name: str = strawberry.field(description="The sponsor's name.")


@strawberry.type(name="PublicAddress", description="Where the institution is.")
class PublicAddress:
    organisation: str = strawberry.field(description="The name on the letterbox.")
    street: str = strawberry.field(description="The street, without the house number.")
    house_number: str | None = strawberry.field(description="e.g. `12a`.")
    postal_code: str = strawberry.field(description="Four digits, e.g. `3011`.")
    town: str = strawberry.field(description="e.g. `Bern`.")


@strawberry.type(
    description="An institution as parents see it. Address and contact details are null "
    "until the institution is ACTIVE; staff, IBAN and internal data are never shown."
)
class PublicInstitution:
    id: strawberry.ID = strawberry.field(
        description="Global and opaque; not the staff `Institution` ID (`node` does not take it)."
    )
    name: str = strawberry.field(description="The institution's name.")
    care_type: CareType = strawberry.field(description="The kind of childcare it offers.")
    status: InstitutionStatus = strawberry.field(
        description="`ACTIVE` once its contact details are complete."
    )
    vouchers_from: datetime.date = strawberry.field(
        description="Vouchers (Betreuungsgutscheine) are accepted from this date on."
    )
    vouchers_until: datetime.date | None = strawberry.field(
        description="The last day vouchers are accepted (inclusive); null: open-ended."
    )
    sponsor: PublicSponsor | None = strawberry.field(description="The sponsor that runs it.")
    address: PublicAddress | None = strawberry.field(description="Null until it is `ACTIVE`.")
    contact_email: str | None = strawberry.field(
        description="Where parents write to; null until it is `ACTIVE`."
    )
    phone: str | None = strawberry.field(description="E.164; null until it is `ACTIVE`.")
    website: str | None = strawberry.field(description="Null until it is `ACTIVE`.")

    @classmethod
    def of(
        cls,
        row: institution.Institution | institution.PublicColumns,
        sponsor: Sponsor | institution.SponsorName | None,
    ) -> PublicInstitution:
        active = row.status == institution.InstitutionStatus.ACTIVE
        return cls(
            id=ids.encode("PublicInstitution", row.id),
            name=row.name,
            care_type=row.care_type,
            status=row.status,
            vouchers_from=row.vouchers_from,
            vouchers_until=row.vouchers_until,
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


@strawberry.input(
    description="Narrows the family portal's list; every condition given must hold. Without a "
    "date: every institution whose voucher period has not ended (future starts included). "
    "`availableOn` and a range together, or a range that ends before it starts, are "
    "`BAD_USER_INPUT`."
)
class PublicInstitutionFilter:
    care_type: CareType | None = strawberry.field(default=None, description="Only this kind.")
    search: str | None = strawberry.field(
        default=None,
        description="Part of the name, at most 100 characters; case and accents are ignored.",
    )
    available_on: datetime.date | None = strawberry.field(
        default=None, description="Only institutions whose voucher period contains this date."
    )
    available_from: datetime.date | None = strawberry.field(
        default=None,
        description="With or without `availableUntil`: only institutions whose voucher period "
        "overlaps the range from this date on.",
    )
    available_until: datetime.date | None = strawberry.field(
        default=None,
        description="With or without `availableFrom`: only institutions whose voucher period "
        "overlaps the range up to this date (inclusive).",
    )
    postal_code: str | None = strawberry.field(
        default=None, description="Only institutions at this postal code, e.g. `3011`."
    )
    town: str | None = strawberry.field(
        default=None,
        description="Only institutions in this town; case, accents and spaces are ignored.",
    )
