"""Accepting, resending and revoking invitations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from engine.context import Info
from models import attempts, errors, institution, invitation, revocation
from resolvers.registration import policy
from schema.types import ids
from schema.types.acceptance import (
    AcceptInvitationResult,
    AcceptInvitationSuccess,
    InvitationAlreadyUsed,
    InvitationEmailMismatch,
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
    NextStep,
    ResendInvitationResult,
    ResendInvitationSuccess,
    RevokeInvitationResult,
    RevokeInvitationSuccess,
)
from schema.types.arguments import InvitationId
from schema.types.errors import NotFound, TooManyAttempts
from schema.types.institution import with_sponsor
from schema.types.invitation import Invitation
from schema.types.user import User
from schema.types.user_admin import LastActiveAdmin


async def accept_invitation(
    info: Info,
    token: Annotated[
        str, strawberry.argument(description="The token after `#token=` in the invitation link.")
    ],
) -> AcceptInvitationResult:
    assert info.context.identity is not None  # guarded by IsAuthenticated
    try:
        done = await attempts.accept(
            token=token,
            identity=info.context.identity,
            caller=info.context.user,
            allowed=info.context.settings.rate_limits.accept_failures,
        )
    except errors.InvitationEmailMismatch as error:
        return InvitationEmailMismatch.from_error(error)
    except errors.InvitationExpired as error:
        return InvitationExpired(text=error.text)
    except errors.InvitationNotFound as error:
        return InvitationNotFound(text=error.text)
    except errors.InvitationAlreadyUsed as error:
        return InvitationAlreadyUsed(text=error.text)
    except errors.InvitationRevoked as error:
        return InvitationRevoked(text=error.text)
    except errors.TooManyAttempts as error:
        return TooManyAttempts.from_error(error)
    except errors.LastActiveAdmin as error:
        return LastActiveAdmin(text=error.text)
    info.context.act_as(done.user)  # the rest of the answer sees the new role
    place = done.invitation.institution
    to_master_data = place is not None and institution.needs_master_data(place)
    return AcceptInvitationSuccess(
        user=User.from_model(done.user),
        next=NextStep.INSTITUTION_MASTER_DATA if to_master_data else NextStep.HOME,
        institution=await with_sponsor(place) if place else None,
    )


async def resend_invitation(info: Info, id: InvitationId) -> ResendInvitationResult:
    try:
        sent = await invitation.resend(
            by=info.context.actor, invitation_id=ids.decode(id, "Invitation"), policy=policy(info)
        )
    except errors.NotFound as error:
        return NotFound.from_error(error)
    except errors.InvitationAlreadyUsed as error:
        return InvitationAlreadyUsed(text=error.text)
    except errors.InvitationRevoked as error:
        return InvitationRevoked(text=error.text)
    except errors.TooManyAttempts as error:
        return TooManyAttempts.from_error(error)
    return ResendInvitationSuccess(invitation=Invitation.from_model(sent))


async def revoke_invitation(info: Info, id: InvitationId) -> RevokeInvitationResult:
    try:
        ended = await revocation.revoke(
            by=info.context.actor, invitation_id=ids.decode(id, "Invitation")
        )
    except errors.NotFound as error:
        return NotFound.from_error(error)
    except errors.InvitationAlreadyUsed as error:
        return InvitationAlreadyUsed(text=error.text)
    except errors.InvitationRevoked as error:
        return InvitationRevoked(text=error.text)
    return RevokeInvitationSuccess(invitation=Invitation.from_model(ended))
