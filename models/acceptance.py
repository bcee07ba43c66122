"""Accepting an invitation: the right person, signed in, takes the role — exactly once.

Acceptance is a conditional update on the pending invitation, so of ten simultaneous calls with
one token exactly one succeeds, and an acceptance racing a revocation ends in one of the two.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from i18n import _
from models import audit, clock, email
from models.blocking import keep_an_active_admin
from models.errors import (
    InvitationAlreadyUsed,
    InvitationEmailMismatch,
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
)
from models.invitation import Invitation, InvitationStatus, hash_token, revoke_pending_of
from models.role import Role
from models.sign_in import Identity
from models.user import User, UserStatus

log = logging.getLogger("kibon.invitation")


@dataclass(frozen=True)
class Accepted:
    """`signed_out`: the acceptance changed a role the account already held, so its current
    sign-in has ended; otherwise the portal goes on with the same token."""

    user: User
    invitation: Invitation
    signed_out: bool = False


def check_open(invitation: Invitation) -> None:
    status = invitation.current_status
    if status == InvitationStatus.ACCEPTED:
        raise InvitationAlreadyUsed()
    if status == InvitationStatus.REVOKED:
        raise InvitationRevoked()
    if status == InvitationStatus.EXPIRED:
        raise InvitationExpired()


def is_for(invitation: Invitation, identity: Identity, caller: User | None) -> bool:
    """The invited address, and no other account already bound on either side."""
    invitee = invitation.user
    same_address = email.normalized(identity.email) == email.normalized(invitation.email)
    bound_elsewhere = invitee.issuer is not None and (invitee.issuer, invitee.subject) != (
        identity.issuer,
        identity.subject,
    )
    caller_is_another_account = caller is not None and caller.id != invitee.id
    return same_address and not bound_elsewhere and not caller_is_another_account


async def accept(*, token: str, identity: Identity, caller: User | None) -> Accepted:
    found = await Invitation.get_or_none(token_hash=hash_token(token.strip())).prefetch_related(
        "user", "institution", "sponsor"
    )
    if found is None:
        raise InvitationNotFound()
    check_open(found)
    if not is_for(found, identity, caller):
        await _record_mismatch(found, identity, caller)
        raise InvitationEmailMismatch(email.mask(found.email))
    if found.user.status == UserStatus.BLOCKED or not _scope_exists(found):
        raise InvitationRevoked(_("This invitation can no longer be accepted."))
    async with in_transaction():
        taken = await Invitation.filter(
            id=found.id, status=InvitationStatus.PENDING, expires_at__gt=clock.now()
        ).update(status=InvitationStatus.ACCEPTED, accepted_at=clock.now())
        if not taken:
            now = await Invitation.get_or_none(id=found.id)
            if now is None:  # its account went with a withdrawal meanwhile
                raise InvitationRevoked()
            check_open(now)
            raise InvitationAlreadyUsed()  # pragma: no cover  (changed between the two reads)
        user, changed = await _take_role(found, identity)
        revoked = await revoke_pending_of(user)
        await audit.record(
            "invitation.accepted",
            actor=user,
            subject=found,
            sponsor_id=found.sponsor_id,
            institution_id=found.institution_id,
            details={
                "role": found.role.value,
                "roleChanged": changed,
                "revokedInvitations": revoked,
            },
        )
    log.info("invitation %s accepted by user %s as %s", found.id, user.id, found.role.value)
    return Accepted(user, found, signed_out=changed)


def _scope_exists(invitation: Invitation) -> bool:
    """Foreign keys restrict deletion, but a scope-bound role needs its sponsor/institution."""
    if invitation.sponsor_id is not None and invitation.sponsor is None:
        return False
    return not (invitation.institution_id is not None and invitation.institution is None)


def _changes_a_role(invitee: User, invitation: Invitation) -> bool:
    """A role change: the account already holds a staff role or scope (it accepted before),
    and the invitation puts it elsewhere. Taking a first role, or a sponsor admin accepting
    "activate X" of its own sponsor, is not one."""
    if invitee.status == UserStatus.INVITED or invitee.role == Role.APPLICANT:
        return False
    was = (invitee.role, invitee.sponsor_id, invitee.institution_id)
    return was != (invitation.role, *_placed(invitation))


def _placed(invitation: Invitation) -> tuple[int | None, int | None]:
    if invitation.sponsor_id is not None:  # "activate X": the role is the sponsor's
        return invitation.sponsor_id, None
    return None, invitation.institution_id


async def _take_role(invitation: Invitation, identity: Identity) -> tuple[User, bool]:
    """The account takes the invited role; a role change keeps the last-active-admin rule and
    ends the current sign-in, as when an admin changes it."""
    invitee = await User.filter(id=invitation.user_id).select_for_update().get()
    changed = _changes_a_role(invitee, invitation)
    if changed:
        await keep_an_active_admin(by=invitee, leaving=invitee)
        invitee.signed_out_at = clock.now()
    invitee.issuer, invitee.subject = identity.issuer, identity.subject
    invitee.first_name = identity.given_name or invitee.first_name
    invitee.last_name = identity.family_name or invitee.last_name
    invitee.role = invitation.role
    invitee.sponsor_id, invitee.institution_id = _placed(invitation)
    if invitee.status == UserStatus.INVITED:
        invitee.status = UserStatus.ACTIVE
    await invitee.save()
    return invitee, changed


async def _record_mismatch(invitation: Invitation, identity: Identity, caller: User | None) -> None:
    log.warning(
        "invitation %s opened by %s, invited was %s",
        invitation.id,
        email.mask(identity.email),
        email.mask(invitation.email),
    )
    await audit.record(
        "invitation.email_mismatch",
        actor=caller,
        subject=invitation,
        sponsor_id=invitation.sponsor_id,
        institution_id=invitation.institution_id,
        details={"invited": email.mask(invitation.email), "signedIn": email.mask(identity.email)},
    )
