"""Deleting an account that never accepted: the fix for a mistyped address."""

from __future__ import annotations

from engine.context import Info
from models import deletion, errors
from schema.types import ids
from schema.types.arguments import UserId
from schema.types.deletion import DeleteUserResult, DeleteUserSuccess, UserHasHistory
from schema.types.errors import NotFound


async def delete_user(info: Info, id: UserId) -> DeleteUserResult:
    try:
        await deletion.delete_user(by=info.context.actor, user_id=ids.decode(id, "User"))
    except errors.NotFound as error:
        return NotFound.from_error(error)
    except errors.UserHasHistory as error:
        return UserHasHistory(text=error.text)
    return DeleteUserSuccess(id=id)
