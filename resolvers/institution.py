"""Reading institutions, within the caller's scope."""

from __future__ import annotations

from typing import Annotated

import strawberry

from engine.context import Info
from models import admins, institution
from schema.types import ids
from schema.types import keyset as pagination
from schema.types.arguments import After, First, InstitutionId
from schema.types.institution import Institution, InstitutionFilter
from schema.types.pagination import Connection, connection
from schema.types.search import search_term

ORDER = ("search_name", "id")


async def institutions(
    info: Info,
    first: First = None,
    after: After = None,
    filter: Annotated[
        InstitutionFilter | None, strawberry.argument(description="Narrows the list.")
    ] = None,
) -> Connection[Institution]:
    wanted = filter or InstitutionFilter()
    size = pagination.check_page_size(first)
    start = pagination.decode_cursor(after, ORDER) if after is not None else None
    scope, listed = (
        info.context.scope,
        institution.ListFilter(
            care_type=wanted.care_type,
            status=wanted.status,
            sponsor_id=ids.decode_optional(wanted.sponsor_id, "Sponsor", argument="sponsorId"),
            search=search_term(wanted.search),
            admin=None
            if wanted.without_admin is None
            else admins.institutions_where(without_admin=wanted.without_admin),
        ),
    )
    rows = await institution.listing(scope, listed, after=start, limit=size + 1)

    async def count() -> int:
        return await institution.count_listed(scope, listed)

    found = pagination.page_of(rows, size=size, after=after, order=ORDER, count=count)
    return connection(found, Institution.from_listing)


async def institution_by_id(info: Info, id: InstitutionId) -> Institution | None:
    visible = institution.visible_to(info.context.scope)
    row = await visible.select_related("sponsor").get_or_none(id=ids.decode(id, "Institution"))
    return Institution.from_model(row) if row else None
