"""Relay's global object identification: the `Node` interface and loading nodes by ID.

Our own small interface rather than Strawberry's `relay.Node`: the global ID is computed once
per row (base64 of `Type:id`, the Relay format) instead of through a resolver per object, which
on a page of 50 is a measurable part of the request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader
from tortoise.models import Model
from tortoise.queryset import QuerySet

from engine.batch import Batch
from engine.context import Context
from engine.loaders import at_once

M = TypeVar("M", bound=Model)
R = TypeVar("R")
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


def related(
    key: str, loader: Callable[[Context], DataLoader[int, R | None]], to_node: Callable[[R], T]
) -> Batch:
    """The batch of a field that shows the row another row points to (`key`, e.g.
    `sponsor_id`): one load of the distinct keys of a whole level, by the loader's own
    statement, which answers within the caller's scope (null for a row the caller may not
    see). A whole level is one batch already: no futures per key."""

    async def batch(
        context: Context, parents: Sequence[Any], _: Mapping[str, Any]
    ) -> list[T | None]:
        keys = [getattr(parent, key) for parent in parents]
        wanted = list({k for k in keys if k is not None})
        rows = await at_once(loader(context), wanted)
        found = dict(zip(wanted, rows, strict=True))
        nodes = {k: to_node(row) for k, row in found.items() if row is not None}
        return [None if k is None else nodes.get(k) for k in keys]

    return batch
