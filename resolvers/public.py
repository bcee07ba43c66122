"""The family portal: its list of institutions and one institution by ID; needs no token."""

from __future__ import annotations

from typing import Annotated

import strawberry

from engine.context import Info
from engine.errors import BadUserInput
from i18n import _
from models import clock, institution
from schema.types import ids
from schema.types import keyset as pagination
from schema.types.arguments import After, First
from schema.types.pagination import Connection, connection
from schema.types.public import PublicInstitution, PublicInstitutionFilter
from schema.types.search import search_term


async def public_institutions(
    info: Info,
    first: First = None,
    after: After = None,
    filter: Annotated[
        PublicInstitutionFilter | None, strawberry.argument(description="Narrows the list.")
    ] = None,
) -> Connection[PublicInstitution]:
    where = institution.listed_publicly(public_filter(filter or PublicInstitutionFilter()))
    found = await pagination.page_where(
        institution.Institution,
        where,
        first=first,
        after=after,
        order=("search_name", "id"),
        shape=institution.PublicColumns,
        joins={"sponsor_id": institution.sponsor_names()},
    )
    sponsors = found.joined["sponsor_id"]
    return connection(found, lambda row: PublicInstitution.of(row, sponsors.get(row.sponsor_id)))


async def public_institution(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="A `PublicInstitution` ID.")],
) -> PublicInstitution | None:
    wanted = ids.decode(id, "PublicInstitution")
    row = await institution.listed_at_all().filter(id=wanted).select_related("sponsor").first()
    return PublicInstitution.of(row, row.sponsor) if row else None


def public_filter(wanted: PublicInstitutionFilter) -> institution.PublicFilter:
    """A date, or a range: asking for both, or for a range that ends before it starts, cannot
    mean anything."""
    if wanted.available_on is not None and (wanted.available_from or wanted.available_until):
        raise BadUserInput(
            _("Give `availableOn` or a range (`availableFrom`, `availableUntil`), not both.")
        )
    start, end = wanted.available_from, wanted.available_until
    if start is not None and end is not None and start > end:
        raise BadUserInput(_("`availableFrom` must not be after `availableUntil`."))
    return institution.PublicFilter(
        today=clock.today(),
        on=wanted.available_on,
        start=start,
        end=end,
        care_type=wanted.care_type,
        search=search_term(wanted.search),
        postal_code=wanted.postal_code,
        town=wanted.town,
    )
