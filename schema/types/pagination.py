"""Relay connections (`edges { node cursor }`, `pageInfo`), one per listed type."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import strawberry

from engine.batch import batched, one
from engine.context import Context, Info
from schema.types.keyset import Count, Page

T = TypeVar("T")
R = TypeVar("R")


@strawberry.type(description="Where a page stands in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More follow: ask again with `endCursor`.")
    has_previous_page: bool = strawberry.field(
        description="This page came after a cursor (pages run forward only)."
    )
    start_cursor: str | None = strawberry.field(description="The cursor of the first edge.")
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last edge: pass it as `after` for the next page."
    )


def _cursors(_: Context, edges: Sequence[Edge[Any]], __: Mapping[str, Any]) -> list[str]:
    return [edge.page.cursor_of(edge.row) for edge in edges]


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    # What the node was made from, on its page: written as a cursor only when one is asked for.
    row: strawberry.Private[Any]
    page: strawberry.Private[Page[Any]]

    @strawberry.field(
        description="Opaque; pass it as `after` to continue from here.",
        metadata=batched(_cursors),
    )
    async def cursor(self, info: Info) -> str:
        found: str = await one(info, _cursors, self)
        return found


async def _total_counts(
    _: Context, connections: Sequence[Connection[Any]], __: Mapping[str, Any]
) -> list[int | None]:
    return [None if c.counted is None else await c.counted() for c in connections]


@strawberry.type(description="One page of a list, in the list's stable order.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Whether more follow, and from where.")
    counted: strawberry.Private[Count | None] = None

    @strawberry.field(
        description="How many items the whole list holds with its filter (all pages), for "
        '"page 3 of 12"; counted only when asked for, in one statement. Null where a list '
        "does not offer it: the institutions nested in a sponsor.",
        metadata=batched(_total_counts),
    )
    async def total_count(self, info: Info) -> int | None:
        found: int | None = await one(info, _total_counts, self)
        return found


def connection(page: Page[R], to_node: Callable[[R], T]) -> Connection[T]:
    rows = page.rows
    return Connection(
        edges=[Edge(node=to_node(row), row=row, page=page) for row in rows],
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursor_of(rows[0]) if rows else None,
            end_cursor=page.cursor_of(rows[-1]) if rows else None,
        ),
        counted=page.count,
    )
