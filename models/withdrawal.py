"""Withdrawing what was registered by mistake, and restoring it.

Whatever the canton registers is in the family portal at once, so a mistake must be undone at
once too. A withdrawn institution or sponsor leaves the portal and every list but the canton's;
its open invitations are revoked; the accounts tied only to it that never accepted go (their
addresses free again), the others are blocked until a restore. Each withdrawal or restore is
one transaction with its audit entry. Its first write revokes the open invitations, before any
other lock is taken: acceptance locks an invitation first and then the account (and, for a role
change, the sponsor and the institution), so a withdrawal racing an acceptance waits for it or
makes it fail, and never deadlocks with it.
"""

from __future__ import annotations

from typing import TypeVar

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from i18n import _
from models import admins, audit, clock, notices
from models.deletion import remove_never_accepted
from models.errors import FieldErrorCode, FieldProblem, Invalid, InvalidInput, NotAllowed, NotFound
from models.form import Form
from models.institution import Institution, InstitutionStatus
from models.invitation import Invitation, InvitationStatus
from models.registration import require_canton, save_sponsor
from models.role import CANTON_ADMIN_ROLES, is_canton
from models.scope import Actor
from models.sponsor import Sponsor, SponsorStatus
from models.user import User, UserStatus, never_accepted
from models.verdict import GO, UNCHANGED, Verdict, refused

REASON_MAX_LENGTH = 500
Withdrawable = TypeVar("Withdrawable", Institution, Sponsor)


def clean_reason(reason: str | None) -> str | None:
    text = " ".join((reason or "").split())
    if len(text) > REASON_MAX_LENGTH:
        raise Invalid(
            FieldErrorCode.TOO_LONG,
            _("At most {max_length} characters.", max_length=REASON_MAX_LENGTH),
        )
    return text or None


def require_canton_admin(actor: User) -> None:
    if actor.role not in CANTON_ADMIN_ROLES:
        raise NotAllowed()


def _checked_reason(reason: str | None) -> str | None:
    form = Form()
    cleaned = form.check("reason", lambda: clean_reason(reason))
    form.done()
    return cleaned


def withdrawal_verdict(by: Actor, institution: Institution) -> Verdict:
    """Canton staff, clerks included. A withdrawn one answers as it is, and nothing changes."""
    if not is_canton(by.role):
        return refused(NotAllowed())
    return UNCHANGED if institution.status == InstitutionStatus.WITHDRAWN else GO


async def withdraw_institution(*, by: User, institution_id: int, reason: str | None) -> Institution:
    """See `withdrawal_verdict`."""
    require_canton(by)  # before the revocation, the first write: a refused caller writes nothing
    cleaned = _checked_reason(reason)
    async with in_transaction():
        revoked = await _revoke_open(Q(institution_id=institution_id))
        found = await _locked(Institution, institution_id)
        if withdrawal_verdict(by, found).proceed():
            effects = {"revokedInvitations": revoked} | await _withdraw(by, found, False)
            await audit.record(
                "institution.withdrawn",
                actor=by,
                subject=found,
                institution_id=found.id,
                sponsor_id=found.sponsor_id,
                details={"reason": cleaned, **effects},
            )
    return found


async def withdraw_sponsor(*, by: User, sponsor_id: int, reason: str | None) -> Sponsor:
    """Canton admins: the sponsor, every institution of it, and the accounts tied to either."""
    require_canton_admin(by)
    cleaned = _checked_reason(reason)
    async with in_transaction():
        revoked = await _revoke_open(
            Q(sponsor_id=sponsor_id) | Q(institution__sponsor_id=sponsor_id)
        )
        found = await _locked(Sponsor, sponsor_id)
        if found.status != SponsorStatus.WITHDRAWN:
            found.set_status(SponsorStatus.WITHDRAWN)
            await found.save()
            effects = {"revokedInvitations": revoked}
            _add(effects, await _retire(by, User.filter(sponsor_id=found.id)))
            institutions = Institution.filter(sponsor_id=found.id).exclude(
                status=InstitutionStatus.WITHDRAWN
            )
            withdrawn = []
            for institution in await institutions.select_for_update().order_by("id"):
                _add(effects, await _withdraw(by, institution, True))
                withdrawn.append(institution.id)
            await audit.record(
                "sponsor.withdrawn",
                actor=by,
                subject=found,
                sponsor_id=found.id,
                details={"reason": cleaned, "institutions": withdrawn, **effects},
            )
    return found


