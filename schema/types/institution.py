"""Sponsors (Trägerschaften), their institutions and the institutions' master data as the API
shows them. A sponsor lists its institutions and an institution names its sponsor: each type
builds the other, so the two live in one module rather than in two that import each other."""

from __future__ import annotations

import datetime
from collections.abc import Awaitable

import strawberry

from engine.context import Info
from models import institution, master_data, sponsor
from schema.types import ids
from schema.types.arguments import After, First
from schema.types.enums import CareType, InstitutionStatus, SponsorStatus, Weekday
from schema.types.keyset import check_page_size, decode_cursor, page_of
from schema.types.nodes import Node, visible_nodes
from schema.types.pagination import Connection, connection

SPONSOR_INSTITUTIONS_ORDER = ("search_name", "id")


@strawberry.type(description="A sponsor organisation (Trägerschaft) that runs institutions.")
class Sponsor(Node):
    pk: strawberry.Private[int]
    name: str = strawberry.field(
        description="Unique among sponsors that are not withdrawn, compared without case and "
        "accents."
    )
    status: SponsorStatus = strawberry.field(
        description="`WITHDRAWN` when the canton withdrew it (only canton staff see it then)."
    )

    @classmethod
    def from_model(cls, row: sponsor.Sponsor) -> Sponsor:
        return cls(id=ids.encode("Sponsor", row.id), pk=row.id, name=row.name, status=row.status)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: list[str]) -> list[Sponsor | None]:
        return await visible_nodes(sponsor.visible_to(info.context.scope), node_ids, cls.from_model)

    @strawberry.field(description="Its institutions that the caller may see, by name.")
    async def institutions(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Institution]:
        order = SPONSOR_INSTITUTIONS_ORDER
        size = check_page_size(first)
        start = tuple(decode_cursor(after, order)) if after is not None else None
        rows = await info.context.loaders.institutions_per_sponsor.load((self.pk, size, start))
        page = page_of(rows, size=size, after=after, order=order)
        return connection(page, lambda row: Institution.from_model(row, sponsor=self))


async def sponsor_of(info: Info, sponsor_id: int | None) -> Sponsor | None:
    """The sponsor a row refers to, if the caller's scope shows it (null otherwise)."""
    if sponsor_id is None:
        return None
    row = await info.context.loaders.sponsor.load(sponsor_id)
    return Sponsor.from_model(row) if row else None


@strawberry.type(description="A postal address in Switzerland.")
class Address:
    organisation: str = strawberry.field(description="The name on the letterbox.")
    street: str = strawberry.field(description="The street, without the house number.")
    house_number: str | None = strawberry.field(description="e.g. `12a`.")
    postal_code: str = strawberry.field(description="Four digits, e.g. `3011`.")
    town: str = strawberry.field(description="e.g. `Bern`.")


@strawberry.type(description="Stammdaten: what an institution's admin enters to activate it.")
class MasterData:
    address: Address | None = strawberry.field(
        description="Null until every part of the address is entered."
    )
    contact_email: str | None = strawberry.field(description="The address parents write to.")
    phone: str | None = strawberry.field(description="E.164, e.g. `+41311234567`.")
    website: str | None = strawberry.field(description="An `https://` address.")
    opening_days: list[Weekday] = strawberry.field(description="The days it is open, in order.")
    opening_time: datetime.time | None = strawberry.field(
        description="When it opens, local time (`07:00`)."
    )
    closing_time: datetime.time | None = strawberry.field(
        description="When it closes, local time (`18:30`); after `openingTime`."
    )
    iban: str | None = strawberry.field(
        description="Shown in full to the institution's and its sponsor's admins and to the "
        "canton; masked (`CH93 **** **** **** *295 7`) to everyone else."
    )
    account_holder: str | None = strawberry.field(description="The name on the account.")
    places: int | None = strawberry.field(description="Number of places (day-care centres).")

    @classmethod
    def from_model(cls, row: institution.Institution, *, full_iban: bool) -> MasterData:
        return cls(
            address=Address(
                organisation=row.organisation,
                street=row.street,
                house_number=row.house_number,
                postal_code=row.postal_code,
                town=row.town,
            )
            if row.organisation and row.street and row.postal_code and row.town
            else None,
            contact_email=row.contact_email,
            phone=row.phone,
            website=row.website,
            opening_days=[institution.Weekday(d) for d in row.opening_days or []],
            opening_time=master_data.wall_clock(row.opening_time),
            closing_time=master_data.wall_clock(row.closing_time),
            iban=row.iban if full_iban or not row.iban else master_data.masked_iban(row.iban),
            account_holder=row.account_holder,
            places=row.places,
        )


