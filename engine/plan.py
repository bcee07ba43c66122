"""Filling a selection level by level, from its plan (`engine.planner`, `engine.kept_plans`).

A plan says, for one selection of one object type, what each response key is: a plain
attribute (a leaf, a list of leaves, an object or a list of objects), `__typename`, or a
batched field (`engine.batch`). Filling runs breadth-first: all objects of one level at once,
each batched field called once for the whole level, then the objects of the next level
together. So a page of 50 people with their sponsor and institution is three loops and two
batch calls, not hundreds of resolver calls, awaitables and tasks.

Anything unusual about a value (a null where none may be, a value its type refuses, an object
of another class, a failing batch) raises `Unusual`: the executor then takes graphql-core's
long way for that selection, which reports it exactly as graphql-core does.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLEnumType, GraphQLScalarType
from graphql.pyutils import Undefined
from strawberry.types.cast import get_strawberry_type_cast

from engine import deadline
from engine.batch import Batch


class Unusual(Exception):
    """The plan cannot fill this selection: take the long way."""


@dataclass(frozen=True, slots=True)
class Entry:
    key: str  # the response name
    attribute: str | None  # the Python attribute read (None: batched, or `__typename`)
    non_null: bool
    is_list: bool
    item_non_null: bool
    leaf: GraphQLScalarType | GraphQLEnumType | None  # the type of a leaf value
    plan: ObjectPlan | None  # the plan of an object value
    batch: Batch | None = None
    arguments: tuple[tuple[str, Any], ...] = ()
    type_name: str | None = None  # for `__typename`
    as_is: type | None = None  # a leaf's values of exactly this class serialize unchanged


@dataclass(frozen=True, slots=True)
class ObjectPlan:
    origin: type | None  # the class every value must be of (None: the type checks nothing)
    entries: tuple[Entry, ...]
    batched: bool  # a batched field somewhere in this selection: filling awaits


def _leaf(entry: Entry, value: Any) -> Any:
    leaf = entry.leaf
    assert leaf is not None
    coerced = leaf.coerce_output_value(value)
    if coerced is None or coerced is Undefined:
        raise Unusual
    return coerced


def _level(
    plan: ObjectPlan, values: Sequence[Any], answers: dict[str, Sequence[Any]]
) -> tuple[list[dict[str, Any]], list[tuple[ObjectPlan, list[Any], list[tuple[Any, Any]]]]]:
    """One level: the objects with their leaves filled, and the objects of the next level
    (their plan, the values, and where each filled one goes)."""
    origin = plan.origin
    if origin is not None:
        for value in values:
            if type(value) is not origin or get_strawberry_type_cast(value) is not None:
                raise Unusual
    filled: list[dict[str, Any]] = [{} for _ in values]
    below: list[tuple[ObjectPlan, list[Any], list[tuple[Any, Any]]]] = []
    until = deadline.current()
    for entry in plan.entries:
        deadline.check(until)  # a level of a large list is one field of every row at a time
        key = entry.key
        if entry.type_name is not None:
            for completed in filled:
                completed[key] = entry.type_name
            continue
        if entry.batch is not None:
            column: Sequence[Any] = answers[key]
        else:
            attribute = entry.attribute
            column = [getattr(value, attribute) for value in values]  # type: ignore[arg-type]
        children: list[Any] = []
        slots: list[tuple[Any, Any]] = []
        for completed, item in zip(filled, column, strict=True):
            if item is None:
                if entry.non_null:
                    raise Unusual
                completed[key] = None
            elif entry.is_list:
                if not isinstance(item, list | tuple):
                    raise Unusual
                if entry.plan is None:
                    leaves: list[Any] = []
                    for part in item:
                        if part is None:
                            _null_item(entry)
                        leaves.append(None if part is None else _leaf(entry, part))
                    completed[key] = leaves
                    continue
                parts: list[Any] = [None] * len(item)
                completed[key] = parts
                for index, part in enumerate(item):
                    if part is None:
                        _null_item(entry)
                        continue
                    children.append(part)
                    slots.append((parts, index))
            elif entry.plan is None:
                completed[key] = item if type(item) is entry.as_is else _leaf(entry, item)
            else:
                completed[key] = None  # keeps the key's place; filled with the next level
                children.append(item)
                slots.append((completed, key))
        if children:
            assert entry.plan is not None
            below.append((entry.plan, children, slots))
    return filled, below


def _null_item(entry: Entry) -> None:
    if entry.item_non_null:
        raise Unusual


def fill(plan: ObjectPlan, values: Sequence[Any]) -> list[dict[str, Any]]:
    """A selection without batched fields, completed at once."""
    try:
        filled, below = _level(plan, values, {})
        for child_plan, children, slots in below:
            for (container, key), value in zip(slots, fill(child_plan, children), strict=True):
                container[key] = value
    except Unusual:
        raise
    except Exception:  # the long way reports it
        raise Unusual from None
    return filled


async def fill_batched(plan: ObjectPlan, values: Sequence[Any], context: Any) -> list[Any]:
    """A selection with batched fields: each level's batches run together, once."""
    deadline.check(deadline.current())
    try:
        answers = await _answers(plan, values, context)
        filled, below = _level(plan, values, answers)
        for child_plan, children, slots in below:
            if child_plan.batched:
                done = await fill_batched(child_plan, children, context)
            else:
                done = fill(child_plan, children)
            for (container, key), value in zip(slots, done, strict=True):
                container[key] = value
    except Unusual:
        raise
    except deadline.Expired:
        raise deadline.DeadlinePassed() from None
    except Exception:  # the long way reports it
        raise Unusual from None
    return filled


async def _answers(
    plan: ObjectPlan, values: Sequence[Any], context: Any
) -> dict[str, Sequence[Any]]:
    """Every batched field of the level, concurrently: their statements run side by side. A
    batch that answers at once (from memory) is not awaited."""
    batched = [entry for entry in plan.entries if entry.batch is not None]
    if not batched or not values:
        return {entry.key: [] for entry in batched}
    columns: list[Any] = []
    try:
        for entry in batched:
            columns.append(entry.batch(context, values, dict(entry.arguments)))  # type: ignore[misc]
    except BaseException:
        for column in columns:  # none of them will be awaited
            if inspect.iscoroutine(column):
                column.close()
        raise
    waiting = [n for n, column in enumerate(columns) if inspect.isawaitable(column)]
    if len(waiting) == 1:
        columns[waiting[0]] = await columns[waiting[0]]
    elif waiting:
        done = await deadline.gather(*(columns[n] for n in waiting))
        for n, column in zip(waiting, done, strict=True):
            columns[n] = column
    if any(len(column) != len(values) for column in columns):
        raise Unusual
    return {entry.key: column for entry, column in zip(batched, columns, strict=True)}
