"""Withdrawing an invitation: its link stops working at once, and the canton hears of a place
it leaves without an admin (an invited admin was the only one coming)."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from models import admins, clock
from models.invitation import Invitation, InvitationStatus, locked, record, revoke_verdict
from models.user import User


async def revoke(*, by: User, invitation_id: int) -> Invitation:
    """See `invitation.revoke_verdict`."""
    async with in_transaction():
        found, institution_sponsor_id = await locked(invitation_id)
        revoke_verdict(by, found, institution_sponsor_id).proceed()
        async with admins.reported_if_left(by=by, holder=found):
            found.status = InvitationStatus.REVOKED
            found.revoked_at = clock.now()
            await found.save()
            await record("invitation.revoked", by, found)
    return found
