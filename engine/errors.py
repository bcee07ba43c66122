"""The API's errors outside the result unions, in one place: the codes of `extensions.code`,
the masked messages, the error a client caused, and what a client sees of a domain error or of
an exception.

A domain `NotAllowed` becomes `FORBIDDEN`; a database that cannot be reached becomes
`SERVICE_UNAVAILABLE` (HTTP 503: try again shortly). Any other exception is a fault of ours:
the client gets `UNEXPECTED` with the request id, the operator's log gets the traceback.
Expected outcomes a client switches on by `__typename` are the typed errors of
`schema.types.errors`.

Every message here is a `Text` of the catalogue: `client_view` says it in the request's
language, so one error raised deep in a resolver reads German or French alike.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from graphql import GraphQLError

from i18n import Language, Text, _, translate
from models import audit, errors
from models.outage import is_database_unavailable


class Code(StrEnum):
    """The contract's `extensions.code` values."""

    BAD_USER_INPUT = "BAD_USER_INPUT"  # anything the client caused
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    TIMEOUT = "TIMEOUT"


UNEXPECTED = _("Unexpected error.")
UNAVAILABLE = _("The service is temporarily unavailable; please try again shortly.")
SIGN_IN_NOT_VALID = _("The sign-in is not valid; please sign in again.")


class Spoken(GraphQLError):
    """An error of ours that says something to people: its message is English until
    `client_view` says its `text` in the request's language."""

    def __init__(self, text: Text, *, code: Code | None, nodes: Any = None) -> None:
        super().__init__(str(text), nodes, extensions={"code": code} if code else None)
        self.text = text


class BadUserInput(Spoken):
    """Raised in a resolver for an argument that cannot mean anything (a malformed ID, a
    cursor, a page size out of range): the message says what to send instead."""

    def __init__(self, text: Text) -> None:
        super().__init__(text, code=Code.BAD_USER_INPUT)


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


def spoken(error: GraphQLError, language: Language) -> GraphQLError:
    """`error` in `language`, if it is one of ours that says something (a copy: validation
    errors are cached and shared between requests, so never edit them)."""
    said = error if isinstance(error, Spoken) else error.original_error
    if not isinstance(said, Spoken):
        return error
    return GraphQLError(
        translate(said.text, language),
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


def client_view(error: GraphQLError, language: Language) -> GraphQLError:
    """What the client sees of an error of the operation, in `language`."""
    if isinstance(error.original_error, errors.NotAllowed):
        return GraphQLError(
            translate(error.original_error.text, language),
            nodes=error.nodes,
            path=error.path,
            extensions={"code": Code.FORBIDDEN},
        )
    if is_fault(error) and is_database_unavailable(error.original_error):  # type: ignore[arg-type]
        return GraphQLError(
            translate(UNAVAILABLE, language),
            nodes=error.nodes,
            path=error.path,
            extensions={"code": Code.SERVICE_UNAVAILABLE, "requestId": audit.request_id.get()},
        )
    if is_fault(error):
        return GraphQLError(
            translate(UNEXPECTED, language),
            nodes=error.nodes,
            path=error.path,
            extensions={"requestId": audit.request_id.get()},
        )
    return spoken(tag_client_error(error), language)
