"""Roles, the scope each role ties to, and who may grant which role (the contract's role table)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SUPER_ADMIN = "SUPER_ADMIN"
    CANTON_ADMIN = "CANTON_ADMIN"
    CANTON_CLERK = "CANTON_CLERK"
    SPONSOR_ADMIN = "SPONSOR_ADMIN"
    SPONSOR_CLERK = "SPONSOR_CLERK"
    INSTITUTION_ADMIN = "INSTITUTION_ADMIN"
    INSTITUTION_CLERK = "INSTITUTION_CLERK"
    APPLICANT = "APPLICANT"


class Scope(StrEnum):
    NONE = "NONE"
    SPONSOR = "SPONSOR"
    INSTITUTION = "INSTITUTION"


CANTON_ROLES = frozenset({Role.SUPER_ADMIN, Role.CANTON_ADMIN, Role.CANTON_CLERK})
CANTON_ADMIN_ROLES = frozenset({Role.SUPER_ADMIN, Role.CANTON_ADMIN})
SPONSOR_ROLES = frozenset({Role.SPONSOR_ADMIN, Role.SPONSOR_CLERK})
INSTITUTION_ROLES = frozenset({Role.INSTITUTION_ADMIN, Role.INSTITUTION_CLERK})
ADMIN_ROLES = frozenset(
    {Role.SUPER_ADMIN, Role.CANTON_ADMIN, Role.SPONSOR_ADMIN, Role.INSTITUTION_ADMIN}
)
STAFF_ROLES = frozenset(Role) - {Role.APPLICANT}

GRANTABLE: dict[Role, frozenset[Role]] = {
    Role.SUPER_ADMIN: frozenset(Role),
    Role.CANTON_ADMIN: frozenset(
        {Role.CANTON_ADMIN, Role.CANTON_CLERK, Role.SPONSOR_ADMIN, Role.INSTITUTION_ADMIN}
    ),
    Role.SPONSOR_ADMIN: frozenset(
        {Role.SPONSOR_ADMIN, Role.SPONSOR_CLERK, Role.INSTITUTION_ADMIN, Role.INSTITUTION_CLERK}
    ),
    Role.INSTITUTION_ADMIN: frozenset({Role.INSTITUTION_ADMIN, Role.INSTITUTION_CLERK}),
}


def scope_level(role: Role) -> Scope:
    if role in SPONSOR_ROLES:
        return Scope.SPONSOR
    if role in INSTITUTION_ROLES:
        return Scope.INSTITUTION
    return Scope.NONE


def is_canton(role: Role) -> bool:
    return role in CANTON_ROLES


def can_grant(granter: Role, role: Role) -> bool:
    return role in GRANTABLE.get(granter, frozenset())
