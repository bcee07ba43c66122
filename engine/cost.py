"""The worst-case size of an answer, computed before execution, and the budget it must fit.

Counted as GitHub's GraphQL API counts nodes: every connection (a field with a `first`
argument) may return `first` objects for each object it is asked on, so its cost is the product
of its own page size and those of the connections around it; an omitted `first` costs the
default page size, and a `first` beyond the largest page counts as the largest (the resolver
refuses it anyway). Other fields add nothing: they are bounded by the objects that hold them.

`sponsors(first: 100) { edges { node { institutions(first: 100) { … } } } }` costs
100 + 100 × 100 = 10,100. An operation over the budget (`KIBON_MAX_QUERY_NODES`) is refused
after validation and before any resolver runs, with `BAD_USER_INPUT` and the figures in
`extensions.cost` and `extensions.budget`. The cost is counted once for a parsed document
(`engine.kept`), unless a page size is a variable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension

from engine import admission
from engine.errors import Code, Spoken
from engine.kept import KeptWith
from engine.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from i18n import _
from settings import HttpSettings

PAGE_ARGUMENT = "first"
TOTAL_COUNT = "totalCount"


class _Counter:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.variables = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self.variables and isinstance(definition.default_value, IntValueNode):
                self.variables[name] = int(definition.default_value.value)
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.fragment_costs: dict[str, int] = {}
        self.read_variable = False  # the cost depends on this request's variables

    def page_size(self, value: ValueNode | None) -> int:
        given: object = None
        if isinstance(value, IntValueNode):
            given = int(value.value)
        elif isinstance(value, VariableNode):
            self.read_variable = True
            given = self.variables.get(value.name.value)
        if not isinstance(given, int) or isinstance(given, bool):
            return DEFAULT_PAGE_SIZE
        return min(max(given, 0), MAX_PAGE_SIZE)

    def selections(self, parent: GraphQLNamedType | None, selection_set: SelectionSetNode) -> int:
        """The nodes below one object of type `parent` (each fragment counted as if it applied:
        an upper bound)."""
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(inner, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return total

    def field(self, parent: GraphQLNamedType | None, node: FieldNode) -> int:
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None:  # `__typename` and the like
            return 0
        size, own = 1, 0
        if PAGE_ARGUMENT in definition.args:
            given = next(
                (a.value for a in node.arguments or () if a.name.value == PAGE_ARGUMENT), None
            )
            size = own = self.page_size(given)
            own += _total_counts(node)
        if node.selection_set is None:
            return own
        return own + size * self.selections(get_named_type(definition.type), node.selection_set)

    def fragment(self, name: str) -> int:
        # Once per fragment: a fragment spread twice in a fragment spread twice … stays linear.
        if name not in self.fragment_costs:
            fragment = self.fragments[name]
            inner = self.schema.get_type(fragment.type_condition.name.value)
            self.fragment_costs[name] = self.selections(inner, fragment.selection_set)
        return self.fragment_costs[name]


def _total_counts(connection: FieldNode) -> int:
    """`totalCount` is one number per connection, not one per item of its page."""
    selected = connection.selection_set.selections if connection.selection_set else ()
    return sum(1 for s in selected if isinstance(s, FieldNode) and s.name.value == TOTAL_COUNT)


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """The most objects the chosen operation of a valid document can return."""
    return _counted(schema, document, operation_name, variables or {})[0]


def _counted(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
) -> tuple[int, bool]:
    """The cost, and whether it depends on the variables."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0, False
    root = schema.get_root_type(operation.operation)
    counter = _Counter(schema, document, operation, variables)
    return counter.selections(root, operation.selection_set), counter.read_variable


# By operation name: the cost of an operation whose page sizes are written in the document.
_kept_costs: KeptWith[str | None, int] = KeptWith()


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int:
    """`query_cost`, counted once for a parsed document unless a page size is a variable."""
    kept = _kept_costs.of(document)
    cost = kept.get(operation_name)
    if cost is None:
        cost, varies = _counted(schema, document, operation_name, variables or {})
        if not varies:
            kept[operation_name] = cost
    return cost


def over_budget(cost: int, budget: int) -> GraphQLError:
    refused = Spoken(
        _(
            "This operation could return up to {cost} objects; at most {budget} are allowed. "
            "Ask for smaller pages (`first`) or fewer nested lists.",
            cost=cost,
            budget=budget,
        ),
        code=Code.BAD_USER_INPUT,
    )
    refused.extensions = {**(refused.extensions or {}), "cost": cost, "budget": budget}
    return refused


class CostLimit(SchemaExtension):
    """Refuses an operation whose worst case exceeds the budget: after validation (the document
    is known to be valid), before execution (nothing is read). One within it waits until its
    cost fits beside the answers the worker is building (`engine.admission`)."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        settings = getattr(context.context, "settings", None)
        budget = (settings.http if settings is not None else HttpSettings()).max_query_nodes
        if context.graphql_document is not None:
            cost = operation_cost(
                context.schema._schema,
                context.graphql_document,
                operation_name=context.operation_name,
                variables=context.variables,
            )
            if cost > budget:
                context.result = ExecutionResult(data=None, errors=[over_budget(cost, budget)])
            else:
                await admission.admit(cost)
        yield
