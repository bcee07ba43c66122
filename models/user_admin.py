"""Admins invite colleagues with a role and change roles, following the contract's role table.

Each operation checks everything it can before writing, then writes the account, the
invitation, its queued mail and the audit entry in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from i18n import _
from models import admins, audit, blocking, clock, email, invitation, notices, text, user
from models.errors import (
    BlockedByWithdrawal,
    CannotChangeYourOwnRole,
    NotAllowed,
    NotFound,
    WarningCode,
)
from models.form import Form
from models.institution import Institution
from models.invitation import Invitation, Policy
from models.placement import Placement, ScopeIds, audit_scope, check_fits, place
from models.registration import warnings_for
from models.role import Role, can_grant
from models.user import Language, User, UserStatus
from models.verdict import GO, Verdict, refused

PERSON_NAME_MAX_LENGTH = 100


@dataclass(frozen=True)
class Invited:
    user: User
    invitation: Invitation
    warnings: list[WarningCode]


def clean_person_name(raw: str | None) -> str:
    """Optional: empty stays empty (the identity provider fills it in at sign-in)."""
    if raw is None or not raw.strip():
        return ""
    return text.clean_name(raw, max_length=PERSON_NAME_MAX_LENGTH)


def require_may_grant(by: User, role: Role) -> None:
    """Before anything else: whoever may not grant the role at all learns nothing more."""
    if not can_grant(by.role, role):
        raise NotAllowed(_("You may not give this role."))


async def invite(
    *,
    by: User,
    address: str,
    role: Role,
    sponsor_id: int | None,
    institution_id: int | None,
    language: Language | None,
    first_name: str | None = None,
    last_name: str | None = None,
    policy: Policy,
    valid_for_days: int | None = None,
) -> Invited:
    require_may_grant(by, role)
    form = Form()
    address = form.check("email", lambda: email.clean(address))
    policy = form.check("validForDays", lambda: policy.valid_for(valid_for_days))
    first = form.check("firstName", lambda: clean_person_name(first_name))
    last = form.check("lastName", lambda: clean_person_name(last_name))
    check_fits(form, role, sponsor_id=sponsor_id, institution_id=institution_id)
    form.done()
    async with in_transaction():
        where = await place(by=by, role=role, sponsor_id=sponsor_id, institution_id=institution_id)
        invitee = await user.invitee(
            address=address,
            role=role,
            sponsor_id=where.sponsor_id,
            institution_id=where.institution_id,
            language=language,
            first_name=first,
            last_name=last,
        )
        sent = await _invite(by, invitee, where, language, policy, address=address)
        await audit.record(
            "user.invited",
            actor=by,
            subject=invitee,
            **audit_scope(sponsor_id=where.sponsor_id, institution=where.institution),
            details={"email": email.mask(address), "role": role.value, "invitation": sent.id},
        )
    shown = invitation.described(invitee, sent) if invitee.role == Role.APPLICANT else invitee
    return Invited(shown, sent, warnings_for(address))


async def _invite(
    by: User,
    invitee: User,
    where: Placement,
    language: Language | None,
    policy: Policy,
    *,
    address: str | None = None,
) -> Invitation:
    return await invitation.issue(
        address=address,
        user=invitee,
        role=where.role,
        sponsor=where.sponsor,
        institution=where.institution,
        by=by,
        language=language,
        policy=policy,
    )


def has_not_accepted(person: User) -> bool:
    return UserStatus.INVITED in (person.status, person.status_before_block)


def role_change_verdict(by: User, target: User, institution: Institution | None) -> Verdict:
    """Not one's own role; whoever may manage the account; not an account a withdrawal
    blocked (moved elsewhere, the restore that lifts its block would no longer find it). Which
    new role and where is the role table's question (`place`), asked with the input."""
    if target.id == by.id:
        return refused(CannotChangeYourOwnRole())
    refusal = blocking.manage_refusal(by, target, institution)
    if refusal is None and target.blocked_by_withdrawal:
        refusal = BlockedByWithdrawal()
    return GO if refusal is None else refused(refusal)


async def change_role(
    *,
    by: User,
    user_id: int,
    role: Role,
    sponsor_id: int | None,
    institution_id: int | None,
    policy: Policy,
) -> User:
    """One role at a time: the new one replaces the old, ends the person's sign-in and
    withdraws their open invitations. A person who has not accepted yet gets a new invitation
    for the new role. Giving the role the person already holds changes nothing. The canton
    hears of a place the person ran and no one runs now (`admins.reported_if_left`)."""
    require_may_grant(by, role)
    form = Form()
    check_fits(form, role, sponsor_id=sponsor_id, institution_id=institution_id)
    form.done()
    async with in_transaction():
        target, institution = await blocking.locked(user_id)
        if target is None:
            raise NotFound(_("There is no such user."))
        role_change_verdict(by, target, institution).proceed()
        where = await place(by=by, role=role, sponsor_id=sponsor_id, institution_id=institution_id)
        if where.is_held_by(target):
            return target
        await blocking.keep_an_active_admin(by=by, leaving=target)
        was = target.role, audit_scope(sponsor_id=target.sponsor_id, institution=institution)
        before = await notices.reader(target)
        async with admins.reported_if_left(by=by, holder=target):
            changes = await _move(by, target, where, policy)
            if not changes["reinvited"]:  # a person not yet in gets the new invitation instead
                await notices.role_changed(target, before=before)
            await _audit_change(by, target, was, where, changes)
    return target


async def _audit_change(
    by: User,
    target: User,
    was: tuple[Role, ScopeIds],
    where: Placement,
    changes: dict[str, object],
) -> None:
    was_role, was_scope = was
    now = audit_scope(sponsor_id=where.sponsor_id, institution=where.institution)
    await audit.record(
        "user.role_changed",
        actor=by,
        subject=target,
        # Seen by the admins of the scope the person leaves; where it goes is in the details.
        **(was_scope if any(was_scope.values()) else now),
        details={"from": _described(was_role, was_scope), "to": _described(where.role, now)}
        | changes,
    )


def _described(role: Role, scope: ScopeIds) -> dict[str, object]:
    return {
        "role": role.value,
        "sponsorId": scope["sponsor_id"],
        "institutionId": scope["institution_id"],
    }


async def _move(by: User, target: User, where: Placement, policy: Policy) -> dict[str, object]:
    target.role, target.sponsor_id = where.role, where.sponsor_id
    target.institution_id = where.institution_id
    target.signed_out_at = clock.now()
    await target.save()
    revoked = await invitation.revoke_pending_of(target)
    reinvited = has_not_accepted(target)
    if reinvited:
        await _invite(by, target, where, target.language, policy)
    return {"revokedInvitations": revoked, "reinvited": reinvited}
