"""Making plans: one selection of one object type turned into an `engine.plan.ObjectPlan`.

A selection has a plan when every field it selects is `__typename`, a plain attribute or a
batched field (`engine.definitions`), of a leaf type, of an object type whose own selection has
a plan, or a list of either; with no directive on any of them and nothing deferred, and of a
type that recognises its values by Strawberry's own class check, or checks nothing. For
anything else there is no plan (None), and the executor takes graphql-core's way.

The functions take what they need from the request's execution context: its collection of a
selection's fields, the variables, and the plan of a nested selection (the context keeps each
plan, `engine.kept_plans`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLString,
)
from graphql.execution.collect_fields import CollectedFields, FieldDetailsList
from graphql.execution.values import VariableValues

from engine.batch import Batch
from engine.definitions import batched_field, checked_class, plain_attribute
from engine.plan import Entry, ObjectPlan

# The fields a selection of a type collects (the execution context's `collect_subfields`).
Collect = Callable[[GraphQLObjectType, FieldDetailsList], CollectedFields]
# The plan of a nested selection of a type, or None.
PlanOf = Callable[[GraphQLObjectType, FieldDetailsList], ObjectPlan | None]


def object_plan(
    object_type: GraphQLObjectType,
    field_details_list: FieldDetailsList,
    collect: Collect,
    variables: VariableValues,
    plan_of: PlanOf,
) -> ObjectPlan | None:
    """How to fill this selection of this type, or None where the plan cannot."""
    origin = checked_class(object_type)
    if origin is False:
        return None
    grouped_field_set, deferred, _ = collect(object_type, field_details_list)
    if deferred:
        return None
    entries: list[Entry] = []
    for response_name, details in grouped_field_set.items():
        if any(detail.node.directives for detail in details):
            return None
        name = details[0].node.name.value
        if name == "__typename":
            entries.append(
                Entry(
                    response_name,
                    None,
                    True,
                    False,
                    False,
                    None,
                    None,
                    type_name=object_type.name,
                )
            )
            continue
        field = object_type.fields.get(name)
        entry = (
            field_entry(response_name, field, details, variables, plan_of)
            if field is not None
            else None
        )
        if entry is None:
            return None
        entries.append(entry)
    batched = any(e.batch is not None or (e.plan is not None and e.plan.batched) for e in entries)
    return ObjectPlan(origin, tuple(entries), batched)  # type: ignore[arg-type]


# graphql-core's serializers of these scalars return a value of this class as it is.
AS_IS: dict[GraphQLNamedType, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}


def field_entry(
    response_name: str,
    field: GraphQLField,
    details: FieldDetailsList,
    variables: VariableValues,
    plan_of: PlanOf,
) -> Entry | None:
    """A field as the plan reads it: a plain attribute or a batched field, of a leaf or
    an object type, or a list of either; None for anything else."""
    attribute = plain_attribute(field)
    batch: Batch | None = None
    arguments: tuple[tuple[str, Any], ...] = ()
    if attribute is None:
        found = batched_field(field, details[0].node, variables)
        if found is None:
            return None
        batch, arguments = found
    non_null = isinstance(field.type, GraphQLNonNull)
    inner = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    is_list = isinstance(inner, GraphQLList)
    item_non_null = False
    if isinstance(inner, GraphQLList):
        item_non_null = isinstance(inner.of_type, GraphQLNonNull)
        inner = inner.of_type.of_type if item_non_null else inner.of_type
    leaf: GraphQLScalarType | GraphQLEnumType | None = None
    plan: ObjectPlan | None = None
    if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
        leaf = inner
    elif isinstance(inner, GraphQLObjectType):
        plan = plan_of(inner, details)
        if plan is None:
            return None
    else:
        return None
    return Entry(
        response_name,
        attribute,
        non_null,
        is_list,
        item_non_null,
        leaf,
        plan,
        batch,
        arguments,
        as_is=AS_IS.get(leaf) if leaf is not None else None,
    )
