"""The plain-field executor answers exactly as graphql-core does, only faster.

Each query runs on the same small schema twice, with Strawberry's executor and with ours, and
the two answers (data, error messages, paths) must be equal; plus the points where a faster
path could quietly differ: DataLoader batches across list items, and which fields take it.
"""

from __future__ import annotations

import gc
import importlib.metadata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from graphql import GraphQLError, GraphQLString, parse
from strawberry.dataloader import DataLoader
from strawberry.extensions import ParserCache
from strawberry.schema.schema_converter import CustomGraphQLEnumType
from strawberry.types import Info

from engine import deadline, executor
from engine.batch import batched, one
from engine.definitions import plain_attribute
from engine.executor import CHECKED_WITH, STOCK_EXECUTOR, PlainFieldExecutor
from engine.kept_plans import KeptPlans
from engine.plan import Entry, ObjectPlan, fill, level_code
from schema.root import build_schema
from settings import Settings


@dataclass
class Context:
    loader: DataLoader[int, int]
    batches: dict[Any, Any] = field(default_factory=dict)
    calls: list[tuple[str, list[Any]]] = field(default_factory=list)


async def shades(
    context: Context, branches: Sequence[Any], arguments: Mapping[str, Any]
) -> list[int]:
    context.calls.append(("shade", [branch.title for branch in branches]))
    if arguments["factor"] == 0:
        raise ValueError("no shade without light")
    return [len(branch.title) * arguments["factor"] for branch in branches]


def twins(context: Context, leaves: Sequence[Any], _: Mapping[str, Any]) -> list[Any]:
    """A batch that answers at once, not awaitable."""
    context.calls.append(("twin", [leaf.number for leaf in leaves]))
    return [leaf(one.number + 100) if one.number and one.number < 100 else None for one in leaves]


def initials(context: Context, branches: Sequence[Any], arguments: Mapping[str, Any]) -> list[str]:
    """At once too, beside `shades` (awaitable) on the same level."""
    context.calls.append(("initial", [branch.title for branch in branches]))
    if arguments["fail"]:
        raise ValueError("no initial today")
    return [branch.title[0] for branch in branches]


@strawberry.enum
class Season(Enum):
    SPRING = "spring"
    AUTUMN = "autumn"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Leaf(Named):
    number: int
    maybe: int | None
    tags: list[str]
    holes: list[str | None]
    strict_holes: list[str]
    failure: str | None
    season: Season = Season.SPRING

    @strawberry.field(description="Its twin, batched.", metadata=batched(twins))
    async def twin(self, info: Info[Any, Any]) -> Leaf | None:
        found: Leaf | None = await one(info, twins, self)
        return found


@strawberry.type
class GoldenLeaf(Leaf):
    """A subclass: recognised by isinstance, as graphql-core does, never by a plan's class."""


@strawberry.type
class Branch:
    title: str
    leaves: list[Leaf]
    leaf: Leaf | None
    strict_leaf: Leaf
    batch: list[int]

    @strawberry.field
    def computed(self, times: int = 2) -> str:
        return self.title * times

    @strawberry.field
    async def loaded(self, info: Info) -> int:
        loader: DataLoader[int, int] = info.context.loader
        return await loader.load(len(self.title))

    @strawberry.field(description="Batched.", metadata=batched(shades))
    async def shade(self, info: Info[Any, Any], factor: int = 1) -> int:
        found: int = await one(info, shades, self, factor=factor)
        return found

    @strawberry.field(description="Batched, at once.", metadata=batched(initials))
    async def initial(self, info: Info[Any, Any], fail: bool = False) -> str:
        found: str = await one(info, initials, self, fail=fail)
        return found


def leaf(position: int, /, **overrides: Any) -> Leaf:
    values: dict[str, Any] = {
        "name": f"leaf {position}",
        "number": position,
        "maybe": None if position % 2 else position,
        "tags": ["a", "b"],
        "holes": ["x", None],
        "strict_holes": ["y"],
        "failure": None,
    }
    return Leaf(**(values | overrides))


def branches() -> list[Branch]:
    return [
        Branch(
            title="oak",
            leaves=[leaf(1), leaf(2)],
            leaf=leaf(3),
            strict_leaf=leaf(4),
            batch=[1, 2],
        ),
        Branch(
            title="birch",
            leaves=[leaf(5), GoldenLeaf(**vars(leaf(10, season=Season.AUTUMN)))],
            leaf=leaf(6, strict_holes=["z", None]),  # a null in a list of non-null: leaf null
            strict_leaf=leaf(7, failure=ValueError("the attribute holds an error")),
            batch=[],
        ),
        Branch(
            title="elm",
            leaves=[],
            leaf=leaf(8, number=None),  # a null for a non-null leaf: `leaf` becomes null
            strict_leaf=leaf(9),
            batch=[3],
        ),
    ]


