"""The few statements written by hand (where building them through the ORM costs more than
running them): what a request brings bound, in the dialect's placeholder style; what the code
names (a status, a role) written into the text (`value`)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from enum import Enum
from typing import Any

from pypika_tortoise.context import SqlContext
from tortoise import connections
from tortoise.expressions import Q, Subquery
from tortoise.queryset import ValuesQuery


def placeholders(dialect: str) -> Iterator[str]:
    """`$1, $2, …` for PostgreSQL, `?` for SQLite, in the order the parameters are bound."""
    if dialect == "postgres":
        return (f"${n}" for n in itertools.count(1))
    return itertools.repeat("?")


class Named(str):
    """A value the code names, never one a request brings: a status, say, where the module
    cannot import its enum."""


def value(given: Any, mark: Iterator[str]) -> tuple[str, list[Any]]:
    """`given` as a statement writes it, and what that binds. A `Named` value or an enum
    member is written as a literal: PostgreSQL then plans for it (its share of the rows, an
    index for its rows alone) and keeps one plan for the statement, where for a bound status
    it often planned every run anew. Anything else is bound."""
    if isinstance(given, Named | Enum):
        text = given.value if isinstance(given, Enum) else given
        return "'" + str(text).replace("'", "''") + "'", []
    return next(mark), [given]


class _AnyOfRows(Subquery):
    """`= ANY(ARRAY(SELECT …))`: the rows are fetched once, and the column's own index serves
    the comparison, also as one branch of an OR (a BitmapOr)."""

    def get_sql(self, ctx: SqlContext) -> str:
        return f"ANY(ARRAY({super().get_sql(ctx)}))"


def in_rows(column: str, rows: ValuesQuery[Any]) -> Q:
    """`column IN (rows)`, a one-column query. PostgreSQL plans `IN (SELECT …)` inside an OR
    as a filter on every row of the table, which a scope rule's OR of places (a sponsor's
    own people or those of its institutions) turns into a scan of all accounts; written as
    `= ANY(ARRAY(…))` it walks the indexes. SQLite plans `IN (SELECT …)` on the index."""
    lookup: dict[str, Any] = {f"{column}__in": Subquery(rows)}
    if connections.get("default").capabilities.dialect == "postgres":
        lookup = {column: _AnyOfRows(rows)}
    return Q(**lookup)


def in_select(column: str, select: str) -> str:
    """`in_rows` for a statement written by hand: `column` and the one-column `select` as SQL."""
    if connections.get("default").capabilities.dialect == "postgres":
        return f"{column} = ANY(ARRAY({select}))"
    return f"{column} IN ({select})"
