"""Saving master data: activating an institution, and updating it (or its draft) afterwards.

Each save reads the institution under a row lock inside its transaction, so the status and the
version it checks are the ones it overwrites: two saves of the same version cannot both succeed,
and an institution is activated once. (SQLite ignores the lock; Tortoise runs its transactions
one at a time on its single connection.)
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from i18n import _
from models import audit, clock
from models.errors import InstitutionAlreadyActive, NotFound, StaleData
from models.institution import Institution, InstitutionStatus
from models.master_data.access import master_data_verdict
from models.master_data.form import MasterDataForm, validate
from models.user import User

ACTIVATED = "institution.activated"
UPDATED = "institution.master_data_updated"


async def activate(*, by: User, institution_id: int, form: MasterDataForm) -> Institution:
    """The first complete save: the institution becomes `ACTIVE`, and stays so."""
    async with in_transaction():
        row = await _editable(by, institution_id)
        if row.status == InstitutionStatus.ACTIVE:
            raise InstitutionAlreadyActive()
        _check_version(row, form)
        values = validate(form, care_type=row.care_type, complete=True)
        row.status, row.activated_at = InstitutionStatus.ACTIVE, clock.now()
        await _write(row, values, by=by, action=ACTIVATED)
    return row


async def update(*, by: User, institution_id: int, form: MasterDataForm) -> Institution:
    """An active institution's data must stay complete; an invited one's may be a partial draft,
    saved without activating it."""
    async with in_transaction():
        row = await _editable(by, institution_id)
        _check_version(row, form)
        complete = row.status == InstitutionStatus.ACTIVE
        values = validate(form, care_type=row.care_type, complete=complete)
        await _write(row, values, by=by, action=UPDATED)
    return row


async def _editable(actor: User, institution_id: int) -> Institution:
    """Locked for the rest of the transaction. Institutions are public: one outside the
    actor's scope is not allowed, not hidden."""
    row = await Institution.filter(id=institution_id).select_for_update().first()
    if row is None:
        raise NotFound(_("There is no such institution."))
    master_data_verdict(actor, row).proceed()
    return row


def _check_version(row: Institution, form: MasterDataForm) -> None:
    if form.version is not None and form.version != row.version:
        raise StaleData(row.version)


async def _write(row: Institution, values: dict[str, object], *, by: User, action: str) -> None:
    changed = sorted(column for column, value in values.items() if getattr(row, column) != value)
    for column, value in values.items():
        setattr(row, column, value)
    row.version += 1
    await row.save(update_fields=[*values, "status", "activated_at", "version", "updated_at"])
    await audit.record(
        action,
        actor=by,
        subject=row,
        sponsor_id=row.sponsor_id,
        institution_id=row.id,
        details={"fields": changed},  # names only: the IBAN never enters the trail
    )