@strawberry.type
class Tree:
    branches: list[Branch]
    odd_leaf: Leaf | None = None


class Impostor:
    """Has every attribute a Leaf has, but is no Leaf: graphql-core refuses it."""

    def __init__(self) -> None:
        self.__dict__.update(vars(leaf(11)))


@strawberry.type
class Query:
    @strawberry.field
    def branches(self) -> list[Branch]:
        return branches()

    @strawberry.field
    def tree(self) -> Tree:
        return Tree(branches=branches(), odd_leaf=Impostor())  # type: ignore[arg-type]

    @strawberry.field
    def broken(self) -> Branch:
        return Branch(title="x", leaves=[], leaf=None, strict_leaf=None, batch=[])  # type: ignore[arg-type]

    @strawberry.field
    def clean(self, rows: int = 3) -> list[Branch]:
        """Nothing unusual in them: the plan fills every level."""
        return [
            Branch(
                title=t,
                leaves=[leaf(n), leaf(n + 1)],
                leaf=leaf(n + 2),
                strict_leaf=leaf(n),
                batch=[],
            )
            for t, n in (("oak", 10), ("birch", 20), ("elm", 30))
        ][:rows]

    @strawberry.field
    def named(self) -> list[Named]:
        return [leaf(9)]


QUERIES = {
    "every kind of field": """{ branches { title computed(times: 3) loaded batch
        leaves { name number maybe tags holes strictHoles failure }
        leaf { name number strictHoles } strictLeaf { name failure } } }""",
    "aliases and __typename": """{ branches { t: title again: title __typename
        leaves { __typename n: number } } }""",
    "directives": """query ($yes: Boolean!) { branches { title @include(if: $yes)
        leaves @skip(if: $yes) { name } leaf { number @include(if: false) name } } }""",
    "fragments": """{ branches { ...B } } fragment B on Branch { title leaf { ...L } }
        fragment L on Leaf { name number }""",
    "a non-null object that is null": "{ broken { title strictLeaf { name } } }",
    "an interface": "{ named { name ... on Leaf { number } } }",
    "a plain list of objects": "{ tree { branches { title loaded leaf { name } } } }",
    "an object of the wrong class": "{ tree { oddLeaf { name number } } }",
    "batched fields": """{ tree { branches { title shade(factor: 2) initial
        leaves { name twin { number twin { number } } } leaf { twin { name } } } } }""",
    "a batched field that fails": "{ branches { title s: shade(factor: 0) leaf { name } } }",
    "a batched field that fails at once, beside one awaited": """{ branches { title
        shade(factor: 2) i: initial(fail: true) } }""",
    "plain objects only": """{ tree { __typename branches { __typename title batch
        leaves { __typename name season maybe tags holes }
        leaf { name number strictHoles } strictLeaf { name failure season } } } }""",
}


async def run(executor: Any, query: str) -> dict[str, Any]:
    calls: list[Sequence[int]] = []

    async def load(keys: Sequence[int]) -> list[int]:
        calls.append(keys)
        return [key * 10 for key in keys]

    schema = strawberry.Schema(query=Query, execution_context_class=executor)
    context = Context(DataLoader(load_fn=load))
    outcome = await schema.execute(query, {"yes": True}, context_value=context)
    return {
        "calls": context.calls,
        "data": outcome.data,
        "errors": sorted(
            (
                e.message,
                tuple(e.path or ()),
                tuple((at.line, at.column) for at in e.locations or ()),
            )
            for e in outcome.errors or []
        ),
        "batches": calls,
    }


@pytest.mark.parametrize("name", QUERIES)
async def test_answers_exactly_as_graphql_core(name: str) -> None:
    plain = await run(PlainFieldExecutor, QUERIES[name])
    reference = await run(None, QUERIES[name])

    assert plain.pop("calls") == reference.pop("calls") or "batched" in name
    assert plain == reference
    assert plain["data"] is not None or plain["errors"]


async def test_a_null_in_a_non_null_position_is_reported_where_graphql_core_reports_it() -> None:
    answer = await run(PlainFieldExecutor, QUERIES["every kind of field"])

    messages = {path: message for message, path, _ in answer["errors"]}
    assert messages[("branches", 1, "leaf", "strictHoles", 1)] == (
        "Cannot return null for non-nullable field Leaf.strictHoles."
    )
    assert messages[("branches", 2, "leaf", "number")] == (
        "Cannot return null for non-nullable field Leaf.number."
    )
    assert messages[("branches", 1, "strictLeaf", "failure")] == "the attribute holds an error"
    assert answer["data"]["branches"][1]["leaf"] is None
    assert answer["data"]["branches"][2]["leaf"] is None
    assert answer["data"]["branches"][0]["leaf"] == {
        "name": "leaf 3",
        "number": 3,
        "strictHoles": ["y"],
    }


