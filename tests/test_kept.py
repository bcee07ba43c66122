"""What is worked out once for a parsed document: kept while the document is, gone with it."""

from __future__ import annotations

import gc
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest
from graphql import DocumentNode, GraphQLError, ValidationRule, parse, specified_rules
from strawberry.schema.schema import validate_document

from engine.kept import KeptWith
from engine.validation import KeptValidation
from schema.root import schema
from tests.support.api import Api


class RefusesEverything(ValidationRule):
    def enter_document(self, *_: Any) -> None:
        self.report_error(GraphQLError("refused"))


def validated(document: DocumentNode, rules: tuple[Any, ...]) -> list[GraphQLError]:
    extension = KeptValidation()
    context = SimpleNamespace(
        graphql_document=document, validation_rules=rules, schema=schema, pre_execution_errors=None
    )
    extension.execution_context = context  # type: ignore[assignment]
    for _ in extension.on_validate():
        pass
    errors: list[GraphQLError] = context.pre_execution_errors
    return errors


def test_values_are_kept_per_node_and_go_with_it() -> None:
    kept: KeptWith[str, int] = KeptWith()
    one, other = parse("{ a }"), parse("{ a }")

    kept.of(one)["cost"] = 1
    kept.of(other)["cost"] = 2

    assert kept.of(one) == {"cost": 1}
    assert kept.of(other) == {"cost": 2}
    assert len(kept) == 2
    del one
    gc.collect()
    assert len(kept) == 1


async def test_a_document_is_validated_once_while_it_is_parsed(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[DocumentNode] = []

    def counting(*arguments: Any) -> list[GraphQLError]:
        seen.append(arguments[1])
        return validate_document(*arguments)

    monkeypatch.setattr("engine.validation.validate_document", counting)
    fresh = uuid4().hex[:8]  # texts no earlier test parsed
    valid, invalid = f"{{ k{fresh}: __typename }}", f"{{ k{fresh}: noSuchField }}"

    answers = [await api(valid), await api(valid)]
    refusals = [await api(invalid), await api(invalid)]

    assert [a.data for a in answers] == [{f"k{fresh}": "Query"}] * 2
    assert refusals[0].errors == refusals[1].errors
    assert refusals[0].codes == ["BAD_USER_INPUT"]
    assert len(seen) == 2


def test_validation_is_kept_by_the_rules_it_was_found_with() -> None:
    document = parse("{ __typename }")
    rules, refusing = tuple(specified_rules), (*specified_rules, RefusesEverything)

    assert validated(document, rules) == []
    assert [e.message for e in validated(document, refusing)] == ["refused"]
    assert validated(document, rules) == []
    assert [e.message for e in validated(document, refusing)] == ["refused"]
