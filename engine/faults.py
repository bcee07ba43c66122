"""The schema's error policy: every error of an operation is shown as `engine.errors` says, each
fault is logged with its traceback, and every `FORBIDDEN` (a permission class's or the domain's)
is written to the audit trail as `access.denied`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

from engine.errors import client_view, is_fault, is_forbidden, tag_client_error
from engine.limits import TOO_MANY_TOKENS, is_too_long
from i18n import Language, translate
from models import audit

log = logging.getLogger("kibon.graphql")


class ErrorPolicy(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            language = getattr(self.execution_context.context, "language", Language.DE)
            result.errors = [client_view(error, language) for error in result.errors]
            await self._record_refusals(result.errors)

    async def _record_refusals(self, errors: list[GraphQLError]) -> None:
        """One entry per request, however many fields were refused (aliases cannot flood the
        trail), naming them by field, not by the alias the caller chose."""
        context = self.execution_context
        operation = (
            get_operation_ast(context.graphql_document, context.operation_name)
            if context.graphql_document is not None
            else None
        )
        fields = sorted(
            {field_path(context.graphql_document, operation, e) for e in errors if is_forbidden(e)}
        )
        if not fields:
            return
        # By now the refused operation's transaction has rolled back; this entry stands alone.
        try:
            await audit.record_denied(actor=getattr(context.context, "user", None), fields=fields)
        except Exception:
            # The client's answer (FORBIDDEN) stands; losing the entry is the operator's news.
            log.exception("could not record the refused attempt at %s", ", ".join(fields))


def field_path(
    document: DocumentNode | None,
    operation: OperationDefinitionNode | None,
    error: GraphQLError,
) -> str:
    """`sponsors.edges.node.institutions` for an error at `a1.edges.0.node.mine`: the path in
    field names (list indexes left out)."""
    if not error.path:
        return "(operation)"
    fragments = {
        d.name.value: d
        for d in (document.definitions if document else ())
        if isinstance(d, FragmentDefinitionNode)
    }
    selections = list(operation.selection_set.selections) if operation else []
    names: list[str] = []
    for key in error.path:
        if isinstance(key, int):
            continue
        fields = [f for f in _fields(selections, fragments) if (f.alias or f.name).value == key]
        names.append(fields[0].name.value if fields else str(key))
        selections = [s for f in fields if f.selection_set for s in f.selection_set.selections]
    return ".".join(names)


def _fields(
    selections: list[SelectionNode], fragments: dict[str, FragmentDefinitionNode]
) -> list[FieldNode]:
    found: list[FieldNode] = []
    pending = list(selections)
    while pending:
        selection = pending.pop(0)
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            pending.extend(selection.selection_set.selections)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            pending.extend(fragments[selection.name.value].selection_set.selections)
    return found


class Schema(strawberry.Schema):
    # Strawberry's own, or `engine.hooks.PreparedHooksRunner` (`schema.root.build_schema`).
    extensions_runner: type[SchemaExtensionsRunner] = SchemaExtensionsRunner

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return self.extensions_runner(execution_context, extensions)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        query = execution_context.query if execution_context else None
        for error in errors:
            tag_client_error(error)
            if is_too_long(error, query):
                # The parser's own error, raised before any extension sees the result: the one
                # place to say it in the reader's language. Parse errors are never cached.
                error.message = translate(TOO_MANY_TOKENS, _language(execution_context))
            if is_fault(error):
                log.error(
                    "unexpected error in %s",
                    ".".join(map(str, error.path or [])) or "the operation",
                    exc_info=error.original_error,
                )


def _language(execution_context: ExecutionContext | None) -> Language:
    context = execution_context.context if execution_context else None
    return getattr(context, "language", Language.DE)
