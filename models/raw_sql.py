"""The few statements written by hand (where building them through the ORM costs more than
running them): bound parameters only, in the dialect's placeholder style."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
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
