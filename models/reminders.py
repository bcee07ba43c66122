"""One reminder per open invitation, two days before it expires, queued by the mail worker.

Each reminder is taken with a conditional update of `remind_at` in the transaction that queues
its mail, so two workers never send the same reminder and a failed round leaves it due.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from mailer import invitation_mail
from models.invitation import Invitation, InvitationStatus, as_mail
from models.user import UserStatus

BATCH = 50


async def remind_due(now: datetime) -> int:
    """Queues the reminders due at `now`; returns how many."""
    due = await (
        Invitation.filter(status=InvitationStatus.PENDING, remind_at__lte=now, expires_at__gt=now)
        .order_by("remind_at", "id")
        .limit(BATCH)
        .only("id")
    )
    sent = 0
    for invitation in due:
        sent += await _remind(invitation.id, now)
    return sent


async def _remind(invitation_id: int, now: datetime) -> int:
    async with in_transaction():
        taken = await Invitation.filter(
            id=invitation_id, status=InvitationStatus.PENDING, remind_at__lte=now
        ).update(remind_at=None)
        if not taken:
            return 0  # another worker took it
        found = await Invitation.get(id=invitation_id).prefetch_related(
            "user", "sponsor", "institution", "invited_by"
        )
        if found.user.status == UserStatus.BLOCKED:
            return 0
        await invitation_mail.queue_reminder(await as_mail(found, link=None))
    return 1
