"""A document validated once, with the rules of its request, for as long as it is parsed.

Strawberry's `ValidationCache` keys an LRU cache on the parsed document, and graphql-core's
nodes hash by value: every request hashed its whole document, node by node, to find the
answer. The parser's cache already answers the same text with the same document, so the
validation's errors are kept beside it (`engine.kept`), by the rules they were found with.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from engine.kept import KeptWith

_kept: KeptWith[tuple[type[ASTValidationRule], ...], list[GraphQLError]] = KeptWith()


class KeptValidation(SchemaExtension):
    """Validates as Strawberry does, once per parsed document and set of rules. Comes after
    every extension that adds rules: it validates with those present when its turn comes."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document, rules = context.graphql_document, context.validation_rules
        if document is not None:
            kept = _kept.of(document)
            errors = kept.get(rules)
            if errors is None:
                errors = kept[rules] = validate_document(context.schema._schema, document, rules)
            context.pre_execution_errors = errors
        yield
