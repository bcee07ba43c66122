"""Reading institutions, within the caller's scope."""

from __future__ import annotations

import strawberry

from models import institution, text
from resolvers import pagination
from resolvers.context import Info
from schema import ids
from schema.institution import LISTED, Institution, InstitutionFilter
from schema.pagination import Connection, connection


async def institutions(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: InstitutionFilter | None = None,
) -> Connection[Institution]:
    rows = institution.visible_to(info.context.actor)
    wanted = filter or InstitutionFilter()
    if wanted.care_type is not None:
        rows = rows.filter(care_type=wanted.care_type)
    if wanted.status is not None:
        rows = rows.filter(status=wanted.status)
    if wanted.sponsor_id is not None:
        rows = rows.filter(
            sponsor_id=ids.decode(wanted.sponsor_id, "Sponsor", argument="sponsorId")
        )
    if wanted.search and wanted.search.strip():
        rows = rows.filter(search_name__contains=text.folded(wanted.search.strip()))
    found = await pagination.page_of_values(
        rows, LISTED, first=first, after=after, order=("search_name", "id")
    )
    return connection(found, Institution.from_listing)


async def institution_by_id(info: Info, id: strawberry.ID) -> Institution | None:
    visible = institution.visible_to(info.context.actor)
    row = await visible.select_related("sponsor").get_or_none(id=ids.decode(id, "Institution"))
    return Institution.from_model(row) if row else None
