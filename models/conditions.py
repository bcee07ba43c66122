"""Conditions on rows, each evaluated three ways from one definition: as a Tortoise `Q` (ORM
listings), as plain SQL with bound parameters (the hand-written listings), and in Python
against a row's values (checks on a row already loaded). `models/scope.py` builds the scope
rule from them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from tortoise import Tortoise
from tortoise.expressions import Q

from models import raw_sql


class Condition(Protocol):
    def q(self) -> Q: ...

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]: ...

    def holds(self, row: Mapping[str, Any]) -> bool: ...


def _column(alias: str, name: str) -> str:
    return f'{alias}."{name}"' if alias else f'"{name}"'


@dataclass(frozen=True, slots=True)
class Equals:
    column: str
    value: Any

    def q(self) -> Q:
        return Q(**{self.column: self.value})

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        written, params = raw_sql.value(self.value, mark)
        return f"{_column(alias, self.column)} = {written}", params

    def holds(self, row: Mapping[str, Any]) -> bool:
        return bool(row.get(self.column) == self.value)


@dataclass(frozen=True, slots=True)
class OneOf:
    column: str
    values: tuple[Any, ...]

    def q(self) -> Q:
        values: dict[str, Any] = {f"{self.column}__in": list(self.values)}
        return Q(**values)

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        written = [raw_sql.value(value, mark) for value in self.values]
        marks = ", ".join(text for text, _ in written)
        return f"{_column(alias, self.column)} IN ({marks})", [p for _, ps in written for p in ps]

    def holds(self, row: Mapping[str, Any]) -> bool:
        return row.get(self.column) in self.values


@dataclass(frozen=True, slots=True)
class IsNull:
    column: str

    def q(self) -> Q:
        lookup: dict[str, Any] = {f"{self.column}__isnull": True}
        return Q(**lookup)

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        return f"{_column(alias, self.column)} IS NULL", []

    def holds(self, row: Mapping[str, Any]) -> bool:
        return row.get(self.column) is None


_OPERATORS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


@dataclass(frozen=True, slots=True)
class Compare:
    """`column` below or above `value`: `operator` is `lt`, `lte`, `gt` or `gte`."""

    column: str
    operator: str
    value: Any

    def q(self) -> Q:
        return Q(**{f"{self.column}__{self.operator}": self.value})

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        operator = _OPERATORS[self.operator]
        return f"{_column(alias, self.column)} {operator} {next(mark)}", [self.value]

    def holds(self, row: Mapping[str, Any]) -> bool:
        found = row.get(self.column)
        if found is None:
            return False
        return bool(
            {
                "lt": found < self.value,
                "lte": found <= self.value,
                "gt": found > self.value,
                "gte": found >= self.value,
            }[self.operator]
        )


def like_escaped(value: str) -> str:
    """`value` taken literally by `LIKE … ESCAPE '\\'`."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True, slots=True)
class Contains:
    """`term` appears in one of `columns`; `ignoring_case` as Tortoise's `icontains` (both
    sides upper-cased by the database), else as its `contains`."""

    columns: tuple[str, ...]
    term: str
    ignoring_case: bool = False

    def q(self) -> Q:
        lookup = "icontains" if self.ignoring_case else "contains"
        return Q(*(Q(**{f"{c}__{lookup}": self.term}) for c in self.columns), join_type="OR")

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        pattern = f"%{like_escaped(self.term)}%"
        texts = []
        for column in self.columns:
            cast = f"CAST({_column(alias, column)} AS VARCHAR)"
            if self.ignoring_case:
                texts.append(f"UPPER({cast}) LIKE UPPER({next(mark)}) ESCAPE '\\'")
            else:
                texts.append(f"{cast} LIKE {next(mark)} ESCAPE '\\'")
        return " OR ".join(texts), [pattern] * len(self.columns)

    def holds(self, row: Mapping[str, Any]) -> bool:
        term = self.term.upper() if self.ignoring_case else self.term
        for column in self.columns:
            value = str(row.get(column) or "")
            if term in (value.upper() if self.ignoring_case else value):
                return True
        return False


