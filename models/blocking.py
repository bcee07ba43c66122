"""Blocking people who leave, and unblocking them.

A blocked person is refused at the very next request, whatever token they hold (sign-in checks
the status on every request). Blocking also ends the current sign-in, so after unblocking the
person signs in afresh. A sponsor or an institution keeps at least one active admin unless the
canton acts: that count is taken under a row lock on the sponsor or institution, so two admins
blocking each other at the same moment cannot both succeed.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from i18n import _
from models import account, admins, audit, clock, email, notices
from models.errors import (
    BlockedByCanton,
    BlockedByWithdrawal,
    CannotBlockYourself,
    DomainError,
    LastActiveAdmin,
    NotAllowed,
    NotFound,
)
from models.institution import Institution
from models.placement import audit_scope
from models.role import CANTON_ROLES, Role, is_canton
from models.scope import Scope
from models.sponsor import Sponsor
from models.user import User, UserStatus, can_manage, person_row
from models.verdict import GO, UNCHANGED, Verdict, refused


def manage_refusal(by: User, target: User, institution: Institution | None) -> DomainError | None:
    """Not found unless `by` sees the account, not allowed unless `by` may manage it."""
    if not Scope.of(by).people().holds(person_row(target, institution)):
        return NotFound(_("There is no such user."))
    if not can_manage(by, target, institution=institution):
        return NotAllowed(_("You may not manage this user."))
    return None


async def locked(user_id: int) -> tuple[User | None, Institution | None]:
    """The account, row-locked, with the institution it is tied to (whatever its status: the
    scope rule decides). Call inside a transaction."""
    target = await User.filter(id=user_id).select_for_update().first()
    institution = None
    if target is not None and target.institution_id is not None:
        institution = await Institution.get(id=target.institution_id)
    return target, institution


async def managed(by: User, user_id: int) -> tuple[User, Institution | None]:
    """The target, row-locked, with its institution: not found unless `by` sees it, not allowed
    unless `by` may manage it. Call inside a transaction."""
    target, institution = await locked(user_id)
    if target is None:
        raise NotFound(_("There is no such user."))
    refusal = manage_refusal(by, target, institution)
    if refusal is not None:
        raise refusal
    return target, institution


def block_verdict(by: User, target: User, institution: Institution | None) -> Verdict:
    """Not oneself; whoever may manage the account; a blocked one stays as it is."""
    if target.id == by.id:
        return refused(CannotBlockYourself())
    refusal = manage_refusal(by, target, institution)
    if refusal is not None:
        return refused(refusal)
    return UNCHANGED if target.status == UserStatus.BLOCKED else GO


def unblock_verdict(by: User, target: User, institution: Institution | None) -> Verdict:
    """Whoever may manage the account, except that a block by withdrawal lifts only with a
    restore and a block the canton imposed (a compromised account, say) only by canton staff.
    An account that is not blocked stays as it is."""
    refusal = manage_refusal(by, target, institution)
    if refusal is not None:
        return refused(refusal)
    if target.status != UserStatus.BLOCKED:
        return UNCHANGED
    if target.blocked_by_withdrawal:
        return refused(BlockedByWithdrawal())
    if target.blocked_by_role in CANTON_ROLES and not is_canton(by.role):
        return refused(BlockedByCanton())
    return GO


async def keep_an_active_admin(*, by: User, leaving: User) -> None:
    """Refuses if `leaving` is the last active admin of its sponsor or institution. An
    institution is also run by the admins of its sponsor. The canton may leave a scope without
    admins: it can always invite new ones."""
    if is_canton(by.role) or leaving.status != UserStatus.ACTIVE:
        return
    if leaving.role == Role.SPONSOR_ADMIN:
        sponsor_id, institution_id = leaving.sponsor_id, None
    elif leaving.role == Role.INSTITUTION_ADMIN:
        institution = await Institution.get(id=leaving.institution_id)
        sponsor_id, institution_id = institution.sponsor_id, institution.id
    else:
        return
    # Sponsor first, then institution, everywhere: two lockers cannot wait on each other.
    if sponsor_id is not None:
        await Sponsor.filter(id=sponsor_id).select_for_update().first()
    if institution_id is not None:
        await Institution.filter(id=institution_id).select_for_update().first()
    others = User.filter(status=UserStatus.ACTIVE).exclude(id=leaving.id)
    sponsor_admins = others.filter(role=Role.SPONSOR_ADMIN, sponsor_id=sponsor_id)
    institution_admins = others.filter(role=Role.INSTITUTION_ADMIN, institution_id=institution_id)
    if (sponsor_id is None or not await sponsor_admins.exists()) and (
        institution_id is None or not await institution_admins.exists()
    ):
        raise LastActiveAdmin()


async def block(*, by: User, user_id: int) -> User:
    """Blocking a blocked account changes nothing (and records nothing)."""
    async with in_transaction():
        target, institution = await locked(user_id)
        if target is None:
            raise NotFound(_("There is no such user."))
        if not block_verdict(by, target, institution).proceed():
            return target
        await keep_an_active_admin(by=by, leaving=target)
        target.status_before_block, target.status = target.status, UserStatus.BLOCKED
        target.blocked_by_id, target.blocked_by_role = by.id, by.role
        target.signed_out_at = clock.now()
        await target.save()
        await notices.blocked(target)
        await _audit("user.blocked", by, target, institution)
        await admins.report_left_by(by=by, person=target)
    return target


async def block_by_address(*, acting_as: str, address: str) -> User:
    """For the command line, when the portal is down: `block` itself, with its scope, its
    last-admin rule and its audit entry, acting as the active account with `acting_as`."""
    by = await account.acting(acting_as)
    target = await User.get_or_none(email_key=email.normalized(address))
    if target is None:
        raise NotFound(_("No account has the address {address}.", address=address))
    return await block(by=by, user_id=target.id)


async def unblock(*, by: User, user_id: int) -> User:
    """Restores the status from before the block: an invited person is invited again."""
    async with in_transaction():
        target, institution = await locked(user_id)
        if target is None:
            raise NotFound(_("There is no such user."))
        if not unblock_verdict(by, target, institution).proceed():
            return target
        target.status = target.status_before_block or UserStatus.ACTIVE
        target.status_before_block = None  # type: ignore[assignment]  # nullable, typed as not
        target.blocked_by_id, target.blocked_by_role = None, None  # type: ignore[assignment]
        await target.save()
        await _audit("user.unblocked", by, target, institution)
    return target


async def _audit(action: str, by: User, target: User, institution: Institution | None) -> None:
    await audit.record(
        action,
        actor=by,
        subject=target,
        **audit_scope(sponsor_id=target.sponsor_id, institution=institution),
        details={"role": target.role.value, "status": target.status.value},
    )
