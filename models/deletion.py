"""Removing an account that never accepted an invitation and never signed in (a mistyped
address): nothing but its invitations happened to it, so it goes with them, and its address is
free at once. Anything with history is blocked instead."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from i18n import _
from mailer.outbox import DeliveryStatus, OutboxMessage
from models import admins, audit, email
from models.errors import NotAllowed, NotFound, UserHasHistory
from models.institution import Institution
from models.invitation import Invitation
from models.placement import audit_scope
from models.role import Role
from models.scope import Scope
from models.user import User, can_manage, never_accepted, person_row


async def remove_never_accepted(person: User) -> None:
    """Its invitations go with it (ON DELETE CASCADE), and so do their mails not sent yet."""
    unsent = Invitation.filter(user_id=person.id, message_id__not_isnull=True)
    message_ids = await unsent.values_list("message_id", flat=True)
    await person.delete()
    await OutboxMessage.filter(id__in=list(message_ids), status=DeliveryStatus.PENDING).delete()


async def delete_user(*, by: User, user_id: int) -> int:
    """Whoever may manage the account, and a canton clerk for the accounts its own
    registrations invited. Returns the id of the deleted account."""
    async with in_transaction():
        target = await User.filter(id=user_id).select_for_update().first()
        institution = None
        if target is not None and target.institution_id is not None:
            institution = await Institution.get_or_none(id=target.institution_id)
        if target is None or not Scope.of(by).people().holds(person_row(target, institution)):
            raise NotFound(_("There is no such user."))
        if not can_manage(by, target, institution=institution) and not await _invited_by_clerk(
            by, target
        ):
            raise NotAllowed(_("You may not manage this user."))
        if not never_accepted(target):
            raise UserHasHistory()
        await remove_never_accepted(target)
        await audit.record(
            "user.deleted",
            actor=by,
            subject=target,
            **audit_scope(sponsor_id=target.sponsor_id, institution=institution),
            details={"email": email.mask(target.email), "role": target.role.value},
        )
        await admins.report_left_by(by=by, person=target)
    return user_id


async def _invited_by_clerk(by: User, target: User) -> bool:
    if by.role != Role.CANTON_CLERK:
        return False
    return await Invitation.filter(user_id=target.id, invited_by_id=by.id).exists()
