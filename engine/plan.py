"""Filling a selection level by level, from its plan (`engine.planner`, `engine.kept_plans`).

A plan says, for one selection of one object type, what each response key is: a plain
attribute (a leaf, a list of leaves, an object or a list of objects), `__typename`, or a
batched field (`engine.batch`). Filling runs breadth-first: all objects of one level at once,
each batched field called once for the whole level, then the objects of the next level
together. So a page of 50 people with their sponsor and institution is three loops and two
batch calls, not hundreds of resolver calls, awaitables and tasks. Each level's loop is code
written for its plan when the plan is made (`level_code`): one dict display per object.

Anything unusual about a value (a null where none may be, a value its type refuses, an object
of another class, a failing batch) raises `Unusual`: the executor then takes graphql-core's
long way for that selection, which reports it exactly as graphql-core does.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from keyword import iskeyword
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


# One level of a plan: the values in, the filled objects and the objects of the next level out.
Level = Callable[
    [Sequence[Any], Mapping[str, Sequence[Any]]],
    tuple[list[dict[str, Any]], list[tuple["ObjectPlan", list[Any], list[tuple[Any, Any]]]]],
]


@dataclass(frozen=True, slots=True)
class ObjectPlan:
    origin: type | None  # the class every value must be of (None: the type checks nothing)
    entries: tuple[Entry, ...]
    batched: bool  # a batched field somewhere in this selection: filling awaits
    level: Level = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", _level_of(self))


def _leaf(entry: Entry, value: Any) -> Any:
    leaf = entry.leaf
    assert leaf is not None
    coerced = leaf.coerce_output_value(value)
    if coerced is None or coerced is Undefined:
        raise Unusual
    return coerced


def _listed(
    entry: Entry, item: Any, children: list[Any], slots: list[tuple[Any, Any]]
) -> list[Any]:
    """A list's value: its leaves completed, or its objects' places kept for the next level."""
    if not isinstance(item, list | tuple):
        raise Unusual
    if entry.plan is None:
        leaves: list[Any] = []
        for part in item:
            if part is None:
                _null_item(entry)
            leaves.append(None if part is None else _leaf(entry, part))
        return leaves
    parts: list[Any] = [None] * len(item)
    for index, part in enumerate(item):
        if part is None:
            _null_item(entry)
            continue
        children.append(part)
        slots.append((parts, index))
    return parts


def _level_of(plan: ObjectPlan) -> Level:
    """The plan's level as one function written for its entries: a loop over the values that
    builds each object in one dict display, not a loop over the entries for each value.

    The code depends only on what kind each entry is, so the few shapes a schema's selections
    have are written once (`level_code`); the response keys, types and plans are its arguments.
    """
    shape = tuple(_shape(entry) for entry in plan.entries)
    given: list[Any] = [plan.origin, get_strawberry_type_cast, Unusual]
    for entry in plan.entries:
        given += [
            entry.key,
            entry.attribute,
            entry.type_name,
            entry.as_is,
            entry.plan,
            partial(_leaf, entry),
            partial(_listed, entry),
        ]
    made: Level = level_code(plan.origin is not None, shape)(*given)
    return made


# What the code of an entry depends on: its kind, whether it is non-null, whether a batch
# answers it, and the attribute it reads where that can be written as `v.name`.
Shape = tuple[str, bool, bool, str | None]


def _shape(entry: Entry) -> Shape:
    if entry.type_name is not None:
        kind = "typename"
    elif entry.is_list:
        kind = "list"
    else:
        kind = "leaf" if entry.plan is None else "object"
    attribute = entry.attribute
    plain = attribute is not None and attribute.isidentifier() and not iskeyword(attribute)
    return kind, entry.non_null, entry.batch is not None, attribute if plain else None


@lru_cache(maxsize=256)
def level_code(checked: bool, shape: tuple[Shape, ...]) -> Callable[..., Level]:
    """The function that makes a level's function of this shape (see `_level_of`): `v` is a
    value, `x<n>` the value of entry n, `b<n>` its batch's answer; `K`, `A`, `T`, `S`, `P`,
    `L`, `M` the entry's key, attribute, type name, class a leaf keeps as it is, plan, leaf
    completion and list completion."""
    arguments = ["ORIGIN", "CAST", "U"]
    setup, per_value, placed, handed_down = [], [], [], []
    batches = [n for n, (_, _, batched, _) in enumerate(shape) if batched]
    for n, (kind, non_null, batched, attribute) in enumerate(shape):
        arguments += [f"K{n}", f"A{n}", f"T{n}", f"S{n}", f"P{n}", f"L{n}", f"M{n}"]
        if kind == "typename":
            continue
        if batched:
            setup.append(f"B{n} = answers[K{n}]")
        read = f"b{n}" if batched else f"v.{attribute}" if attribute else f"getattr(v, A{n})"
        per_value.append(f"x{n} = {read}")
        if non_null:
            per_value += [f"if x{n} is None:", "    raise U"]
        if kind == "leaf":
            kept = f"type(x{n}) is not S{n}"
            per_value += [f"if {kept if non_null else f'x{n} is not None and {kept}'}:"]
            per_value += [f"    x{n} = L{n}(x{n})"]
            continue
        setup.append(f"C{n}, Z{n} = [], []")
        handed_down += [f"if C{n}:", f"    below.append((P{n}, C{n}, Z{n}))"]
        if kind == "list":
            completed = f"x{n} = M{n}(x{n}, C{n}, Z{n})"
            per_value += [completed] if non_null else [f"if x{n} is not None:", f"    {completed}"]
        else:  # an object, completed with the next level in the place the dict keeps for it
            placed += [
                f"if x{n} is not None:",
                f"    C{n}.append(x{n})",
                f"    Z{n}.append((d, K{n}))",
            ]
    display = ", ".join(
        f"K{n}: T{n}" if kind == "typename" else f"K{n}: x{n}"
        for n, (kind, _, _, _) in enumerate(shape)
    )
    loop = (
        f"for v, {', '.join(f'b{n}' for n in batches)} in zip(values, "
        f"{', '.join(f'B{n}' for n in batches)}):"
        if batches
        else "for v in values:"
    )
    check = ["for v in values:", "    if type(v) is not ORIGIN or CAST(v) is not None:"]
    check += ["        raise U"]
    lines = [
        f"def make({', '.join(arguments)}):",
        "    def level(values, answers):",
        *_indented(2, (check if checked else []) + setup),
        "        filled = []",
        "        below = []",
        f"        {loop}",
        *_indented(3, per_value),
        f"            d = {{{display}}}",
        "            filled.append(d)",
        *_indented(3, placed),
        *_indented(2, handed_down),
        "        return filled, below",
        "    return level",
    ]
    namespace: dict[str, Any] = {}
    exec("\n".join(lines), namespace)  # noqa: S102  # code of our own writing, no request's text
    made: Callable[..., Level] = namespace["make"]
    return made


def _indented(depth: int, lines: list[str]) -> list[str]:
    return ["    " * depth + line for line in lines]


def _null_item(entry: Entry) -> None:
    if entry.item_non_null:
        raise Unusual


def fill(plan: ObjectPlan, values: Sequence[Any]) -> list[dict[str, Any]]:
    """A selection without batched fields, completed at once."""
    deadline.check(deadline.current())  # a large list stops within one level's work
    try:
        filled, below = plan.level(values, {})
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
        filled, below = plan.level(values, answers)
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
