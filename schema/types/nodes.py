"""Relay's global object identification: the `Node` interface and loading nodes by ID.

Our own small interface rather than Strawberry's `relay.Node`: the global ID is computed once
per row (base64 of `Type:id`, the Relay format) instead of through a resolver per object, which
on a page of 50 is a measurable part of the request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import get_object_definition
from strawberry.types.nodes import SelectedField, Selection
from tortoise.models import Model
from tortoise.queryset import QuerySet

from engine.batch import BATCH
from engine.context import Context, Info
from engine.loaders import Of, at_once, primed
from models.reading import Record

M = TypeVar("M", bound=Model)
R = TypeVar("R", bound=Record)
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


class Related(Generic[R, T]):
    """The batch of a field that shows the row another row points to (`key`, e.g.
    `sponsor_id`): one load of the distinct keys of a whole level, by the loader's own
    statement, which answers within the caller's scope (null for a row the caller may not
    see). A whole level is one batch already: no futures per key. A list whose selection
    shows the field reads those rows with its own (`joins_selected`): then the level's load
    finds them all and sends nothing."""

    def __init__(
        self, key: str, loader: Callable[[Context], Of[R]], to_node: Callable[[R], T]
    ) -> None:
        self.key = key
        self.loader = loader
        self.to_node = to_node

    def __call__(
        self, context: Context, parents: Sequence[Any], _: Mapping[str, Any]
    ) -> list[T | None] | Awaitable[list[T | None]]:
        """At once where the list read every row already (`joins_selected`), else awaitable."""
        keys = [getattr(parent, self.key) for parent in parents]
        wanted = list({k for k in keys if k is not None})
        loader = self.loader(context)
        known = primed(loader, wanted)
        if len(known) == len(wanted):
            return self._nodes(keys, known)
        return self._loaded(keys, wanted, loader, known)

    async def _loaded(
        self, keys: list[Any], wanted: list[Any], loader: Of[R], known: dict[Any, R | None]
    ) -> list[T | None]:
        rows = await at_once(loader, wanted, known)
        return self._nodes(keys, dict(zip(wanted, rows, strict=True)))

    def _nodes(self, keys: list[Any], found: Mapping[Any, R | None]) -> list[T | None]:
        nodes = {k: self.to_node(row) for k, row in found.items() if row is not None}
        return [None if k is None else nodes.get(k) for k in keys]


_related_fields: dict[type, dict[str, Related[Any, Any]]] = {}


def _related_of(node_type: type, names: NameConverter) -> dict[str, Related[Any, Any]]:
    """The fields of `node_type` that are `Related` batches, by GraphQL name."""
    known = _related_fields.get(node_type)
    if known is None:
        definition = get_object_definition(node_type, strict=True)
        known = {
            names.get_graphql_name(field): batch
            for field in definition.fields
            if isinstance(batch := field.metadata.get(BATCH), Related)
        }
        _related_fields[node_type] = known
    return known


def _below(selections: Iterable[Selection], path: Sequence[str]) -> Iterator[str]:
    """The names of the fields selected at `path` below `selections`, through fragments."""
    for selection in selections:
        if not isinstance(selection, SelectedField):  # a fragment: its fields are selected here
            yield from _below(selection.selections, path)
        elif not path:
            yield selection.name
        elif selection.name == path[0]:
            yield from _below(selection.selections, path[1:])


def joins_selected(info: Info, node_type: type) -> dict[str, Of[Any]]:
    """The relations a page of `node_type` shows (its `Related` fields selected under
    `edges { node }`), by foreign key: `page_where` reads them with the page's rows."""
    fields = _related_of(node_type, info.schema.config.name_converter)
    joins: dict[str, Of[Any]] = {}
    for field in info.selected_fields:  # this list's field (more than one: merged alike)
        for name in _below(field.selections, ("edges", "node")):
            relation = fields.get(name)
            if relation is not None:
                joins[relation.key] = relation.loader(info.context)
    return joins
