"""Reading people, within the caller's scope."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import strawberry

from engine.context import Info
from models import invitation, user
from models.conditions import AllOf, Condition, Contains, Equals
from schema.types import ids
from schema.types import keyset as pagination
from schema.types.arguments import After, First, UserId
from schema.types.nodes import joins_selected
from schema.types.pagination import Connection, connection
from schema.types.search import search_term
from schema.types.user import User, UserFilter


async def users(
    info: Info,
    first: First = None,
    after: After = None,
    filter: Annotated[
        UserFilter | None, strawberry.argument(description="Narrows the list.")
    ] = None,
) -> Connection[User]:
    wanted, scope = filter or UserFilter(), info.context.scope
    where: list[Condition] = [scope.people_seen()]
    if wanted.role is not None:
        where.append(Equals("role", wanted.role.value))
    if wanted.status is not None:
        where.append(Equals("status", wanted.status.value))
    scoped = ids.scope_filter(wanted.sponsor_id, wanted.institution_id)
    where += [Equals(column, value) for column, value in scoped.items()]
    if (term := search_term(wanted.search)) is not None:
        where.append(Contains(("email_key", "first_name", "last_name"), term, ignoring_case=True))
    found = await pagination.page_where(
        user.User,
        AllOf(tuple(where)),
        first=first,
        after=after,
        order=("email_key", "id"),
        joins={"id": invitation.open_invitations(scope), **joins_selected(info, User)},
    )
    shown = await invitation.as_seen(found.rows, by=scope, newest=found.joined["id"])
    found = replace(found, rows=shown)
    return connection(found, User.from_model)


async def user_by_id(info: Info, id: UserId) -> User | None:
    row = await user.seen_by(info.context.scope).get_or_none(id=ids.decode(id, "User"))
    if row is None:
        return None
    return User.from_model((await invitation.as_seen([row], by=info.context.scope))[0])
