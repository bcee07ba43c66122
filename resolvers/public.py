"""The family portal's list of institutions; needs no token."""

from __future__ import annotations

from engine.context import Info
from models import clock, institution
from schema.types import keyset as pagination
from schema.types.pagination import Connection, connection
from schema.types.public import PublicInstitution, PublicInstitutionFilter


async def public_institutions(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: PublicInstitutionFilter | None = None,
) -> Connection[PublicInstitution]:
    wanted = filter or PublicInstitutionFilter()
    rows = institution.listed_publicly(
        available_on=wanted.available_on or clock.today(),
        care_type=wanted.care_type,
        search=wanted.search,
    ).select_related("sponsor")
    found = await pagination.page(rows, first=first, after=after, order=("search_name", "id"))
    return connection(found, PublicInstitution.from_model)
