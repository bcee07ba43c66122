"""Inviting colleagues, changing roles, blocking and unblocking."""

from __future__ import annotations

from typing import Annotated

import strawberry

from engine.context import Info
from models import blocking, errors, user_admin
from models.placement import ScopeIds
from resolvers.registration import policy
from schema.types import ids
from schema.types.arguments import UserId
from schema.types.errors import EmailAlreadyInUse, InvalidInput, NotFound, TooManyAttempts
from schema.types.invitation import Invitation
from schema.types.registration import Warning
from schema.types.user import User
from schema.types.user_admin import (
    BlockUserResult,
    BlockUserSuccess,
    CannotBlockYourself,
    CannotChangeYourOwnRole,
    ChangeUserRoleInput,
    ChangeUserRoleResult,
    ChangeUserRoleSuccess,
    InviteUserInput,
    InviteUserResult,
    InviteUserSuccess,
    LastActiveAdmin,
    UnblockUserResult,
    UnblockUserSuccess,
)


def scope_ids(input: InviteUserInput | ChangeUserRoleInput) -> ScopeIds:
    return ids.decode_scope(input.sponsor_id, input.institution_id)


async def invite_user(
    info: Info,
    input: Annotated[InviteUserInput, strawberry.argument(description="Who, and which role.")],
) -> InviteUserResult:
    try:
        done = await user_admin.invite(
            by=info.context.actor,
            address=input.email,
            role=input.role,
            language=input.language,
            first_name=input.first_name,
            last_name=input.last_name,
            policy=policy(info),
            valid_for_days=input.valid_for_days,
            **scope_ids(input),
        )
    except errors.InvalidInput as error:
        return InvalidInput.from_error(error)
    except errors.EmailAlreadyInUse as error:
        return EmailAlreadyInUse.from_error(error)
    except errors.NotFound as error:
        return NotFound.from_error(error)
    except errors.TooManyAttempts as error:
        return TooManyAttempts.from_error(error)
    return InviteUserSuccess(
        user=User.from_model(done.user),
        invitation=Invitation.from_model(done.invitation),
        warnings=Warning.list_of(done.warnings),
    )


async def change_user_role(
    info: Info,
    id: UserId,
    input: Annotated[ChangeUserRoleInput, strawberry.argument(description="The new role.")],
) -> ChangeUserRoleResult:
    try:
        changed = await user_admin.change_role(
            by=info.context.actor,
            user_id=ids.decode(id, "User"),
            role=input.role,
            policy=policy(info),
            **scope_ids(input),
        )
    except errors.InvalidInput as error:
        return InvalidInput.from_error(error)
    except errors.NotFound as error:
        return NotFound.from_error(error)
    except errors.CannotChangeYourOwnRole as error:
        return CannotChangeYourOwnRole(text=error.text)
    except errors.LastActiveAdmin as error:
        return LastActiveAdmin(text=error.text)
    except errors.TooManyAttempts as error:
        return TooManyAttempts.from_error(error)
    return ChangeUserRoleSuccess(user=User.from_model(changed))


async def block_user(info: Info, id: UserId) -> BlockUserResult:
    try:
        blocked = await blocking.block(by=info.context.actor, user_id=ids.decode(id, "User"))
    except errors.NotFound as error:
        return NotFound.from_error(error)
    except errors.CannotBlockYourself as error:
        return CannotBlockYourself(text=error.text)
    except errors.LastActiveAdmin as error:
        return LastActiveAdmin(text=error.text)
    return BlockUserSuccess(user=User.from_model(blocked))


async def unblock_user(info: Info, id: UserId) -> UnblockUserResult:
    try:
        unblocked = await blocking.unblock(by=info.context.actor, user_id=ids.decode(id, "User"))
    except errors.NotFound as error:
        return NotFound.from_error(error)
    return UnblockUserSuccess(user=User.from_model(unblocked))
