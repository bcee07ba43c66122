"""What Strawberry's definitions say about graphql-core's fields and types.

Strawberry keeps the definition a GraphQL field or object type was made from on it. Read
from there: the Python attribute a field reads when reading it is all it does
(`plain_attribute`), a field's batch function and arguments (`batched_field`, `engine.batch`),
and the class an object type recognises its values by (`checked_class`).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLField, GraphQLObjectType, GraphQLScalarType, get_named_type
from graphql.execution.values import VariableValues, get_argument_values
from graphql.language import FieldNode
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from engine.batch import BATCH, Batch

# Where Strawberry keeps a GraphQL field's definition (`GraphQLCoreConverter.DEFINITION_BACKREF`).
DEFINITION = "strawberry-definition"

_attributes: dict[int, tuple[GraphQLField, str | None]] = {}


def plain_attribute(field: GraphQLField) -> str | None:
    """The Python attribute a field reads, if reading it is all the field does."""
    known = _attributes.get(id(field))
    if known is not None and known[0] is field:
        return known[1]
    definition = (field.extensions or {}).get(DEFINITION)
    plain = (
        not field.args
        and getattr(field.resolve, "_is_default", False)  # Strawberry's own attribute reader
        and isinstance(definition, StrawberryField)
        and definition.is_basic_field
    )
    name = definition.python_name if plain else None  # type: ignore[union-attr]
    _attributes[id(field)] = (field, name)
    return name


def batched_field(
    field: GraphQLField, node: FieldNode, variables: VariableValues
) -> tuple[Batch, tuple[tuple[str, Any], ...]] | None:
    """The batch function of a batched field and its arguments, if the plan may call it: no
    extension or permission around it, scalar arguments named alike in GraphQL and Python."""
    definition = (field.extensions or {}).get(DEFINITION)
    if not isinstance(definition, StrawberryField):
        return None
    batch = definition.metadata.get(BATCH)
    if batch is None or definition.extensions or definition.permission_classes:
        return None
    if set(field.args) != {argument.python_name for argument in definition.arguments}:
        return None
    if not all(isinstance(get_named_type(a.type), GraphQLScalarType) for a in field.args.values()):
        return None
    arguments = get_argument_values(field, node, variables) if field.args else {}
    return batch, tuple(sorted(arguments.items()))


def checked_class(object_type: GraphQLObjectType) -> type | bool | None:
    """The class a value of this type is recognised by: None when the type checks nothing,
    False when its check is not Strawberry's own (isinstance on the Python class)."""
    if object_type.is_type_of is None:
        return None
    definition = (object_type.extensions or {}).get(DEFINITION)
    if isinstance(definition, StrawberryObjectDefinition) and definition.is_type_of is None:
        return definition.origin
    return False
