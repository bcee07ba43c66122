"""Plans kept from one request to the next, for as long as their parsed operation is kept.

The schema's parser cache answers the same text with the same parsed document, so the plan of
one of its selections (`engine.planner`) holds for every later request that runs it, with one
exception: a selection that reads a variable (an argument, `@include`, `@skip`, `@defer`'s `if`)
can mean something else in the next request, and is planned in each. The root fields'
arguments (a page's `first`, `after` and filter) are not part of any selection's plan, so
paging through a list reuses one plan.

The plans of an operation go with it, when the parser's cache lets it go: the cache bounds how
many there are. A kept plan holds its selection's nodes and object type, so no other object
can take their ids while it is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from graphql import (
    BREAK,
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    visit,
)
from graphql.execution.collect_fields import FieldDetailsList, FragmentDetails

from engine.kept import KeptWith
from engine.plan import ObjectPlan

_PER_REQUEST = object()  # the selection reads a variable: planned in every request

Kept = tuple[GraphQLObjectType, tuple[FieldNode, ...], "ObjectPlan | object | None"]


class KeptPlans:
    def __init__(self) -> None:
        self._by_operation: KeptWith[tuple[int, ...], Kept] = KeptWith()

    def plan(
        self,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDetails],
        object_type: GraphQLObjectType,
        details: FieldDetailsList,
        make: Callable[[], ObjectPlan | None],
    ) -> ObjectPlan | None:
        """The plan of this selection of this type in this operation: the kept one, or one
        `make` makes (and kept unless the selection reads a variable)."""
        plans = self._by_operation.of(operation)
        nodes = tuple(detail.node for detail in details)
        key = (id(object_type), *map(id, nodes))
        kept = plans.get(key)
        if kept is not None and kept[2] is not _PER_REQUEST:
            return kept[2]  # type: ignore[return-value]
        plan = make()
        if kept is None:
            plans[key] = (
                object_type,
                nodes,
                _PER_REQUEST if reads_variables(nodes, fragments) else plan,
            )
        return plan

    def kept(self) -> int:
        """How many selections have their plan kept (or are known to be planned per request)."""
        return len(self._by_operation)


class _Reads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.variable = False
        self.spreads: set[str] = set()

    def enter_variable(self, *_: Any) -> object:
        self.variable = True
        return BREAK

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
        self.spreads.add(node.name.value)


def reads_variables(nodes: Iterable[FieldNode], fragments: Mapping[str, FragmentDetails]) -> bool:
    """Whether a variable appears anywhere below these fields, the fragments they spread
    included."""
    pending: list[SelectionSetNode] = [n.selection_set for n in nodes if n.selection_set]
    spread: set[str] = set()
    while pending:
        reads = _Reads()
        visit(pending.pop(), reads)
        if reads.variable:
            return True
        for name in reads.spreads - spread:
            spread.add(name)
            fragment = fragments.get(name)
            if fragment is not None:
                pending.append(fragment.definition.selection_set)
    return False


kept_plans = KeptPlans()
