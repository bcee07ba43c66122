"""Removing an account that never accepted an invitation and never signed in (a mistyped
address): nothing but its invitations happened to it, so it goes with them, and its address is
free at once. Anything with history is blocked instead."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tortoise.transactions import in_transaction

from i18n import _
from mailer.outbox import DeliveryStatus, OutboxMessage
from models import audit, blocking, email
from models.errors import NotAllowed, NotFound, UserHasHistory
from models.institution import Institution
from models.invitation import Invitation
from models.placement import audit_scope
from models.role import Role
from models.scope import Scope
from models.user import User, can_manage, never_accepted, person_row
from models.verdict import GO, Verdict, refused


async def remove_never_accepted(person: User) -> None:
    """Its invitations go with it (ON DELETE CASCADE), and so do their mails not sent yet."""
    unsent = Invitation.filter(user_id=person.id, message_id__not_isnull=True)
    message_ids = await unsent.values_list("message_id", flat=True)
    await person.delete()
    await OutboxMessage.filter(id__in=list(message_ids), status=DeliveryStatus.PENDING).delete()


SentByActor = Callable[[], Awaitable[bool]]  # did the actor send the account an invitation?


async def deletion_verdict(
    by: User, target: User, institution: Institution | None, *, sent_by_actor: SentByActor
) -> Verdict:
    """Whoever may manage the account, and a canton clerk for the accounts its own
    registrations invited (`sent_by_actor` is asked only then); only an account that never
    accepted (`UserHasHistory` otherwise)."""
    if not Scope.of(by).people().holds(person_row(target, institution)):
        return refused(NotFound(_("There is no such user.")))
    if not can_manage(by, target, institution=institution) and not (
        by.role == Role.CANTON_CLERK and await sent_by_actor()
    ):
        return refused(NotAllowed(_("You may not manage this user.")))
    if not never_accepted(target):
        return refused(UserHasHistory())
    return GO


async def delete_user(*, by: User, user_id: int) -> int:
    """Returns the id of the deleted account."""
    async with in_transaction():
        target, institution = await blocking.locked(user_id)
        if target is None:
            raise NotFound(_("There is no such user."))

        async def sent_by_actor() -> bool:
            return await Invitation.filter(user_id=user_id, invited_by_id=by.id).exists()

        verdict = await deletion_verdict(by, target, institution, sent_by_actor=sent_by_actor)
        verdict.proceed()
        await remove_never_accepted(target)
        await audit.record(
            "user.deleted",
            actor=by,
            subject=target,
            **audit_scope(sponsor_id=target.sponsor_id, institution=institution),
            details={"email": email.mask(target.email), "role": target.role.value},
        )
    return user_id
