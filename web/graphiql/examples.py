"""The example operations in `api/examples/`: one `.graphql` file per flow, with its variables.

GraphiQL offers the ones that are valid against the running schema as its default tabs; the
tests validate every operation whose fields exist, and run the main flows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    validate,
)

DIRECTORY = Path(__file__).resolve().parents[2] / "api" / "examples"
ROOT_TYPES = {
    OperationType.QUERY: "Query",
    OperationType.MUTATION: "Mutation",
    OperationType.SUBSCRIPTION: "Subscription",
}


@dataclass(frozen=True)
class Operation:
    name: str
    root_fields: tuple[str, ...]  # as "Mutation.registerSponsor"
    definition: OperationDefinitionNode

    def missing_in(self, schema: GraphQLSchema) -> list[str]:
        return [field for field in self.root_fields if not _has_field(schema, field)]


@dataclass(frozen=True)
class Example:
    path: Path
    text: str
    variables: dict[str, Any]
    document: DocumentNode

    @property
    def title(self) -> str:
        return self.path.stem.replace("-", " ").capitalize()

    @property
    def operations(self) -> list[Operation]:
        return [
            Operation(
                name=definition.name.value if definition.name else "",
                root_fields=_root_fields(definition),
                definition=definition,
            )
            for definition in self.document.definitions
            if isinstance(definition, OperationDefinitionNode)
        ]

    def problems(self, schema: GraphQLSchema) -> list[GraphQLError]:
        return validate(schema, self.document)


def load(directory: Path = DIRECTORY) -> list[Example]:
    examples = []
    for path in sorted(directory.glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        variables_file = path.with_suffix(".variables.json")
        variables = (
            json.loads(variables_file.read_text(encoding="utf-8"))
            if variables_file.exists()
            else {}
        )
        examples.append(Example(path, text, variables, parse(text)))
    return examples


def valid_ones(schema: GraphQLSchema, directory: Path = DIRECTORY) -> list[Example]:
    return [example for example in load(directory) if not example.problems(schema)]


def _root_fields(definition: OperationDefinitionNode) -> tuple[str, ...]:
    root = ROOT_TYPES[definition.operation]
    return tuple(
        f"{root}.{selection.name.value}"
        for selection in definition.selection_set.selections
        if isinstance(selection, FieldNode) and not selection.name.value.startswith("__")
    )


def _has_field(schema: GraphQLSchema, qualified: str) -> bool:
    type_name, field = qualified.split(".")
    root = schema.get_type(type_name)
    return root is not None and field in getattr(root, "fields", {})