@strawberry.type(description="A Kita, day-family organisation, day school or holiday care.")
class Institution(Node):
    pk: strawberry.Private[int]
    name: str = strawberry.field(description="As parents see it in the family portal.")
    care_type: CareType = strawberry.field(description="The kind of childcare it offers.")
    status: InstitutionStatus = strawberry.field(
        description="`INVITED` until its master data is complete, then `ACTIVE`."
    )
    vouchers_from: datetime.date = strawberry.field(
        description="Vouchers (Betreuungsgutscheine) are accepted from this date on."
    )
    vouchers_until: datetime.date | None = strawberry.field(
        description="The last day vouchers are accepted (inclusive); null: open-ended."
    )
    version: int = strawberry.field(
        description="Changes with every save; send it back to detect concurrent edits."
    )
    # Fetched with the institution (a JOIN), so that reading it is a plain attribute: no
    # resolver, no await, on graphql-core's fastest path for every row of a page.
    sponsor: Sponsor | None = strawberry.field(
        description="The sponsor that runs it; null for an institution without one."
    )
    sponsor_id: strawberry.Private[int | None]
    row: strawberry.Private[institution.Institution | None]  # None: from a listing

    @classmethod
    def from_model(
        cls, row: institution.Institution, *, sponsor: Sponsor | None = None
    ) -> Institution:
        """`row` fetched with its sponsor (`select_related("sponsor")`), or the sponsor given."""
        return cls(
            id=ids.encode("Institution", row.id),
            pk=row.id,
            name=row.name,
            care_type=row.care_type,
            status=row.status,
            vouchers_from=row.vouchers_from,
            vouchers_until=row.vouchers_until,
            version=row.version,
            sponsor=sponsor or _fetched_sponsor(row),
            sponsor_id=row.sponsor_id,
            row=row,
        )

    @classmethod
    def from_listing(cls, row: institution.Listed) -> Institution:
        return cls(
            id=ids.encode("Institution", row.id),
            pk=row.id,
            name=row.name,
            care_type=row.care_type,
            status=row.status,
            vouchers_from=row.vouchers_from,
            vouchers_until=row.vouchers_until,
            version=row.version,
            sponsor=None
            if row.sponsor_id is None
            else Sponsor(
                id=ids.encode("Sponsor", row.sponsor_id),
                pk=row.sponsor_id,
                name=row.sponsor_name or "",
                status=row.sponsor_status or sponsor.SponsorStatus.ACTIVE,
            ),
            sponsor_id=row.sponsor_id,
            row=None,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: list[str]) -> list[Institution | None]:
        visible = institution.visible_to(info.context.scope).select_related("sponsor")
        return await visible_nodes(visible, node_ids, cls.from_model)

    @strawberry.field(
        graphql_type=MasterData | None,
        description="Null until an admin has entered any master data.",
    )
    def master_data(self, info: Info) -> MasterData | Awaitable[MasterData | None] | None:
        if self.row is None:  # listed without it: all rows of the page in one statement
            return self._load_master_data(info)
        return self._master_data(info, self.row)

    async def _load_master_data(self, info: Info) -> MasterData | None:
        row = await info.context.loaders.institution.load(self.pk)
        return self._master_data(info, row) if row else None

    @staticmethod
    def _master_data(info: Info, row: institution.Institution) -> MasterData | None:
        if not master_data.has_any(row):
            return None
        return MasterData.from_model(
            row, full_iban=master_data.may_see_iban(info.context.scope, row)
        )


def _fetched_sponsor(row: institution.Institution) -> Sponsor | None:
    if row.sponsor_id is None:
        return None
    fetched = row.sponsor
    if not isinstance(fetched, sponsor.Sponsor):
        raise LookupError("an institution's sponsor is fetched with it: select_related('sponsor')")
    return Sponsor.from_model(fetched)


async def with_sponsor(row: institution.Institution) -> Institution:
    """For a row a domain function returns (one institution, after a change)."""
    if row.sponsor_id is not None and not isinstance(row.sponsor, sponsor.Sponsor):
        await row.fetch_related("sponsor")
    return Institution.from_model(row)


async def institution_of(info: Info, institution_id: int | None) -> Institution | None:
    """The institution a row refers to, if the caller's scope shows it (null otherwise)."""
    if institution_id is None:
        return None
    row = await info.context.loaders.institution.load(institution_id)
    return Institution.from_model(row) if row else None


@strawberry.input(description="Narrows the list; every condition given must hold.")
class InstitutionFilter:
    care_type: CareType | None = strawberry.field(default=None, description="Only this kind.")
    status: InstitutionStatus | None = strawberry.field(
        default=None, description="Only institutions in this status."
    )
    sponsor_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the institutions of this sponsor."
    )
    search: str | None = strawberry.field(
        default=None,
        description="Part of the name, at most 100 characters; case and accents are ignored.",
    )
    without_admin: bool | None = strawberry.field(
        default=None,
        description="`true`: only institutions that are not withdrawn and have no admin at "
        "all — no active or invited `INSTITUTION_ADMIN` (an invitation that has not expired, "
        "to someone not blocked) and none of their sponsor's `SPONSOR_ADMIN`s; `false`: only "
        "those that are not withdrawn and have one. For the canton, to find who needs a new "
        "admin.",
    )