@dataclass(frozen=True, slots=True)
class InstitutionOfSponsor:
    """`column` names an institution of the sponsor `sponsor_id` (at this moment). In Python,
    the row gives that institution's sponsor under `column + "__sponsor_id"`."""

    column: str
    sponsor_id: int

    def q(self) -> Q:
        # By name, not by import: the institution model is built on this module.
        institution = Tortoise.apps["models"]["Institution"]
        return raw_sql.in_rows(
            self.column, institution.filter(sponsor_id=self.sponsor_id).values("id")
        )

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        select = f'SELECT "id" FROM "institution" WHERE "sponsor_id" = {next(mark)}'  # noqa: S608
        return raw_sql.in_select(_column(alias, self.column), select), [self.sponsor_id]

    def holds(self, row: Mapping[str, Any]) -> bool:
        return row.get(self.column) is not None and bool(
            row.get(f"{self.column}__sponsor_id") == self.sponsor_id
        )


@dataclass(frozen=True, slots=True)
class SponsorOfInstitution:
    """The row is the sponsor of the institution `institution_id`: for a sponsor row, whose
    `institutions__id` lookup the Python check receives as `institution_ids`."""

    institution_id: int

    def q(self) -> Q:
        return Q(institutions__id=self.institution_id)

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        select = f'SELECT "sponsor_id" FROM "institution" WHERE "id" = {next(mark)}'  # noqa: S608
        return raw_sql.in_select(_column(alias, "id"), select), [self.institution_id]

    def holds(self, row: Mapping[str, Any]) -> bool:
        return self.institution_id in row.get("institution_ids", ())


@dataclass(frozen=True, slots=True)
class Invited:
    """A user row with an open invitation that meets `where`. In Python, the row says so
    under `invited` (a check on a loaded row never counts on it)."""

    where: Condition

    def q(self) -> Q:
        # By name, not by import: the invitation model is built on this module.
        invitation = Tortoise.apps["models"]["Invitation"]
        open_ones = invitation.filter(self.where.q(), status="PENDING").values("user_id")
        return raw_sql.in_rows("id", open_ones)

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        where, params = self.where.sql('"invitation"', mark)
        pending, _ = raw_sql.value(raw_sql.Named("PENDING"), mark)
        select = f'SELECT "user_id" FROM "invitation" WHERE ({where}) AND "status" = {pending}'  # noqa: S608
        return raw_sql.in_select(_column(alias, "id"), select), params

    def holds(self, row: Mapping[str, Any]) -> bool:
        return bool(row.get("invited"))


@dataclass(frozen=True, slots=True)
class AllOf:
    parts: tuple[Condition, ...]

    def q(self) -> Q:
        return Q(*(part.q() for part in self.parts), join_type="AND")

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        if not self.parts:
            return "1 = 1", []
        return _joined(" AND ", self.parts, alias, mark)

    def holds(self, row: Mapping[str, Any]) -> bool:
        return all(part.holds(row) for part in self.parts)


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Condition, ...]

    def q(self) -> Q:
        if not self.parts:
            return Q(id__in=[])
        return Q(*(part.q() for part in self.parts), join_type="OR")

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        if not self.parts:
            return "1 = 0", []
        return _joined(" OR ", self.parts, alias, mark)

    def holds(self, row: Mapping[str, Any]) -> bool:
        return any(part.holds(row) for part in self.parts)


@dataclass(frozen=True, slots=True)
class Not:
    """The row does not meet `part`. Only for parts that are never NULL in SQL: a comparison
    with a NULL column is NULL, and so is its NOT, which drops the row either way."""

    part: Condition

    def q(self) -> Q:
        return ~self.part.q()

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        text, params = self.part.sql(alias, mark)
        return f"NOT ({text})", params

    def holds(self, row: Mapping[str, Any]) -> bool:
        return not self.part.holds(row)


def _joined(
    operator: str, parts: tuple[Condition, ...], alias: str, mark: Iterator[str]
) -> tuple[str, list[Any]]:
    texts, params = [], []
    for part in parts:
        text, values = part.sql(alias, mark)
        texts.append(f"({text})")
        params += values
    return operator.join(texts), params


EVERYTHING: Condition = AllOf(())
NOTHING: Condition = AnyOf(())
