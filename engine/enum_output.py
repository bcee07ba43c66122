"""Enum values written out by a dictionary lookup.

Strawberry's enum type finds the GraphQL name of a Python enum member by walking all the
enum's values and comparing each (`CustomGraphQLEnumType.coerce_output_value`); on a page of
100 institutions with two enum fields that walk was about a twentieth of the request. The
names are the same for the whole life of the schema, so each enum type gets them once, as a
dictionary from member to name; any other value (not a member) goes Strawberry's own way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLSchema
from strawberry.schema.schema_converter import CustomGraphQLEnumType


def _by_lookup(enum_type: CustomGraphQLEnumType) -> Callable[[Any], str]:
    names: dict[Any, str] = {}
    members: Any = enum_type.wrapped_cls  # an Enum class
    for member in members:
        for name, value in enum_type.values.items():  # the first match, as Strawberry's walk
            if member.value == value.value:
                names.setdefault(member, name)
                break
    original = enum_type.coerce_output_value

    def coerce_output_value(output_value: Any) -> str:
        if type(output_value) is members:
            name = names.get(output_value)
            if name is not None:
                return name
        return original(output_value)

    return coerce_output_value


def write_enums_by_lookup(schema: GraphQLSchema) -> None:
    for named_type in schema.type_map.values():
        if isinstance(named_type, CustomGraphQLEnumType):
            # An attribute of this one type object: `serialize` and graphql-core's
            # completion both call `self.coerce_output_value`.
            named_type.coerce_output_value = _by_lookup(named_type)  # type: ignore[method-assign,assignment]