async def test_loads_from_every_list_item_meet_in_one_batch() -> None:
    answer = await run(PlainFieldExecutor, "{ tree { branches { leaves { name } loaded } } }")

    assert answer["batches"] == [[3, 5]]  # "oak" and "elm" share a key: one call, two keys
    assert [b["loaded"] for b in answer["data"]["tree"]["branches"]] == [30, 50, 30]


def test_only_attribute_fields_without_arguments_take_the_plain_path() -> None:
    schema = strawberry.Schema(query=Query)
    branch = schema._schema.type_map["Branch"].fields  # type: ignore[attr-defined]

    assert plain_attribute(branch["title"]) == "title"
    assert plain_attribute(branch["strictLeaf"]) == "strict_leaf"
    assert plain_attribute(branch["computed"]) is None  # a resolver with an argument
    assert plain_attribute(branch["loaded"]) is None  # a resolver


async def test_a_batched_field_is_called_once_per_level_with_every_parent_of_it() -> None:
    query = """{ clean { title shade(factor: 2) initial
        leaves { name twin { number twin { number } } } leaf { twin { name } } } }"""
    answer = await run(PlainFieldExecutor, query)

    assert sorted(answer["calls"][:2]) == [  # one level (a batch that answers at once runs first)
        ("initial", ["oak", "birch", "elm"]),
        ("shade", ["oak", "birch", "elm"]),
    ]
    assert answer["calls"][2:] == [
        ("twin", [10, 11, 20, 21, 30, 31]),
        ("twin", [110, 111, 120, 121, 130, 131]),
        ("twin", [12, 22, 32]),
    ]
    assert answer == await run(None, query) | {"calls": answer["calls"]}
    assert [b["shade"] for b in answer["data"]["clean"]] == [6, 10, 6]
    assert [b["initial"] for b in answer["data"]["clean"]] == ["o", "b", "e"]


async def test_a_failing_batch_is_reported_where_graphql_core_reports_it() -> None:
    answer = await run(PlainFieldExecutor, QUERIES["a batched field that fails"])

    # `shade` is non-null in a list of non-null branches: the first error nulls the list
    assert [(message, path) for message, path, _ in answer["errors"]] == [
        ("no shade without light", ("branches", 0, "s"))
    ]
    assert answer["data"] is None


