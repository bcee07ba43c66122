"""The parameters of a GraphQL-over-HTTP request, checked: anything malformed is the client's
error (HTTP 400), never an exception deeper down."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from strawberry.http import GraphQLRequestData

from i18n import Text, _
from models import text

AN_OBJECT = _("`{name}` must be an object or null.")
A_STRING = _("`{name}` must be a string or null.")


class InvalidParameters(ValueError):
    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


def _optional(params: Mapping[str, object], name: str, kind: type, what: Text) -> object:
    value = params.get(name)
    if value is None or isinstance(value, kind):
        return value
    raise InvalidParameters(replace(what, params={"name": name}))


def check_text(value: object) -> None:
    """Text no field can store (NUL, lone surrogates) is refused before anything else looks at
    the request. Every string, keys included; iterative, as the nesting can be deep."""
    pending = [value]
    while pending:
        current = pending.pop()
        if isinstance(current, str) and not text.is_storable(current):
            raise InvalidParameters(_("Text must be valid Unicode without NUL characters."))
        if isinstance(current, dict):
            pending.extend(current.keys())
            pending.extend(current.values())
        elif isinstance(current, list):
            pending.extend(current)


def request_data(params: object) -> GraphQLRequestData:
    if not isinstance(params, dict):
        raise InvalidParameters(_("Send one operation as a JSON object with a `query`."))
    query = params.get("query")
    if not isinstance(query, str) or not query.strip():
        raise InvalidParameters(_("`query` must be a string holding the GraphQL document."))
    variables = _optional(params, "variables", dict, AN_OBJECT)
    operation_name = _optional(params, "operationName", str, A_STRING)
    extensions = _optional(params, "extensions", dict, AN_OBJECT)
    check_text([query, variables, operation_name])
    return GraphQLRequestData(
        query=query,
        variables=variables,  # type: ignore[arg-type]
        operation_name=operation_name,  # type: ignore[arg-type]
        extensions=extensions,  # type: ignore[arg-type]
        protocol="http",
    )


def from_query_string(params: Mapping[str, object]) -> dict[str, object]:
    """GET parameters: an empty value counts as absent, as browsers send empty fields."""
    return {name: value for name, value in params.items() if value not in ("", None)}
