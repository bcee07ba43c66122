"""Shared glue for Relay nodes: loading by global ID within the caller's scope."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

M = TypeVar("M", bound=Model)
T = TypeVar("T")


async def visible_nodes(
    visible: QuerySet[M], node_ids: Iterable[str], from_model: Callable[[M], T]
) -> list[T | None]:
    """Nodes in the order asked for; one the caller may not see is null, like one that is gone."""
    ids = [int(i) for i in node_ids]
    rows = {row.pk: row for row in await visible.filter(pk__in=ids)}
    return [from_model(rows[i]) if i in rows else None for i in ids]
