"""The one scope rule: which sponsors, institutions, people, invitations and audit entries an
actor may see, and where it may act.

A `Scope` is derived once from the actor: the canton, one sponsor, one institution, or only
the actor itself. Each kind of row gets one `Condition` from it, and a condition is evaluated
three ways from the same definition: as a Tortoise `Q` (ORM listings), as plain SQL with bound
parameters (the hand-written listings), and in Python against a row's values (checks on a row
already loaded). Every `visible_to`, every `can_*` and every nested field derives from here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from tortoise import Tortoise
from tortoise.expressions import Q, Subquery

from models.role import INSTITUTION_ROLES, SPONSOR_ROLES, Role, is_canton


class Actor(Protocol):
    id: int
    role: Role
    sponsor_id: int | None
    institution_id: int | None


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
        return f"{_column(alias, self.column)} = {next(mark)}", [self.value]

    def holds(self, row: Mapping[str, Any]) -> bool:
        return bool(row.get(self.column) == self.value)


@dataclass(frozen=True, slots=True)
class OneOf:
    column: str
    values: tuple[str, ...]

    def q(self) -> Q:
        values: dict[str, Any] = {f"{self.column}__in": list(self.values)}
        return Q(**values)

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        marks = ", ".join(next(mark) for _ in self.values)
        return f"{_column(alias, self.column)} IN ({marks})", list(self.values)

    def holds(self, row: Mapping[str, Any]) -> bool:
        return row.get(self.column) in self.values


@dataclass(frozen=True, slots=True)
class InstitutionOfSponsor:
    """`column` names an institution of the sponsor `sponsor_id` (at this moment). In Python,
    the row gives that institution's sponsor under `column + "__sponsor_id"`."""

    column: str
    sponsor_id: int

    def q(self) -> Q:
        lookup: dict[str, Any] = {f"{self.column.removesuffix('_id')}__sponsor_id": self.sponsor_id}
        return Q(**lookup)

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        select = f'SELECT "id" FROM "institution" WHERE "sponsor_id" = {next(mark)}'  # noqa: S608
        return f"{_column(alias, self.column)} IN ({select})", [self.sponsor_id]

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
        return f"{_column(alias, 'id')} IN ({select})", [self.institution_id]

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
        return Q(id__in=Subquery(open_ones))

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        where, params = self.where.sql('"invitation"', mark)
        # The placeholders in the order of the text: SQLite binds `?` by position.
        select = f'SELECT "user_id" FROM "invitation" WHERE ({where}) AND "status" = {next(mark)}'  # noqa: S608
        return f"{_column(alias, 'id')} IN ({select})", [*params, "PENDING"]

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
_SPONSOR_ROLES = tuple(sorted(SPONSOR_ROLES))
_INSTITUTION_ROLES = tuple(sorted(INSTITUTION_ROLES))


class Reach(StrEnum):
    CANTON = "CANTON"
    SPONSOR = "SPONSOR"
    INSTITUTION = "INSTITUTION"
    SELF = "SELF"


@dataclass(frozen=True, slots=True)
class Scope:
    """`id` is the sponsor's (SPONSOR), the institution's (INSTITUTION), the actor's own (SELF)
    or None (CANTON). A role outside its kind of scope, or without one, reaches only itself."""

    reach: Reach
    id: int | None = None
    role: Role = Role.APPLICANT
    actor_id: int | None = None

    @classmethod
    def of(cls, actor: Actor | None) -> Scope:
        if actor is None:
            return cls(Reach.SELF)
        if is_canton(actor.role):
            return cls(Reach.CANTON, None, actor.role, actor.id)
        if actor.role in SPONSOR_ROLES and actor.sponsor_id is not None:
            return cls(Reach.SPONSOR, actor.sponsor_id, actor.role, actor.id)
        if actor.role in INSTITUTION_ROLES and actor.institution_id is not None:
            return cls(Reach.INSTITUTION, actor.institution_id, actor.role, actor.id)
        return cls(Reach.SELF, actor.id, actor.role, actor.id)

    @property
    def is_canton(self) -> bool:
        return self.reach == Reach.CANTON

    def _by_reach(self, /, **conditions: Condition) -> Condition:
        return conditions.get(self.reach.value.lower(), NOTHING)

    def institutions(self) -> Condition:
        """Institution rows: `id`, `sponsor_id`."""
        return self._by_reach(
            canton=EVERYTHING,
            sponsor=Equals("sponsor_id", self.id),
            institution=Equals("id", self.id),
        )

    def sponsors(self) -> Condition:
        """Sponsor rows: `id`. Institution staff see the sponsor of their institution."""
        if self.reach == Reach.INSTITUTION and self.id is not None:
            return SponsorOfInstitution(self.id)
        return self._by_reach(canton=EVERYTHING, sponsor=Equals("id", self.id))

    def people(self) -> Condition:
        """User rows (`id`, `sponsor_id`, `institution_id`, `institution_id__sponsor_id`), and
        where a role would sit: a role may be given only where its holder is in scope."""
        sponsor_id = self.id or 0
        return self._by_reach(
            canton=EVERYTHING,
            sponsor=AnyOf(
                (
                    Equals("sponsor_id", sponsor_id),
                    InstitutionOfSponsor("institution_id", sponsor_id),
                )
            ),
            institution=Equals("institution_id", self.id),
            self=Equals("id", self.id),
        )

    def people_seen(self) -> Condition:
        """Whom listings show: the people in scope, and applicants with an open invitation in
        scope (shown as the invitation describes them: `models.invitation.as_seen`)."""
        if self.reach in (Reach.CANTON, Reach.SELF):
            return self.people()
        applicant = Equals("role", Role.APPLICANT.value)
        return AnyOf((self.people(), AllOf((applicant, Invited(self.invitations())))))

    def invitations(self) -> Condition:
        """Invitation rows (`role`, `sponsor_id`, `institution_id`,
        `institution_id__sponsor_id`): by the scope of the role they grant, and no other."""
        sponsor_id = self.id or 0
        return self._by_reach(
            canton=EVERYTHING,
            sponsor=AnyOf(
                (
                    AllOf((OneOf("role", _SPONSOR_ROLES), Equals("sponsor_id", sponsor_id))),
                    AllOf(
                        (
                            OneOf("role", _INSTITUTION_ROLES),
                            InstitutionOfSponsor("institution_id", sponsor_id),
                        )
                    ),
                )
            ),
            institution=AllOf(
                (OneOf("role", _INSTITUTION_ROLES), Equals("institution_id", self.id))
            ),
        )

    def audit_entries(self) -> Condition:
        """Audit rows by the scope they were written in (`sponsor_id`, `institution_id`), never
        by where an institution sits now. Admins only; the canton reads everything."""
        if self.role not in (Role.SPONSOR_ADMIN, Role.INSTITUTION_ADMIN) and not self.is_canton:
            return NOTHING
        return self._by_reach(
            canton=EVERYTHING,
            sponsor=Equals("sponsor_id", self.id),
            institution=Equals("institution_id", self.id),
        )


def institution_row(*, id: int | None, sponsor_id: int | None) -> dict[str, Any]:
    return {"id": id, "sponsor_id": sponsor_id}


def place_row(
    *,
    id: int | None = None,
    role: Role | None = None,
    sponsor_id: int | None,
    institution_id: int | None,
    institution_sponsor_id: int | None,
) -> dict[str, Any]:
    """A person or an invitation, or where a role would sit, as the Python checks read it."""
    return {
        "id": id,
        "role": role,
        "sponsor_id": sponsor_id,
        "institution_id": institution_id,
        "institution_id__sponsor_id": institution_sponsor_id,
    }
