"""The caller itself."""

from __future__ import annotations

from engine.context import Info
from models import sign_in
from schema.types.user import PendingInvitation, User, Viewer


async def me(info: Info) -> Viewer:
    context = info.context
    pending = context.pending_invitation
    if pending is None and context.user is not None:
        pending = await sign_in.pending_invitation_for(context.user)
    shown = None
    if pending is not None:
        name = await sign_in.inviter_name(pending, canton=context.settings.canton_name)
        shown = PendingInvitation.from_model(pending, invited_by=name)
    return Viewer(
        user=User.from_model(context.user) if context.user else None, pending_invitation=shown
    )
