"""The few statements written by hand (where building them through the ORM costs more than
running them): bound parameters only, in the dialect's placeholder style."""

from __future__ import annotations

import itertools
from collections.abc import Iterator


def placeholders(dialect: str) -> Iterator[str]:
    """`$1, $2, …` for PostgreSQL, `?` for SQLite, in the order the parameters are bound."""
    if dialect == "postgres":
        return (f"${n}" for n in itertools.count(1))
    return itertools.repeat("?")
