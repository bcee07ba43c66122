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
    return Viewer(
        user=User.from_model(context.user) if context.user else None,
        pending_invitation=PendingInvitation.from_model(pending) if pending else None,
    )
