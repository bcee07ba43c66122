"""Checks on the schema as an artefact: the committed SDL, breaking changes, naming rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    find_breaking_changes,
    get_named_type,
)

from schema.root import schema

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "api" / "schema.graphql"
RELEASED = ROOT / "api" / "schema.released.graphql"
ACKNOWLEDGED = ROOT / "api" / "breaking-acknowledged.txt"
REGENERATE = "python main.py export-schema > api/schema.graphql"

# Built into GraphQL: described by the specification, not by us.
BUILT_IN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})
# Descriptions are read in GraphiQL and in generated clients by people who see the API, not
# this repository: they name no file, module or document of ours.
INTERNAL_REFERENCES = re.compile(r"\.py\b|README|docs/|contract|\bmodels\b|resolver", re.I)
# The contract names these inputs after what they carry, not after the mutation.
INPUT_EXCEPTIONS = {
    "Mutation.activateInstitution": "MasterDataInput",
    "Mutation.updateInstitutionMasterData": "MasterDataInput",
}


def code_sdl() -> str:
    """Exactly what `python main.py export-schema` prints."""
    return schema.as_str() + "\n"


def graphql_schema() -> GraphQLSchema:
    return schema._schema


def breaking_changes(released_sdl: str, current: GraphQLSchema) -> list[str]:
    found = find_breaking_changes(build_schema(released_sdl), current)
    return [f"{change.type.name}: {change.description}" for change in found]


def acknowledged() -> set[str]:
    lines = ACKNOWLEDGED.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


def root_fields(current: GraphQLSchema) -> Iterator[tuple[str, str, GraphQLField]]:
    for root in (current.query_type, current.mutation_type):
        if root is not None:
            for name, field in root.fields.items():
                yield root.name, name, field


def mutation_problems(current: GraphQLSchema) -> list[str]:
    """`fooBar` returns the union `FooBarResult` of `FooBarSuccess` and types that implement
    `Error`, and takes its `input` as `FooBarInput`."""
    problems: list[str] = []
    error = current.get_type("Error")
    for parent, name, field in root_fields(current):
        if parent != "Mutation":
            continue
        where, stem = f"Mutation.{name}", upper_first(name)
        result = get_named_type(field.type)
        if not isinstance(result, GraphQLUnionType) or result.name != f"{stem}Result":
            problems.append(f"{where} returns {result.name}, not the union {stem}Result")
            continue
        for member in result.types:
            if member.name != f"{stem}Success" and error not in member.interfaces:
                problems.append(f"{where}: {member.name} is neither {stem}Success nor an Error")
        if f"{stem}Success" not in {member.name for member in result.types}:
            problems.append(f"{where}: {result.name} has no {stem}Success")
        argument = field.args.get("input")
        expected = INPUT_EXCEPTIONS.get(where, f"{stem}Input")
        if argument is not None and get_named_type(argument.type).name != expected:
            problems.append(
                f"{where}(input:) takes {get_named_type(argument.type)}, not {expected}"
            )
    return problems


def error_type_problems(current: GraphQLSchema) -> list[str]:
    """Every member of a result union that is not its success implements `Error`, and every
    type that implements `Error` has the `message` clients show."""
    error = current.get_type("Error")
    if not isinstance(error, GraphQLInterfaceType):
        return ["there is no `interface Error { message: String! }`"]
    return [
        f"{named.name} implements Error but has no message"
        for named in _object_types(current)
        if error in named.interfaces and "message" not in named.fields
    ]


def input_name_problems(current: GraphQLSchema) -> list[str]:
    return [
        f"input {named.name} is named neither <Verb><Noun>Input nor <Noun>Filter"
        for named in current.type_map.values()
        if isinstance(named, GraphQLInputObjectType)
        and not named.name.endswith(("Input", "Filter"))
    ]


def described_elements(current: GraphQLSchema) -> Iterator[tuple[str, str | None]]:
    """Every type, field, argument, input field and enum value we define, with its description."""
    for named in current.type_map.values():
        if _is_introspection(named) or named.name in BUILT_IN_SCALARS:
            continue
        yield named.name, named.description
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for name, field in named.fields.items():
                yield f"{named.name}.{name}", field.description
                for argument, definition in field.args.items():
                    yield f"{named.name}.{name}({argument}:)", definition.description
        if isinstance(named, GraphQLInputObjectType):
            for name, input_field in named.fields.items():
                yield f"{named.name}.{name}", input_field.description
        if isinstance(named, GraphQLEnumType):
            for name, value in named.values.items():
                yield f"{named.name}.{name}", value.description


def description_problems(current: GraphQLSchema) -> list[str]:
    problems = []
    for element, description in described_elements(current):
        if not description:
            problems.append(f"{element} has no description")
        elif INTERNAL_REFERENCES.search(description):
            problems.append(f"{element} names something clients cannot see: {description!r}")
    return problems


def _object_types(current: GraphQLSchema) -> list[GraphQLObjectType]:
    return [
        named
        for named in current.type_map.values()
        if isinstance(named, GraphQLObjectType) and not _is_introspection(named)
    ]


def _is_introspection(named: GraphQLNamedType) -> bool:
    return named.name.startswith("__")
