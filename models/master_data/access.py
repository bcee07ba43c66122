"""Who may see the bank account in full, and who may change an institution's master data."""

from __future__ import annotations

from models.errors import NotAllowed
from models.institution import Institution, InstitutionStatus, MasterDataColumns, in_scope
from models.role import ADMIN_ROLES, Role
from models.scope import Actor, Scope
from models.verdict import GO, Verdict, refused
from models.withdrawn import withdrawn_refusal


def may_see_iban(scope: Scope, row: Institution | MasterDataColumns) -> bool:
    """The bank account in full: the canton and the institution's and its sponsor's admins."""
    return scope.is_canton or (scope.role in ADMIN_ROLES and in_scope(scope, row))


def can_edit_master_data(scope: Scope, row: Institution) -> bool:
    """The institution's staff, its sponsor's staff and super admins; canton staff only while
    the institution is not yet active (issue 5)."""
    if scope.role == Role.SUPER_ADMIN:
        return True
    if scope.is_canton:
        return row.status == InstitutionStatus.INVITED
    return in_scope(scope, row)


def master_data_verdict(actor: Actor, row: Institution) -> Verdict:
    """Saving master data (`update`; `activate` while the institution is not yet active): not
    into a withdrawn institution, and only by whom `can_edit_master_data` names."""
    refusal = withdrawn_refusal(actor, row, field="id")
    if refusal is None and not can_edit_master_data(Scope.of(actor), row):
        refusal = NotAllowed()
    return GO if refusal is None else refused(refusal)
