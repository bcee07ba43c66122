"""Fields that resolve for all their parents at once: one call per level of a document, never
one per row.

A batched field names a batch function: given the request's context, the field's arguments and
every parent object the level holds, it returns one value per parent, in order. The planned
executor (`engine.executor`) calls it once for a whole level. Where graphql-core resolves the
field the long way, parent by parent, the field's resolver calls `one`, and a per-request
DataLoader collects the parents of one tick into one call of the same function: both ways run
the same code, with the same SQL.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from engine.context import Info

# Where a field's Strawberry metadata names its batch function.
BATCH = "kibon.batch"

# (the request's context, the parents, the field's arguments) → one value per parent, or an
# awaitable of them: a batch that finds all it needs in memory (rows a list read with its own
# statement) answers at once, and the level needs no task for it.
Batch = Callable[[Any, Sequence[Any], Mapping[str, Any]], Sequence[Any] | Awaitable[Sequence[Any]]]


def batched(batch: Batch) -> dict[str, Batch]:
    """The metadata of a batched field: `strawberry.field(metadata=batched(…))`."""
    return {BATCH: batch}


async def one(info: Info, batch: Batch, parent: Any, **arguments: Any) -> Any:
    """The value of a batched field for one parent, batched with the other parents of this
    tick that ask with the same arguments."""
    context = info.context
    key = (batch, tuple(sorted(arguments.items())))
    loader = context.batches.get(key)
    if loader is None:

        async def load(parents: Sequence[Any]) -> Sequence[Any]:
            return await answered(batch(context, parents, arguments))

        # Parents are objects of the API's types, compared by identity, and asked for once.
        loader = DataLoader(load_fn=load, cache=False)
        context.batches[key] = loader
    return await loader.load(parent)


async def answered(column: Sequence[Any] | Awaitable[Sequence[Any]]) -> Sequence[Any]:
    """A batch's answer, awaited where it has to be."""
    return await column if inspect.isawaitable(column) else column
