"""The schema's error policy: every error of an operation is shown as `engine.errors` says, each
fault is logged with its traceback, and every `FORBIDDEN` (a permission class's or the domain's)
is written to the audit trail as `access.denied`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
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
        # By now the refused operation's transaction has rolled back; this entry stands alone.
        actor = getattr(self.execution_context.context, "user", None)
        for error in filter(is_forbidden, errors):
            path = ".".join(map(str, error.path or [])) or "(operation)"
            try:
                await audit.record_denied(actor=actor, path=path)
            except Exception:
                # The client's answer (FORBIDDEN) stands; losing the entry is the operator's news.
                log.exception("could not record the refused attempt at %s", path)


class Schema(strawberry.Schema):
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
