"""Accounts made by operators from the command line."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from i18n import _
from models import audit
from models import email as _email
from models.errors import NotAllowed
from models.role import CANTON_ROLES, Role
from models.user import User, UserStatus


async def acting(address: str) -> User:
    """The active account a command line acts as (`--as EMAIL`): its role and scope decide."""
    by = await User.get_or_none(email_key=_email.normalized(address))
    if by is None or by.status != UserStatus.ACTIVE:
        raise NotAllowed(_("{address} is not an active account.", address=address))
    return by


async def create_admin(*, email: str, role: Role) -> tuple[User, bool]:
    """An active canton account for `email`, bound at the first sign-in with that address.

    Idempotent: an existing account keeps its identity and gets the role. Returns the account
    and whether anything changed.
    """
    if role not in CANTON_ROLES:
        raise ValueError(f"create-admin makes canton accounts, not {role}")
    address = _email.clean(email)
    async with in_transaction():
        user = await User.filter(email_key=_email.normalized(address)).select_for_update().first()
        if user is not None and user.role == role and user.status != UserStatus.BLOCKED:
            return user, False
        if user is None:
            user = User(role=role, status=UserStatus.ACTIVE)
            user.set_email(address)
        user.role, user.sponsor_id, user.institution_id = role, None, None
        if user.status == UserStatus.INVITED:
            user.status = UserStatus.ACTIVE
        await user.save()
        await audit.record("user.admin_created", actor=None, subject=user, details={"role": role})
    return user, True
