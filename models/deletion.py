"""Removing an account that never accepted an invitation and never signed in (a mistyped
address): nothing but its invitations happened to it, so it goes with them, and its address is
free at once. Anything with history is blocked instead. The housekeeping removes such accounts
by itself once their last invitation ended long enough ago."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from i18n import _
from mailer.outbox import DeliveryStatus, OutboxMessage
from models import admins, audit, blocking, email
from models.errors import NotAllowed, NotFound, UserHasHistory
from models.institution import Institution
from models.invitation import Invitation, InvitationStatus
from models.placement import audit_scope
from models.role import Role
from models.scope import Scope
from models.user import User, UserStatus, can_manage, never_accepted, person_row
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
        await admins.report_left_by(by=by, person=target)
    return user_id


def _ended_since(before: datetime) -> Q:
    """Invitations that still hold their account: accepted ones (history), and those that
    ended at or after `before`. A revoked one ended when it was revoked; any other when it
    expires (an open one has not ended yet); a revoked one without the time of its
    revocation holds it too (unknown is not old)."""
    return (
        Q(status=InvitationStatus.ACCEPTED)
        | Q(status=InvitationStatus.PENDING, expires_at__gte=before)
        | Q(status=InvitationStatus.REVOKED, revoked_at__gte=before)
        | Q(status=InvitationStatus.REVOKED, revoked_at__isnull=True)
    )


def _left_over(before: datetime) -> Q:
    """Never-accepted accounts (the statuses `never_accepted` allows) made before `before`
    whose every invitation ended before it."""
    holding = Invitation.filter(_ended_since(before)).values("user_id")
    invited = Q(status=UserStatus.INVITED) | Q(
        status=UserStatus.BLOCKED, status_before_block=UserStatus.INVITED
    )
    return Q(
        invited,
        ~Q(role=Role.APPLICANT),
        ~Q(id__in=Subquery(holding)),
        subject__isnull=True,
        created_at__lt=before,
    )


async def remove_left_over(*, before: datetime, retention_days: int) -> int:
    """The housekeeping's clean-up: every account that never accepted and whose last
    invitation ended before `before` is removed as `deleteUser` removes one, each audited as
    `user.expired_removed` (no actor: the service itself), and the canton hears of every
    sponsor or institution this leaves without an admin. One transaction for the run. Each
    account's invitations are locked before the account, in the order acceptance takes
    them, and the rule is checked again under the locks: an invitation sent or resent
    meanwhile keeps the account. Returns how many accounts went."""
    removed = 0
    sponsor_ids: set[int] = set()
    institution_ids: set[int] = set()
    async with in_transaction():
        candidates = (
            await User.filter(_left_over(before)).order_by("id").values_list("id", flat=True)
        )
        for user_id in candidates:
            await Invitation.filter(user_id=user_id).select_for_update()
            person = await User.filter(_left_over(before), id=user_id).select_for_update().first()
            if person is None or not never_accepted(person):
                continue
            institution = None
            if person.institution_id is not None:
                institution = await Institution.get_or_none(id=person.institution_id)
            await remove_never_accepted(person)
            await audit.record(
                "user.expired_removed",
                actor=None,
                subject=person,
                **audit_scope(sponsor_id=person.sponsor_id, institution=institution),
                details={
                    "email": email.mask(person.email),
                    "role": person.role.value,
                    "retentionDays": retention_days,
                },
            )
            places = admins.places_run_by(person)
            sponsor_ids |= places[0]
            institution_ids |= places[1]
            removed += 1
        await admins.report_missing(
            by=None, sponsor_ids=sponsor_ids, institution_ids=institution_ids
        )
    return removed
