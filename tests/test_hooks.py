"""Extension hooks wrapped once per class (`engine.hooks`) run exactly as Strawberry's runner
runs them: the same hooks, in the same order, seeing the same outcome."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner

from engine.faults import Schema
from engine.hooks import PreparedHooksRunner
from schema.root import build_schema

seen: list[str] = []


class Generator(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        seen.append(f"operation enters {self.execution_context.query}")
        yield
        result = self.execution_context.result
        seen.append(f"operation leaves with {result and result.data}")

    def on_parse(self) -> Iterator[None]:
        seen.append("parse enters")
        yield
        seen.append(f"parse leaves with {self.execution_context.graphql_document is not None}")


class AsyncGenerator(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        seen.append("execute enters")
        yield
        result = self.execution_context.result
        seen.append(f"execute leaves with {result and result.errors}")


class Plain(SchemaExtension):
    def on_validate(self) -> None:  # type: ignore[override]  # Strawberry calls it too
        seen.append("validate is called")


class Awaited(SchemaExtension):
    async def on_operation(self) -> None:  # type: ignore[override]  # and awaits this
        seen.append("operation is awaited")


class Refusing(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        seen.append("refusal enters")
        if self.execution_context.query and "refused" in self.execution_context.query:
            raise ValueError("refused before execution")
        yield
        seen.append("refusal leaves")


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "Grüezi"

    @strawberry.field
    def broken(self) -> str:
        raise ValueError("broken")


def schema_with(runner: type[SchemaExtensionsRunner]) -> Schema:
    built = Schema(
        query=Query, extensions=[Generator, AsyncGenerator, Plain, Awaited, Refusing, Generator]
    )
    built.extensions_runner = runner
    return built


@pytest.mark.parametrize(
    "query",
    ["{ hello }", "{ broken }", "{ hello(", "{ nothing }", "{ hello refused: hello }"],
)
async def test_hooks_run_as_strawberrys_runner_runs_them(query: str) -> None:
    outcomes = []
    for runner in (SchemaExtensionsRunner, PreparedHooksRunner):
        seen.clear()
        try:
            result = await schema_with(runner).execute(query)
            outcome = (result.data, [e.message for e in result.errors or []])
        except ValueError as error:
            outcome = (None, [f"raised {error}"])
        outcomes.append((list(seen), outcome))

    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0], "no hook ran"


def test_the_api_runs_prepared_hooks_and_the_stock_run_strawberrys() -> None:
    assert build_schema().extensions_runner is PreparedHooksRunner
    assert build_schema(planned=False).extensions_runner is SchemaExtensionsRunner
