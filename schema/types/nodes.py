"""Relay's global object identification: the `Node` interface and loading nodes by ID.

Our own small interface rather than Strawberry's `relay.Node`: the global ID is computed once
per row (base64 of `Type:id`, the Relay format) instead of through a resolver per object, which
on a page of 50 is a measurable part of the request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import strawberry
from tortoise.models import Model
from tortoise.queryset import QuerySet

M = TypeVar("M", bound=Model)
T = TypeVar("T")


@strawberry.interface(description="An object with a global ID, to fetch again with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global and opaque; the same in every list.")


async def visible_nodes(
    visible: QuerySet[M], node_ids: Iterable[str], from_model: Callable[[M], T]
) -> list[T | None]:
    """Nodes in the order asked for; one the caller may not see is null, like one that is gone."""
    ids = [int(i) for i in node_ids]
    rows = {row.pk: row for row in await visible.filter(pk__in=ids)}
    return [from_model(rows[i]) if i in rows else None for i in ids]
