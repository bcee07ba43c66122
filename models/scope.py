"""The one scope rule: which sponsors, institutions, people, invitations and audit entries an
actor may see, and where it may act.

A `Scope` is derived once from the actor: the canton, one sponsor, one institution, or only
the actor itself. Each kind of row gets one condition from it (`models/conditions.py`), which
the ORM listings, the hand-written SQL listings and the Python checks all evaluate. Every
`visible_to`, every `can_*` and every nested field derives from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from models.conditions import (
    EVERYTHING,
    NOTHING,
    AllOf,
    AnyOf,
    Condition,
    Equals,
    InstitutionOfSponsor,
    Invited,
    OneOf,
    SponsorOfInstitution,
)
from models.raw_sql import Named
from models.role import INSTITUTION_ROLES, SPONSOR_ROLES, Role, is_canton


class Actor(Protocol):
    id: int
    role: Role
    sponsor_id: int | None
    institution_id: int | None


# Withdrawn sponsors and institutions are the canton's alone: for everyone else, and for the
# family portal, they do not exist. (Status values by name: the models build on this module.)
NOT_WITHDRAWN: Condition = OneOf("status", (Named("ACTIVE"), Named("INVITED")))
SPONSOR_NOT_WITHDRAWN: Condition = Equals("status", Named("ACTIVE"))

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
        """Institution rows: `id`, `sponsor_id`, `status`."""
        if self.is_canton:
            return EVERYTHING
        reach = self._by_reach(
            sponsor=Equals("sponsor_id", self.id), institution=Equals("id", self.id)
        )
        return AllOf((reach, NOT_WITHDRAWN))

    def sponsors(self) -> Condition:
        """Sponsor rows: `id`, `status`. Institution staff see the sponsor of their
        institution."""
        if self.is_canton:
            return EVERYTHING
        if self.reach == Reach.INSTITUTION and self.id is not None:
            return AllOf((SponsorOfInstitution(self.id), SPONSOR_NOT_WITHDRAWN))
        return AllOf((self._by_reach(sponsor=Equals("id", self.id)), SPONSOR_NOT_WITHDRAWN))

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
        applicant = Equals("role", Role.APPLICANT)
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


def institution_row(*, id: int | None, sponsor_id: int | None, status: str) -> dict[str, Any]:
    return {"id": id, "sponsor_id": sponsor_id, "status": status}


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
