"""Correcting registration data: the canton's support process is "report wrongly captured
data at once", so canton staff may correct anything; the people who run an institution may
rename it, and set its voucher date until it is active."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from tortoise.transactions import in_transaction

from i18n import _
from models import audit, clock, notices, text, voucher_period
from models.errors import NotAllowed, NotFound
from models.form import Form
from models.institution import CareType, Institution, InstitutionStatus, is_run_by
from models.invitation import Invitation, InvitationStatus
from models.master_data.form import not_applicable
from models.registration import clean_vouchers_from, require_canton, save_sponsor
from models.scope import Scope
from models.sponsor import Sponsor
from models.user import User
from models.withdrawn import refuse_withdrawn


async def update_sponsor(*, by: User, sponsor_id: int, name: str) -> Sponsor:
    require_canton(by)
    form = Form()
    name = form.check("name", lambda: text.clean_name(name))
    form.done()
    async with in_transaction():
        sponsor = await Sponsor.filter(id=sponsor_id).select_for_update().first()
        if sponsor is None:
            raise NotFound(_("There is no such sponsor."))
        refuse_withdrawn(by, sponsor, field="id")
        sponsor.set_name(name)
        await save_sponsor(sponsor)
        await audit.record(
            "sponsor.updated",
            actor=by,
            subject=sponsor,
            sponsor_id=sponsor.id,
            details={"fields": ["name"]},
        )
    return sponsor


class Unchanged(Enum):
    """A field the correction leaves as it is (where `None` means "clear it")."""

    UNCHANGED = "UNCHANGED"


UNCHANGED = Unchanged.UNCHANGED


@dataclass(frozen=True)
class InstitutionCorrection:
    name: str | None = None
    care_type: CareType | None = None
    vouchers_from: date | None = None
    sponsor_id: int | None = None
    vouchers_until: date | Unchanged | None = UNCHANGED

    def fields(self) -> list[str]:
        return [
            name
            for name, value in vars(self).items()
            if value is not UNCHANGED and (value is not None or name == "vouchers_until")
        ]


def check_may_correct(actor: User, institution: Institution, change: InstitutionCorrection) -> None:
    """The canton corrects anything; the people who run the institution may rename it, and set
    `vouchersFrom` until it is active (from then on it is the canton's)."""
    scope = Scope.of(actor)
    if scope.is_canton:
        return
    if not is_run_by(scope, institution) or change.care_type or change.sponsor_id:
        raise NotAllowed()
    if change.vouchers_until is not UNCHANGED:
        raise NotAllowed(_("Only the canton sets the last day of vouchers."))
    if change.vouchers_from is not None and institution.status != InstitutionStatus.INVITED:
        raise NotAllowed(_("Only the canton changes the voucher date of an active institution."))


async def update_institution(
    *, by: User, institution_id: int, change: InstitutionCorrection
) -> Institution:
    form = Form()
    if change.name is not None:
        form.check("name", lambda: text.clean_name(change.name or ""))
    if change.vouchers_from is not None:
        form.check("vouchersFrom", lambda: clean_vouchers_from(change.vouchers_from))  # type: ignore[arg-type]
    form.done()
    async with in_transaction():
        found = await Institution.filter(id=institution_id).select_for_update().first()
        if found is None:  # public: one outside the actor's scope is not allowed, not hidden
            raise NotFound(_("There is no such institution."))
        refuse_withdrawn(by, found, field="id")
        check_may_correct(by, found, change)
        check_period(found, change)
        was_sponsor_id = found.sponsor_id
        cleared = await _apply(by, found, change)
        moved = was_sponsor_id != found.sponsor_id
        revoked = await revoke_old_sponsors_invitations(found, was_sponsor_id) if moved else 0
        await audit.record(
            "institution.updated",
            actor=by,
            subject=found,
            institution_id=found.id,
            sponsor_id=found.sponsor_id,
            details={"fields": change.fields()}
            | ({"cleared": cleared} if cleared else {})
            | ({"fromSponsorId": was_sponsor_id, "revokedInvitations": revoked} if moved else {}),
        )
    return found


def check_period(institution: Institution, change: InstitutionCorrection) -> None:
    """The period as the correction leaves it must hold; an end is checked against today only
    when this correction sets or changes it."""
    if change.vouchers_until is UNCHANGED:
        until, changed, field = institution.vouchers_until, False, "vouchersFrom"
    else:
        until, field = change.vouchers_until, "vouchersUntil"
        changed = until != institution.vouchers_until
    form = Form()
    voucher_period.check(
        form,
        start=change.vouchers_from or institution.vouchers_from,
        until=until,
        until_changed=changed,
        field=field,
    )
    form.done()


async def revoke_old_sponsors_invitations(institution: Institution, sponsor_id: int | None) -> int:
    """A moved institution is no longer the old sponsor's: its open invitations that grant a
    role of the old sponsor for it (a sponsor admin's "activate X") are withdrawn."""
    if sponsor_id is None:
        return 0
    return await Invitation.filter(
        institution_id=institution.id, sponsor_id=sponsor_id, status=InvitationStatus.PENDING
    ).update(status=InvitationStatus.REVOKED, revoked_at=clock.now())


async def _apply(by: User, institution: Institution, change: InstitutionCorrection) -> list[str]:
    """Returns the master data it cleared: what the new care type has no place for."""
    before = institution.sponsor_id
    if change.sponsor_id is not None:
        sponsor = await Sponsor.get_or_none(id=change.sponsor_id)
        if sponsor is None:
            raise NotFound(_("There is no such sponsor."))
        refuse_withdrawn(by, sponsor, field="sponsorId")
        institution.sponsor_id = change.sponsor_id
    if change.name is not None:
        institution.set_name(text.clean_name(change.name))
    cleared = _clear_for(institution, change.care_type) if change.care_type else []
    institution.care_type = change.care_type or institution.care_type
    institution.vouchers_from = change.vouchers_from or institution.vouchers_from
    if change.vouchers_until is not UNCHANGED:
        institution.vouchers_until = change.vouchers_until
    institution.version += 1
    await institution.save()
    if institution.sponsor_id != before:
        old = await Sponsor.get_or_none(id=before) if before is not None else None
        await notices.institution_moved(institution, before=old)
    return cleared


def _clear_for(institution: Institution, care_type: CareType) -> list[str]:
    """An active institution stays active: a new care type that needs more (places for a
    day-care centre) asks for it at the next save."""
    cleared = [c for c in not_applicable(care_type) if getattr(institution, c) is not None]
    for column in cleared:
        setattr(institution, column, None)
    return cleared
