"""Bounded work per request: depth and aliases checked during validation, before any resolver.

Strawberry's limiters build a new rule class per request; the validation cache keys on the rule
classes, so it would never hit. Built once here, the same classes serve every request and a
document validated once is not validated again.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSyntaxError,
    Source,
    TokenKind,
    ValidationContext,
    ValidationRule,
)
from graphql.language.lexer import Lexer
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from engine.errors import Code, Spoken
from i18n import Text, _

MAX_DEPTH = 10  # every legitimate query of the contract, through Relay connections, fits
MAX_ALIASES = 15
MAX_TOKENS = 2000


class _Saying:
    """The validation context as a limit rule sees it: Strawberry's rules do all their work
    when created and report in English, so their report is replaced by our `Text`."""

    def __init__(self, context: ValidationContext, text: Text) -> None:
        self._context, self._text = context, text

    @property
    def document(self) -> DocumentNode:
        return self._context.document

    def report_error(self, error: GraphQLError) -> None:
        said = Spoken(self._text, code=Code.BAD_USER_INPUT, nodes=error.nodes)
        self._context.report_error(said)


def saying(rule: type[ValidationRule], text: Text) -> type[ValidationRule]:
    class Limit(ValidationRule):
        def __init__(self, context: ValidationContext, *args: Any) -> None:
            rule(_Saying(context, text))  # type: ignore[arg-type]
            super().__init__(context)

    return Limit


_RULES = [
    saying(
        depth_rule(MAX_DEPTH, None, None),
        _("The operation is nested deeper than {most} levels.", most=MAX_DEPTH),
    ),
    saying(
        aliases_rule(MAX_ALIASES),
        _("The operation has more than {most} aliases.", most=MAX_ALIASES),
    ),
]


class RequestLimits(AddValidationRules):
    def __init__(self) -> None:
        super().__init__(list(_RULES))


TOO_MANY_TOKENS = _("The operation has more than {most} tokens.", most=MAX_TOKENS)


class TokenLimit(MaxTokensLimiter):
    """graphql-core stops parsing after `MAX_TOKENS` tokens with a syntax error of its own
    (English); the error policy (`engine.faults.Schema.process_errors`) says it in the
    reader's language, see `is_too_long`."""

    def __init__(self) -> None:
        super().__init__(max_token_count=MAX_TOKENS)


def is_too_long(error: GraphQLError, query: str | None) -> bool:
    """A syntax error of a document longer than the limit: the limit stopped the parser."""
    return (
        isinstance(error, GraphQLSyntaxError)
        and bool(query)
        and _longer_than(query or "", MAX_TOKENS)
    )


def _longer_than(query: str, most: int) -> bool:
    lexer = Lexer(Source(query))
    try:
        for _count in range(most + 1):
            if lexer.advance().kind == TokenKind.EOF:
                return False
    except GraphQLError:  # a syntax error before the limit: not the limit's
        return False
    return True
