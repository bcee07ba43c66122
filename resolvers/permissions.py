"""Coarse role gates on fields: pure checks on the context, no database work.

Object scope (may this admin touch that institution?) is decided in the domain, next to each
aggregate. The first failing class answers, so `IsAuthenticated` goes first.
"""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission

from engine.context import Info
from engine.errors import Code, Spoken
from i18n import Text, _
from models.role import ADMIN_ROLES, CANTON_ADMIN_ROLES, CANTON_ROLES, STAFF_ROLES, Role


class _Gate(BasePermission):
    """A refusal says its `text` in the request's language (the error policy translates it)."""

    text: ClassVar[Text]
    code: ClassVar[Code]

    def on_unauthorized(self) -> None:
        raise Spoken(self.text, code=self.code)


class IsAuthenticated(_Gate):
    text = _("Sign in first.")
    code = Code.UNAUTHENTICATED

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.identity is not None


class _HasRole(_Gate):
    roles: ClassVar[frozenset[Role]] = frozenset()
    text = _("Your role does not allow this.")
    code = Code.FORBIDDEN

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        user = info.context.user
        return user is not None and user.role in self.roles


class HasAccount(_HasRole):
    """Signed in with an account of any role (an invited person has none until accepting)."""

    roles = frozenset(Role)


class IsStaff(_HasRole):
    roles = STAFF_ROLES


class IsAdmin(_HasRole):
    roles = ADMIN_ROLES


class IsCantonStaff(_HasRole):
    roles = CANTON_ROLES


class IsCantonAdmin(_HasRole):
    roles = CANTON_ADMIN_ROLES


class IsCantonStaffOrAdmin(_HasRole):
    roles = CANTON_ROLES | ADMIN_ROLES


Gate = list[type[BasePermission]]
AUTHENTICATED: Gate = [IsAuthenticated]
ACCOUNT: Gate = [IsAuthenticated, HasAccount]
STAFF: Gate = [IsAuthenticated, IsStaff]
ADMIN: Gate = [IsAuthenticated, IsAdmin]
CANTON: Gate = [IsAuthenticated, IsCantonStaff]
CANTON_ADMIN: Gate = [IsAuthenticated, IsCantonAdmin]
CANTON_OR_ADMIN: Gate = [IsAuthenticated, IsCantonStaffOrAdmin]
