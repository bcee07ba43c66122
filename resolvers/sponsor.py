"""Reading sponsors, within the caller's scope."""

from __future__ import annotations

from typing import Annotated

import strawberry

from engine.context import Info
from models import admins, sponsor, text
from models.conditions import AllOf, Condition, Contains, Equals
from schema.types import ids
from schema.types import keyset as pagination
from schema.types.arguments import After, First, SponsorId
from schema.types.enums import SponsorStatus
from schema.types.institution import Sponsor
from schema.types.pagination import Connection, connection
from schema.types.search import search_term


async def sponsors(
    info: Info,
    first: First = None,
    after: After = None,
    search: Annotated[
        str | None,
        strawberry.argument(
            description="Part of the name, at most 100 characters; case and accents are ignored."
        ),
    ] = None,
    status: Annotated[
        SponsorStatus | None,
        strawberry.argument(description="Only sponsors in this status (`WITHDRAWN`: canton)."),
    ] = None,
    without_admin: Annotated[
        bool | None,
        strawberry.argument(
            description="`true`: only sponsors that are not withdrawn and have no admin at "
            "all — no active `SPONSOR_ADMIN` and no invited one (an invitation that has not "
            "expired, to someone not blocked); `false`: only those that are not withdrawn and "
            "have one. For the canton, to find who needs a new admin."
        ),
    ] = None,
) -> Connection[Sponsor]:
    where: list[Condition] = [info.context.scope.sponsors()]
    if status is not None:
        where.append(Equals("status", status.value))
    if without_admin is not None:
        where.append(admins.sponsors_where(without_admin=without_admin))
    if (term := search_term(search)) is not None:
        where.append(Contains(("search_name",), text.folded(term)))
    found = await pagination.page_where(
        sponsor.Sponsor, AllOf(tuple(where)), first=first, after=after, order=("search_name", "id")
    )
    return connection(found, Sponsor.from_model)


async def sponsor_by_id(info: Info, id: SponsorId) -> Sponsor | None:
    row = await sponsor.visible_to(info.context.scope).get_or_none(id=ids.decode(id, "Sponsor"))
    return Sponsor.from_model(row) if row else None
