"""Reading invitations, within the caller's scope."""

from __future__ import annotations

from typing import Annotated

import strawberry

from engine.context import Info
from models import clock, invitation
from models.conditions import AllOf, Compare, Condition, Contains, Equals
from models.invitation import InvitationStatus
from schema.types import ids
from schema.types import keyset as pagination
from schema.types.arguments import After, First
from schema.types.invitation import Invitation, InvitationFilter
from schema.types.nodes import joins_selected
from schema.types.pagination import Connection, connection
from schema.types.search import search_term


async def invitations(
    info: Info,
    first: First = None,
    after: After = None,
    filter: Annotated[
        InvitationFilter | None, strawberry.argument(description="Narrows the list.")
    ] = None,
) -> Connection[Invitation]:
    wanted = filter or InvitationFilter()
    where: list[Condition] = [info.context.scope.invitations()]
    if wanted.status in (InvitationStatus.EXPIRED, InvitationStatus.PENDING):
        expired = wanted.status == InvitationStatus.EXPIRED
        where.append(Equals("status", InvitationStatus.PENDING.value))
        where.append(Compare("expires_at", "lte" if expired else "gt", clock.now()))
    elif wanted.status is not None:
        where.append(Equals("status", wanted.status.value))
    scoped = ids.scope_filter(wanted.sponsor_id, wanted.institution_id)
    where += [Equals(column, value) for column, value in scoped.items()]
    if (term := search_term(wanted.search)) is not None:
        where.append(Contains(("email",), term, ignoring_case=True))
    found = await pagination.page_where(
        invitation.Invitation,
        AllOf(tuple(where)),
        first=first,
        after=after,
        joins=joins_selected(info, Invitation),
    )
    return connection(found, Invitation.from_model)
