"""Who may see the bank account in full, and who may change an institution's master data."""

from __future__ import annotations

from models.institution import Institution, InstitutionStatus
from models.role import CANTON_ROLES, INSTITUTION_ROLES, SPONSOR_ROLES, Role
from models.user import User


def may_see_iban(actor: User, row: Institution) -> bool:
    """The bank account in full: the canton and the institution's and its sponsor's admins."""
    if actor.role in CANTON_ROLES:
        return True
    if actor.role == Role.SPONSOR_ADMIN:
        return row.sponsor_id is not None and actor.sponsor_id == row.sponsor_id
    return actor.role == Role.INSTITUTION_ADMIN and actor.institution_id == row.id


def can_edit_master_data(actor: User, row: Institution) -> bool:
    """The institution's staff, its sponsor's staff and super admins; canton staff only while
    the institution is not yet active (issue 5)."""
    if actor.role == Role.SUPER_ADMIN:
        return True
    if actor.role in CANTON_ROLES:
        return row.status == InstitutionStatus.INVITED
    if actor.role in SPONSOR_ROLES:
        return row.sponsor_id is not None and actor.sponsor_id == row.sponsor_id
    return actor.role in INSTITUTION_ROLES and actor.institution_id == row.id
