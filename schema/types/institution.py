"""Sponsors (Trägerschaften), their institutions and the institutions' master data as the API
shows them. A sponsor lists its institutions and an institution names its sponsor: each type
builds the other, so the two live in one module rather than in two that import each other."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

import strawberry

from engine.batch import batched, one
from engine.context import Context, Info
from engine.loaders import at_once
from models import institution, master_data, placement, sponsor, user, withdrawal
from schema.types import ids
from schema.types.arguments import After, First
from schema.types.enums import CareType, InstitutionStatus, SponsorStatus, Weekday
from schema.types.keyset import check_page_size, decode_cursor, page_of
from schema.types.nodes import Node, Related, visible_nodes
from schema.types.pagination import Connection, connection

SPONSOR_INSTITUTIONS_ORDER = ("search_name", "id")
WEEKDAYS = {day.value: day for day in institution.Weekday}  # stored as their values


async def _institutions_of(
    context: Context, sponsors: Sequence[Sponsor], arguments: Mapping[str, Any]
) -> list[Connection[Institution]]:
    """A page of institutions for every sponsor of a level, in one statement."""
    order, after = SPONSOR_INSTITUTIONS_ORDER, arguments.get("after")
    size = check_page_size(arguments.get("first"))
    start = tuple(decode_cursor(after, order)) if after is not None else None
    pages = await at_once(
        context.loaders.institutions_per_sponsor,
        [(sponsor.pk, size, start) for sponsor in sponsors],
    )
    return [
        connection(
            page_of(rows, size=size, after=after, order=order),
            lambda row, sponsor=sponsor: Institution.from_listing(row, shown=sponsor),  # type: ignore[misc]
        )
        for sponsor, rows in zip(sponsors, pages, strict=True)
    ]


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

    @strawberry.field(
        description="Its institutions that the caller may see, by name.",
        metadata=batched(_institutions_of),
    )
    async def institutions(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Institution]:
        found: Connection[Institution] = await one(
            info, _institutions_of, self, first=first, after=after
        )
        return found


def _sponsor_node(row: sponsor.Sponsor) -> Sponsor:
    return Sponsor.from_model(row)


# The sponsor a row refers to (`sponsor_id`), if the caller's scope shows it (null otherwise).
SPONSOR_OF = Related("sponsor_id", lambda context: context.loaders.sponsor, _sponsor_node)


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
    def from_model(
        cls, row: institution.Institution | institution.MasterDataColumns, *, full_iban: bool
    ) -> MasterData:
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
            opening_days=[WEEKDAYS[d] for d in row.opening_days or ()],
            opening_time=master_data.wall_clock(row.opening_time),
            closing_time=master_data.wall_clock(row.closing_time),
            iban=row.iban if full_iban or not row.iban else master_data.masked_iban(row.iban),
            account_holder=row.account_holder,
            places=row.places,
        )


async def _master_data_of(
    context: Context, institutions: Sequence[Institution], _: Mapping[str, Any]
) -> list[MasterData | None]:
    """Listed institutions carry no master data: all rows of a level in one statement."""
    missing = [i.pk for i in institutions if i.row is None]
    loaded = await at_once(context.loaders.master_data, missing)
    rows = dict(zip(missing, loaded, strict=True))
    shown: list[MasterData | None] = []
    for listed in institutions:
        row = listed.row or rows.get(listed.pk)
        if row is None or not master_data.has_any(row):
            shown.append(None)
            continue
        full_iban = master_data.may_see_iban(context.scope, row)
        shown.append(MasterData.from_model(row, full_iban=full_iban))
    return shown


@strawberry.type(
    description="What the caller may do with an institution now, decided by the same rule the "
    "mutations apply: a portal hides or disables what would be refused. Computed when asked, "
    "for the caller's role and the institution's status."
)
class InstitutionViewerCan:
    edit_master_data: bool = strawberry.field(
        description="`updateInstitutionMasterData` would be accepted (and "
        "`activateInstitution`, while the institution is `INVITED`): the institution's own "
        "staff and its sponsor's staff, clerks included, and super admins; other canton staff "
        "only while it is `INVITED`. Never for a `WITHDRAWN` institution."
    )
    withdraw: bool = strawberry.field(
        description="`withdrawInstitution` would withdraw it: canton staff, clerks included, "
        "while it is not `WITHDRAWN` (withdrawing it again would change nothing)."
    )
    invite: bool = strawberry.field(
        description="`inviteUser` with this `institutionId` would be accepted for at least one "
        "institution role (`INSTITUTION_ADMIN`, `INSTITUTION_CLERK`), as the role table allows: "
        "super admins, canton admins (the admin role only), its sponsor's admins and its own "
        "admins. Never into a `WITHDRAWN` institution. Whether an address is free is known "
        "only when inviting (`EmailAlreadyInUse`)."
    )

    @classmethod
    def of(cls, viewer: user.User | None, row: institution.Institution) -> InstitutionViewerCan:
        if viewer is None:
            return cls(edit_master_data=False, withdraw=False, invite=False)
        return cls(
            edit_master_data=master_data.master_data_verdict(viewer, row).allowed,
            withdraw=withdrawal.withdrawal_verdict(viewer, row).allowed,
            invite=placement.invite_into_verdict(viewer, row).allowed,
        )


async def _viewer_can_of(
    context: Context, institutions: Sequence[Institution], _: Mapping[str, Any]
) -> list[InstitutionViewerCan]:
    """A listed institution has no row: its id, sponsor and status are all the rule reads."""
    return [
        InstitutionViewerCan.of(
            context.user,
            listed.row
            or institution.Institution(
                id=listed.pk, sponsor_id=listed.sponsor_id, status=listed.status
            ),
        )
        for listed in institutions
    ]


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
    def from_listing(cls, row: institution.Listed, *, shown: Sponsor | None = None) -> Institution:
        """`shown`: its sponsor as shown already (the parent of a nested page)."""
        return cls(
            id=ids.encode("Institution", row.id),
            pk=row.id,
            name=row.name,
            care_type=row.care_type,
            status=row.status,
            vouchers_from=row.vouchers_from,
            vouchers_until=row.vouchers_until,
            version=row.version,
            sponsor=shown or _listed_sponsor(row),
            sponsor_id=row.sponsor_id,
            row=None,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: list[str]) -> list[Institution | None]:
        visible = institution.visible_to(info.context.scope).select_related("sponsor")
        return await visible_nodes(visible, node_ids, cls.from_model)

    @strawberry.field(
        description="Null until an admin has entered any master data.",
        metadata=batched(_master_data_of),
    )
    async def master_data(self, info: Info) -> MasterData | None:
        found: MasterData | None = await one(info, _master_data_of, self)
        return found

    @strawberry.field(
        description="What the caller may do with this institution: hide or disable what would "
        "be refused.",
        metadata=batched(_viewer_can_of),
    )
    async def viewer_can(self, info: Info) -> InstitutionViewerCan:
        found: InstitutionViewerCan = await one(info, _viewer_can_of, self)
        return found


def _listed_sponsor(row: institution.Listed) -> Sponsor | None:
    if row.sponsor_id is None:
        return None
    return Sponsor(
        id=ids.encode("Sponsor", row.sponsor_id),
        pk=row.sponsor_id,
        name=row.sponsor_name or "",
        status=row.sponsor_status or sponsor.SponsorStatus.ACTIVE,
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


def _institution_node(row: institution.Listed) -> Institution:
    return Institution.from_listing(row)


# The institution a row refers to (`institution_id`), if the caller's scope shows it: as lists
# show it, its master data read only when asked for.
INSTITUTION_OF = Related(
    "institution_id", lambda context: context.loaders.listed_institution, _institution_node
)


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