class Planning:
    """A schema with a parser cache, as the API's, and a count of the plans made."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.made = 0
        self.schema = strawberry.Schema(
            query=Query,
            execution_context_class=PlainFieldExecutor,
            extensions=[lambda: ParserCache(maxsize=64)],
        )
        make = executor.object_plan  # type: ignore[attr-defined]

        def counted(*args: Any) -> Any:
            self.made += 1
            return make(*args)

        monkeypatch.setattr(executor, "object_plan", counted)

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        context = Context(DataLoader(load_fn=lambda keys: _tens(keys)))
        outcome = await self.schema.execute(query, variables, context_value=context)
        assert not outcome.errors
        return outcome.data


async def _tens(keys: Sequence[int]) -> list[int]:
    return [key * 10 for key in keys]


async def test_a_plan_is_made_by_the_first_request_and_kept_for_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    planning = Planning(monkeypatch)
    query = """query ($rows: Int!) { clean(rows: $rows) { title shade(factor: 2)
        leaves { name twin { number } } } }"""

    first = await planning.data(query, {"rows": 3})
    made = planning.made
    again = await planning.data(query, {"rows": 2})  # a root field's variable: the same plan

    assert made >= 3
    assert planning.made == made
    assert again["clean"] == first["clean"][:2]
    assert [branch["shade"] for branch in first["clean"]] == [6, 10, 6]


async def test_a_selection_that_reads_a_variable_is_planned_in_every_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    planning = Planning(monkeypatch)
    argument = "query ($f: Int!) { clean { title shade(factor: $f) } }"
    spread = """query ($yes: Boolean!) { clean { title ...L @include(if: $yes) } }
        fragment L on Branch { leaf { name } }"""
    in_a_fragment = """query ($f: Int!) { clean { ...S } } fragment S on Branch { ...F }
        fragment F on Branch { shade(factor: $f) }"""

    doubled = await planning.data(argument, {"f": 2})
    tripled = await planning.data(argument, {"f": 3})
    shown = await planning.data(spread, {"yes": True})
    hidden = await planning.data(spread, {"yes": False})

    assert [b["shade"] for b in doubled["clean"]] == [6, 10, 6]
    assert [b["shade"] for b in tripled["clean"]] == [9, 15, 9]
    assert shown["clean"][0] == {"title": "oak", "leaf": {"name": "leaf 12"}}
    assert hidden["clean"][0] == {"title": "oak"}
    assert await planning.data(in_a_fragment, {"f": 1}) == {
        "clean": [{"shade": 3}, {"shade": 5}, {"shade": 3}]
    }
    assert (await planning.data(in_a_fragment, {"f": 2}))["clean"][1] == {"shade": 10}


def test_the_plans_of_an_operation_go_with_it() -> None:
    kept = KeptPlans()
    schema = strawberry.Schema(query=Query)._schema
    branch = schema.type_map["Branch"]
    plan = ObjectPlan(None, (), False)
    operation: Any = parse("{ clean { title } }").definitions[0]
    details = [SimpleNamespace(node=operation.selection_set.selections[0])]

    assert kept.plan(operation, {}, branch, details, lambda: plan) is plan  # type: ignore[arg-type]
    assert kept.plan(operation, {}, branch, details, lambda: None) is plan  # type: ignore[arg-type]
    assert kept.kept() == 1
    del operation, details
    gc.collect()
    assert kept.kept() == 0


def test_the_executor_runs_on_the_releases_it_was_checked_with() -> None:
    """The executor overrides methods of graphql-core's and Strawberry's execution context that
    are not public API, and reads Strawberry's definitions. A new release may change them: read
    engine/executor.py, engine/shortcuts.py, engine/planner.py, engine/plan.py and
    engine/definitions.py against it, run the suite on both executors, then update CHECKED_WITH."""
    installed = {package: importlib.metadata.version(package) for package in CHECKED_WITH}

    assert installed == CHECKED_WITH


def test_the_switch_answers_by_graphql_cores_own_executor() -> None:
    off = Settings.from_env({"KIBON_DEV_LOGIN": "1", "KIBON_PLANNED_EXECUTOR": "off"})

    assert off.http.planned_executor is False
    assert Settings.from_env({"KIBON_DEV_LOGIN": "1"}).http.planned_executor is True
    assert build_schema(planned=False).execution_context_class is STOCK_EXECUTOR
    assert build_schema().execution_context_class is PlainFieldExecutor


def test_filling_a_level_stops_at_the_deadline() -> None:
    plan = ObjectPlan(
        None, (Entry("name", "name", True, False, False, GraphQLString, None),), False
    )
    rows = [SimpleNamespace(name=f"kita {n}") for n in range(3)]

    assert fill(plan, rows) == [{"name": "kita 0"}, {"name": "kita 1"}, {"name": "kita 2"}]
    with deadline.within(-1.0), pytest.raises(deadline.DeadlinePassed):
        fill(plan, rows)


def test_a_levels_code_is_written_once_for_plans_of_one_shape() -> None:
    """The code depends on the kinds of entries only: response keys (aliases) are arguments,
    so a client's aliases cannot make the worker write new code."""
    rows = [SimpleNamespace(name="kita")]

    def plan_with(key: str) -> ObjectPlan:
        entry = Entry(key, "name", True, False, False, GraphQLString, None)
        return ObjectPlan(None, (entry,), False)

    first = plan_with("a")
    written = level_code.cache_info().currsize
    aliased = [plan_with(f"alias{n}") for n in range(20)]

    assert level_code.cache_info().currsize == written
    assert fill(first, rows) == [{"a": "kita"}]
    assert fill(aliased[7], rows) == [{"alias7": "kita"}]


def test_every_enum_value_is_written_by_lookup_as_strawberry_writes_it() -> None:
    planned, stock = build_schema(planned=True), build_schema(planned=False)
    compared = 0
    for name, named_type in planned._schema.type_map.items():
        if not isinstance(named_type, CustomGraphQLEnumType):
            continue
        theirs = stock._schema.type_map[name]
        assert isinstance(theirs, CustomGraphQLEnumType)
        assert "coerce_output_value" in vars(named_type)  # by lookup
        assert "coerce_output_value" not in vars(theirs)  # Strawberry's own
        members: Any = named_type.wrapped_cls  # an Enum class
        for member in members:
            assert named_type.serialize(member) == theirs.serialize(member)
            compared += 1
        with pytest.raises(GraphQLError):
            named_type.serialize("NOT A VALUE")
    assert compared > 20