async def restore_institution(*, by: User, institution_id: int) -> Institution:
    """Back to the status before; accounts blocked by the withdrawal unblocked. Revoked
    invitations stay revoked: invite again."""
    require_canton_admin(by)
    async with in_transaction():
        found = await _locked(Institution, institution_id)
        if found.status == InstitutionStatus.WITHDRAWN:
            sponsor = found.sponsor_id and await Sponsor.get(id=found.sponsor_id)
            if sponsor and sponsor.status == SponsorStatus.WITHDRAWN:
                problem = FieldProblem(
                    FieldErrorCode.WITHDRAWN,
                    _("Its sponsor has been withdrawn; restore the sponsor first."),
                )
                raise InvalidInput({"id": problem})
            unblocked = await _restore(found)
            await audit.record(
                "institution.restored",
                actor=by,
                subject=found,
                institution_id=found.id,
                sponsor_id=found.sponsor_id,
                details={"status": found.status.value, "unblockedAccounts": unblocked},
            )
            await admins.report_missing(by=by, sponsor_ids=(), institution_ids=[found.id])
    return found


async def restore_sponsor(*, by: User, sponsor_id: int) -> Sponsor:
    """The sponsor, and the institutions withdrawn with it (not those withdrawn on their own).
    Its name must be free again: another sponsor may have taken it meanwhile."""
    require_canton_admin(by)
    async with in_transaction():
        found = await _locked(Sponsor, sponsor_id)
        if found.status == SponsorStatus.WITHDRAWN:
            found.set_status(SponsorStatus.ACTIVE)
            await save_sponsor(found)
            unblocked = await _unblock(User.filter(sponsor_id=found.id))
            restored = []
            with_it = Institution.filter(sponsor_id=found.id, withdrawn_with_sponsor=True)
            for institution in await with_it.select_for_update().order_by("id"):
                unblocked += await _restore(institution)
                restored.append(institution.id)
            await audit.record(
                "sponsor.restored",
                actor=by,
                subject=found,
                sponsor_id=found.id,
                details={"institutions": restored, "unblockedAccounts": unblocked},
            )
            await admins.report_missing(by=by, sponsor_ids=[found.id], institution_ids=restored)
    return found


async def _locked(model: type[Withdrawable], row_id: int) -> Withdrawable:
    found = await model.filter(id=row_id).select_for_update().first()
    if found is None:
        if model is Institution:
            raise NotFound(_("There is no such institution."))
        raise NotFound(_("There is no such sponsor."))
    return found


async def _withdraw(by: User, institution: Institution, with_sponsor: bool) -> dict[str, int]:
    institution.status_before_withdrawal = institution.status
    institution.status = InstitutionStatus.WITHDRAWN
    institution.withdrawn_with_sponsor = with_sponsor
    institution.version += 1
    await institution.save()
    told = await notices.institution_withdrawn(institution)  # before the accounts change
    return {"told": told} | await _retire(by, User.filter(institution_id=institution.id))


async def _revoke_open(where: Q) -> int:
    open_ones = Invitation.filter(where, status=InvitationStatus.PENDING)
    ids = await open_ones.values_list("id", flat=True)
    return await Invitation.filter(id__in=list(ids), status=InvitationStatus.PENDING).update(
        status=InvitationStatus.REVOKED, revoked_at=clock.now()
    )


async def _retire(by: User, people: QuerySet[User]) -> dict[str, int]:
    """Each account tied to the scope: deleted when it never accepted, otherwise blocked."""
    deleted = blocked = 0
    for person in await people.select_for_update().order_by("id"):
        if never_accepted(person):
            await remove_never_accepted(person)
            deleted += 1
        elif person.status != UserStatus.BLOCKED:
            person.status_before_block, person.status = person.status, UserStatus.BLOCKED
            person.blocked_by_id, person.blocked_by_role = by.id, by.role
            person.blocked_by_withdrawal = True
            person.signed_out_at = clock.now()
            await person.save()
            blocked += 1
    return {"deletedAccounts": deleted, "blockedAccounts": blocked}


def _add(total: dict[str, int], more: dict[str, int]) -> None:
    for key, value in more.items():
        total[key] = total.get(key, 0) + value


async def _restore(institution: Institution) -> int:
    institution.status = institution.status_before_withdrawal or InstitutionStatus.INVITED
    institution.status_before_withdrawal = None  # type: ignore[assignment]  # nullable
    institution.withdrawn_with_sponsor = False
    institution.version += 1
    await institution.save()
    return await _unblock(User.filter(institution_id=institution.id))


async def _unblock(people: QuerySet[User]) -> int:
    """Only the blocks the withdrawal imposed: a block by an admin before it stays."""
    unblocked = 0
    for person in await people.filter(blocked_by_withdrawal=True).select_for_update():
        person.status = person.status_before_block or UserStatus.ACTIVE
        person.status_before_block = None  # type: ignore[assignment]  # nullable
        person.blocked_by_id, person.blocked_by_role = None, None  # type: ignore[assignment]
        person.blocked_by_withdrawal = False
        await person.save()
        unblocked += 1
    return unblocked
