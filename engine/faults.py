"""What a client sees of errors: expected ones as they are, everything else masked.

A domain `NotAllowed` becomes `FORBIDDEN`; a database that cannot be reached becomes
`SERVICE_UNAVAILABLE` (HTTP 503: try again shortly). Any other exception is a fault of ours: the
client gets "Unexpected error." with the request id, the operator's log gets the full traceback.
Every `FORBIDDEN` (a permission class's or the domain's) is written to the audit trail as
`access.denied`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from models import audit, errors
from models.outage import is_database_unavailable

log = logging.getLogger("kibon.graphql")

UNEXPECTED = "Unexpected error."
UNAVAILABLE = "The service is temporarily unavailable; please try again shortly."


def is_fault(error: GraphQLError) -> bool:
    """An exception from a resolver. Errors without a path are about the request (a variable
    that does not coerce carries the scalar's exception) and say what the client got wrong."""
    original = error.original_error
    return (
        original is not None
        and error.path is not None
        and not isinstance(original, GraphQLError | errors.NotAllowed)
    )


def _client_view(error: GraphQLError) -> GraphQLError:
    if isinstance(error.original_error, errors.NotAllowed):
        return GraphQLError(
            error.original_error.message,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "FORBIDDEN"},
        )
    if is_fault(error) and is_database_unavailable(error.original_error):  # type: ignore[arg-type]
        return GraphQLError(
            UNAVAILABLE,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "SERVICE_UNAVAILABLE", "requestId": audit.request_id.get()},
        )
    if is_fault(error):
        return GraphQLError(
            UNEXPECTED,
            nodes=error.nodes,
            path=error.path,
            extensions={"requestId": audit.request_id.get()},
        )
    return tag_client_error(error)


def tag_client_error(error: GraphQLError) -> GraphQLError:
    """Parse, validation and variable errors are the client's: they keep their message (it says
    what was wrong) and get BAD_USER_INPUT. Strawberry reports them on two paths, so both call
    this."""
    original = error.original_error
    if (original is None or isinstance(original, GraphQLError)) and not (
        error.extensions or {}
    ).get("code"):
        error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
    return error


def is_forbidden(error: GraphQLError) -> bool:
    return (error.extensions or {}).get("code") == "FORBIDDEN"


class ErrorPolicy(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_client_view(error) for error in result.errors]
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
        for error in errors:
            tag_client_error(error)
            if is_fault(error):
                log.error(
                    "unexpected error in %s",
                    ".".join(map(str, error.path or [])) or "the operation",
                    exc_info=error.original_error,
                )
