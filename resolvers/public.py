"""The family portal's list of institutions; needs no token."""

from __future__ import annotations

from typing import Annotated

import strawberry

from engine.context import Info
from models import clock, institution
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
    wanted = filter or PublicInstitutionFilter()
    rows = institution.listed_publicly(
        available_on=wanted.available_on or clock.today(),
        care_type=wanted.care_type,
        search=search_term(wanted.search),
    ).select_related("sponsor")
    found = await pagination.page(rows, first=first, after=after, order=("search_name", "id"))
    return connection(found, PublicInstitution.from_model)
