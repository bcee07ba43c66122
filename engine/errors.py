"""The API's errors outside the result unions, in one place: the codes of `extensions.code`,
the masked messages, the error a client caused, and what a client sees of a domain error or of
an exception.

A domain `NotAllowed` becomes `FORBIDDEN`; a database that cannot be reached becomes
`SERVICE_UNAVAILABLE` (HTTP 503: try again shortly). Any other exception is a fault of ours:
the client gets `UNEXPECTED` with the request id, the operator's log gets the traceback.
Expected outcomes a client switches on by `__typename` are the typed errors of
`schema.types.errors`.
"""

from __future__ import annotations

from enum import StrEnum

from graphql import GraphQLError

from models import audit, errors
from models.outage import is_database_unavailable


class Code(StrEnum):
    """The contract's `extensions.code` values."""

    BAD_USER_INPUT = "BAD_USER_INPUT"  # anything the client caused
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    TIMEOUT = "TIMEOUT"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"  # send the full query once
    OPERATION_NOT_TRUSTED = "OPERATION_NOT_TRUSTED"  # not among the trusted documents


UNEXPECTED = "Unexpected error."
UNAVAILABLE = "The service is temporarily unavailable; please try again shortly."
SIGN_IN_NOT_VALID = "The sign-in is not valid; please sign in again."


class BadUserInput(GraphQLError):
    """Raised in a resolver for an argument that cannot mean anything (a malformed ID, a
    cursor, a page size out of range): the message says what to send instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": Code.BAD_USER_INPUT})


def code_of(error: GraphQLError) -> object:
    return (error.extensions or {}).get("code")


def with_code(error: GraphQLError, code: Code) -> None:
    """Gives `error` the code unless it has one."""
    if not code_of(error):
        error.extensions = {**(error.extensions or {}), "code": code}


def is_fault(error: GraphQLError) -> bool:
    """An exception from a resolver. Errors without a path are about the request (a variable
    that does not coerce carries the scalar's exception) and say what the client got wrong."""
    original = error.original_error
    return (
        original is not None
        and error.path is not None
        and not isinstance(original, GraphQLError | errors.NotAllowed)
    )


def is_forbidden(error: GraphQLError) -> bool:
    return code_of(error) == Code.FORBIDDEN


def tag_client_error(error: GraphQLError) -> GraphQLError:
    """Parse, validation and variable errors are the client's: they keep their message (it says
    what was wrong) and get BAD_USER_INPUT. Strawberry reports them on two paths, so both call
    this."""
    if error.original_error is None or isinstance(error.original_error, GraphQLError):
        with_code(error, Code.BAD_USER_INPUT)
    return error


def client_view(error: GraphQLError) -> GraphQLError:
    """What the client sees of an error of the operation."""
    if isinstance(error.original_error, errors.NotAllowed):
        return GraphQLError(
            error.original_error.message,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": Code.FORBIDDEN},
        )
    if is_fault(error) and is_database_unavailable(error.original_error):  # type: ignore[arg-type]
        return GraphQLError(
            UNAVAILABLE,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": Code.SERVICE_UNAVAILABLE, "requestId": audit.request_id.get()},
        )
    if is_fault(error):
        return GraphQLError(
            UNEXPECTED,
            nodes=error.nodes,
            path=error.path,
            extensions={"requestId": audit.request_id.get()},
        )
    return tag_client_error(error)
