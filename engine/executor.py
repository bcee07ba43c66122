"""The API's execution context: plain fields read in place, objects filled by plan.

`PlainFieldExecutor` is `engine.shortcuts.PlainFieldShortcuts` (plain fields read without
graphql-core's machinery) with its hooks for objects and lists of objects filled by plan. An
object whose selected fields are all plain (leaves, `__typename`, plain objects of the same
kind) or batched is filled by `engine.plan` from a plan made once (`engine.planner`) and kept
across requests (`engine.kept_plans`): one loop per level instead of one call chain per field,
each batched field called once per level. That covers the objects graphql-core completes
itself (the values of resolvers) too. Anything unusual about a value (a null where none may be,
an error, a value its type refuses, an object of another class) abandons the plan for that
selection, and the long way reports it exactly as graphql-core does.

`STOCK_EXECUTOR` is graphql-core's own as Strawberry ships it, and `CHECKED_WITH` the releases
this one was checked against.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from engine.kept_plans import kept_plans
from engine.plan import ObjectPlan, Unusual, fill, fill_batched
from engine.planner import object_plan
from engine.shortcuts import NOT_PLANNED, PlainFieldShortcuts

# graphql-core's executor as Strawberry ships it: `KIBON_PLANNED_EXECUTOR=off` runs on it.
STOCK_EXECUTOR = StrawberryGraphQLCoreExecutionContext
# The releases this executor was written and checked against: it overrides methods of their
# execution context, which are not public API (tests/test_execution.py fails when they move).
CHECKED_WITH = {"graphql-core": "3.3.2", "strawberry-graphql": "0.341.2"}


class PlainFieldExecutor(PlainFieldShortcuts):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._object_plans: dict[tuple[int, int], tuple[FieldDetailsList, ObjectPlan | None]] = {}

    def _object_plan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> ObjectPlan | None:
        """How to fill this selection of this type, if the plan can: kept across requests
        (`engine.kept_plans`), and looked up once per request (graphql-core collects a
        selection's fields once, not once per row)."""
        key = (id(object_type), id(field_details_list))
        known = self._object_plans.get(key)
        if known is not None and known[0] is field_details_list:
            return known[1]
        plan = None
        if not self._field_middleware:  # an extension that wraps every resolver: no plan
            plan = kept_plans.plan(
                self.operation,
                self.fragments,
                object_type,
                field_details_list,
                lambda: object_plan(
                    object_type,
                    field_details_list,
                    self.collect_subfields,
                    self.variable_values,
                    self._object_plan,
                ),
            )
        self._object_plans[key] = (field_details_list, plan)
        return plan

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """The objects graphql-core completes itself (the values of resolvers) by the plan
        too, where it can."""
        planned = self._by_plan(return_type, field_details_list, path, result, position_context)
        if planned is not NOT_PLANNED:
            return planned
        return super().complete_object_value(
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
        """One object completed by its selection's plan, or NOT_PLANNED."""

        def long_way() -> Any:
            return self.collect_and_execute_subfields(
                return_type, field_details_list, path, result, position_context
            )

        return self._planned(return_type, field_details_list, [result], long_way, single=True)

    def _planned(
        self,
        object_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        values: list[Any],
        long_way: Callable[[], Any],
        *,
        single: bool,
    ) -> Any:
        """`values` completed by their selection's plan (the first alone if `single`), an
        awaitable of them when the plan has batched fields, or NOT_PLANNED."""
        plan = self._object_plan(object_type, field_details_list)
        if plan is None:
            return NOT_PLANNED
        if plan.batched:
            return self._fill_batched(plan, values, long_way, single=single)
        try:
            filled = fill(plan, values)
        except Unusual:
            return NOT_PLANNED
        return filled[0] if single else filled

    async def _fill_batched(
        self, plan: ObjectPlan, values: list[Any], long_way: Callable[[], Any], *, single: bool
    ) -> Any:
        try:
            filled = await fill_batched(plan, values, self.context_value)
        except Unusual:  # the long way reports what was unusual, exactly as graphql-core does
            completed = long_way()
            return await completed if self.is_awaitable(completed) else completed
        return filled[0] if single else filled

    def _complete_list(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        parent_type: GraphQLObjectType,
        path: Path,
        items: list[Any] | tuple[Any, ...],
        position_context: Any,
    ) -> Any:
        """A list of objects by their selection's plan, all items as one level."""
        planned = self._list_by_plan(
            item_type, field_details_list, parent_type, path, items, position_context
        )
        if planned is not NOT_PLANNED:
            return planned
        return self._complete_items(
            item_type, field_details_list, parent_type, path, items, position_context
        )

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """The lists graphql-core completes itself (the values of resolvers) by the plan too,
        all items as one level, where it can."""
        if isinstance(result, list | tuple) and not any(map(self.is_awaitable, result)):
            planned = self._list_by_plan(
                return_type.of_type,
                field_details_list,
                info.parent_type,
                path,
                result,
                position_context,
            )
            if planned is not NOT_PLANNED:
                return planned
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _list_by_plan(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        parent_type: GraphQLObjectType,
        path: Path,
        items: list[Any] | tuple[Any, ...],
        position_context: Any,
    ) -> Any:
        inner = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if not isinstance(inner, GraphQLObjectType) or not items or None in items:
            return NOT_PLANNED

        def long_way() -> Any:
            return self._complete_items(
                item_type, field_details_list, parent_type, path, items, position_context
            )

        return self._planned(inner, field_details_list, list(items), long_way, single=False)
