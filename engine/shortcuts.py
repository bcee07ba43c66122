"""Plain fields read in place: graphql-core's execution context with a shortcut for them.

graphql-core runs every field through the same machinery: a resolve-info object, argument
coercion, Strawberry's resolver wrapper, awaitable checks, type dispatch. For a field that only
reads an attribute (no resolver, no arguments, no extension, no directive) all of that amounts
to `getattr`; on a page of 50 objects that machinery is the larger part of the request.
`PlainFieldShortcuts` reads such fields directly and completes their values by the same rules
(errors, non-null, lists, leaves, objects); every other field goes through graphql-core
unchanged. It keeps the request's deadline between fields and list items, and a field that
failed because the deadline passed ends the operation.

An object or a list of objects it completes goes through two hooks first, `_by_plan` and
`_complete_list`: here they take the long way, field by field and item by item;
`engine.executor.PlainFieldExecutor` fills them by plan.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from engine import deadline
from engine.definitions import plain_attribute

NOT_PLANNED = object()  # the plan does not cover this selection: graphql-core's way


class PlainFieldShortcuts(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # An extension that wraps every resolver makes no field plain.
        self._field_middleware = manager is not None and bool(manager._middleware_resolvers)
        self._leaf_plans: dict[int, tuple[GroupedFieldSet, dict[str, Any]]] = {}
        self._deadline = deadline.current()

    def handle_field_error(
        self,
        raw_error: Exception,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> None:
        """A field that failed because the deadline passed ends the operation, rather than
        being reported and passed over while the rest goes on."""
        if isinstance(raw_error, deadline.Expired) or isinstance(
            getattr(raw_error, "original_error", None), deadline.Expired
        ):
            raise deadline.DeadlinePassed() from None
        super().handle_field_error(raw_error, return_type, field_details_list, path)

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """graphql-core's loop over an object's fields, with plain leaves read in place: no
        path, no call. Anything unusual about a leaf's value (null, an error, a value its type
        refuses) goes the long way, which reports it exactly as graphql-core does."""
        deadline.check(self._deadline)
        leaves = self._plain_leaves(parent_type, grouped_field_set)
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                leaf = leaves.get(response_name)
                if leaf is not None:
                    attribute, leaf_type = leaf
                    try:
                        coerced = leaf_type.coerce_output_value(getattr(source_value, attribute))
                    except Exception:  # the long way below reports it
                        coerced = None
                    if coerced is not None and coerced is not Undefined:
                        results[response_name] = coerced
                        continue
                field_path = Path(path, response_name, parent_type.name)
                result = self.execute_field(
                    parent_type, source_value, field_details_list, field_path, position_context
                )
                if result is not Undefined:
                    results[response_name] = result
                    if self.is_awaitable(result):
                        awaitable_fields.append(response_name)
        except BaseException:  # DeadlinePassed too: what was started is settled, not orphaned
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return self._gather_fields(results, awaitable_fields)

    @staticmethod
    async def _gather_fields(results: dict[str, Any], awaitable_fields: list[str]) -> Any:
        settled = await deadline.gather(*(results[field] for field in awaitable_fields))
        results.update(zip(awaitable_fields, settled, strict=True))
        return results

    def _plain_leaves(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> dict[str, tuple[str, GraphQLScalarType | GraphQLEnumType]]:
        """The fields of a set that read a scalar or enum attribute; planned once per request
        (graphql-core collects each object's fields once per selection, not once per row)."""
        known = self._leaf_plans.get(id(grouped_field_set))
        if known is not None and known[0] is grouped_field_set:
            return known[1]
        leaves = {}
        if not self._field_middleware:
            for response_name, field_details_list in grouped_field_set.items():
                node = field_details_list[0].node
                field = parent_type.fields.get(node.name.value)
                attribute = plain_attribute(field) if field is not None else None
                leaf_type = getattr(field, "type", None)
                if isinstance(leaf_type, GraphQLNonNull):
                    leaf_type = leaf_type.of_type
                if (
                    attribute is not None
                    and isinstance(leaf_type, GraphQLScalarType | GraphQLEnumType)
                    and not any(details.node.directives for details in field_details_list)
                ):
                    leaves[response_name] = (attribute, leaf_type)
        self._leaf_plans[id(grouped_field_set)] = (grouped_field_set, leaves)
        return leaves

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        field = parent_type.fields.get(node.name.value)
        attribute = plain_attribute(field) if field is not None else None
        if attribute is None or node.directives or self._field_middleware:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        return_type = field.type
        try:
            completed = self._complete(
                return_type,
                field_details_list,
                parent_type,
                path,
                getattr(source, attribute),
                position_context,
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._settle(completed, return_type, field_details_list, path)
        return completed

    async def _settle(
        self,
        completed: Awaitable[Any],
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None

    def _complete(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        parent_type: GraphQLObjectType,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if isinstance(result, Exception):
            raise result
        if isinstance(return_type, GraphQLNonNull):
            completed = self._complete(
                return_type.of_type,
                field_details_list,
                parent_type,
                path,
                result,
                position_context,
            )
            if completed is None:
                field_name = field_details_list[0].node.name.value
                msg = f"Cannot return null for non-nullable field {parent_type.name}.{field_name}."
                raise TypeError(msg)
            return completed
        if result is None or result is Undefined:
            return None
        if isinstance(return_type, GraphQLScalarType | GraphQLEnumType):
            return self.complete_leaf_value(return_type, result)
        if isinstance(return_type, GraphQLObjectType):
            planned = self._by_plan(return_type, field_details_list, path, result, position_context)
            if planned is not NOT_PLANNED:
                return planned
        if isinstance(return_type, GraphQLObjectType) and return_type.is_type_of is None:
            return self.collect_and_execute_subfields(
                return_type, field_details_list, path, result, position_context
            )
        if (
            isinstance(return_type, GraphQLList)
            and isinstance(result, list | tuple)
            and not any(map(self.is_awaitable, result))
        ):
            return self._complete_list(
                return_type.of_type,
                field_details_list,
                parent_type,
                path,
                result,
                position_context,
            )
        # Objects that check their runtime type, interfaces, unions, other iterables:
        # graphql-core's completion, which needs the resolve info.
        info = self.build_resolve_info(
            parent_type.fields[field_details_list[0].node.name.value],
            [details.node for details in field_details_list],
            parent_type,
            path,
        )
        if isinstance(return_type, GraphQLObjectType):
            return self.complete_object_value(
                return_type, field_details_list, info, path, result, position_context
            )
        return self.complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _by_plan(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """One object completed by its selection's plan, or NOT_PLANNED: here always NOT_PLANNED
        (the long way)."""
        return NOT_PLANNED

    def _complete_list(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        parent_type: GraphQLObjectType,
        path: Path,
        items: list[Any] | tuple[Any, ...],
        position_context: Any,
    ) -> Any:
        """A list whose items are no awaitables: here item by item."""
        return self._complete_items(
            item_type, field_details_list, parent_type, path, items, position_context
        )

    def _complete_items(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        parent_type: GraphQLObjectType,
        path: Path,
        items: list[Any] | tuple[Any, ...],
        position_context: Any,
    ) -> Any:
        completed_items: list[Any] = []
        pending: list[int] = []
        try:
            for index, item in enumerate(items):
                if index % 16 == 0:
                    deadline.check(self._deadline)
                item_path = path.add_key(index, None)
                try:
                    completed = self._complete(
                        item_type,
                        field_details_list,
                        parent_type,
                        item_path,
                        item,
                        position_context,
                    )
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                    completed = None
                if self.is_awaitable(completed):
                    completed = self._settle(completed, item_type, field_details_list, item_path)
                    pending.append(index)
                completed_items.append(completed)
        except deadline.DeadlinePassed:
            # What was started is settled in the background, where it meets the deadline too.
            self.settle_in_background([completed_items[index] for index in pending])
            raise
        if not pending:
            return completed_items
        return self._gather(completed_items, pending)

    @staticmethod
    async def _gather(completed_items: list[Any], pending: list[int]) -> list[Any]:
        # Concurrently, as graphql-core does: the items' DataLoader calls must meet in one batch.
        settled = await deadline.gather(*(completed_items[index] for index in pending))
        for index, value in zip(pending, settled, strict=True):
            completed_items[index] = value
        return completed_items
