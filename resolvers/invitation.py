"""Reading invitations, within the caller's scope."""

from __future__ import annotations

from typing import Annotated

import strawberry

from engine.context import Info
from models import clock, invitation
from models.invitation import InvitationStatus
from schema.types import ids
from schema.types import keyset as pagination
from schema.types.arguments import After, First
from schema.types.invitation import Invitation, InvitationFilter
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
    rows = invitation.visible_to(info.context.scope)
    wanted = filter or InvitationFilter()
    if wanted.status == InvitationStatus.EXPIRED:
        rows = rows.filter(status=InvitationStatus.PENDING, expires_at__lte=clock.now())
    elif wanted.status == InvitationStatus.PENDING:
        rows = rows.filter(status=InvitationStatus.PENDING, expires_at__gt=clock.now())
    elif wanted.status is not None:
        rows = rows.filter(status=wanted.status)
    rows = rows.filter(**ids.scope_filter(wanted.sponsor_id, wanted.institution_id))
    if (term := search_term(wanted.search)) is not None:
        rows = rows.filter(email__icontains=term)
    found = await pagination.page(rows, first=first, after=after, order=("id",))
    return connection(found, Invitation.from_model)
