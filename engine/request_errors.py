"""Errors in the request itself — syntax, validation, variables, the depth, alias and token
limits: they say what is wrong, carry `BAD_USER_INPUT`, and reveal no more of the schema than
the settings allow.

One schema serves every configuration (a second Strawberry schema cannot be built), so
introspection and suggestions are switched per request from the context's settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from engine.errors import Code, Spoken, with_code
from i18n import _
from settings import HttpSettings

SUGGESTION = re.compile(r"\s*Did you mean\b.*$", re.S)


def without_suggestion(error: GraphQLError) -> GraphQLError:
    """A copy: validation errors are cached and shared between requests, so never edit them."""
    if isinstance(error, Spoken):  # ours suggest nothing, and keep what they say
        return error
    return GraphQLError(
        SUGGESTION.sub("", error.message),
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


class NoNulCharacters(ValidationRule):
    """`"\\u0000"` in a string literal: PostgreSQL cannot store it, no field of ours takes it."""

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if "\x00" in node.value:
            text = _("Text must not contain NUL characters.")
            self.report_error(Spoken(text, code=Code.BAD_USER_INPUT, nodes=node))


class RequestErrors(SchemaExtension):
    def _settings(self) -> HttpSettings:
        settings = getattr(self.execution_context.context, "settings", None)
        return settings.http if settings is not None else HttpSettings()

    def on_validate(self) -> Iterator[None]:
        rules = (*self.execution_context.validation_rules, NoNulCharacters)
        if not self._settings().introspection:
            rules = (*rules, NoSchemaIntrospectionCustomRule)
        self.execution_context.validation_rules = rules
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        for error in result.errors:
            if error.path is None:  # about the request, not about a field
                with_code(error, Code.BAD_USER_INPUT)
        if not self._settings().field_suggestions:
            result.errors = [
                without_suggestion(error) if error.path is None else error
                for error in result.errors
            ]
