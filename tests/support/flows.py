"""Whole flows at the domain level, for tests that need their result as a starting point."""

from __future__ import annotations

import re
from datetime import date

from mailer.outbox import OutboxMessage
from models import registration
from models.institution import CareType
from models.invitation import Invitation, Policy
from models.role import Role
from models.user import User
from tests.support.builders import make_user, unique

POLICY = Policy(portal_url="https://portal.kibon.test", ttl_days=7)
TOKEN = re.compile(r"/invitation#token=([\w-]+)")


async def canton_admin() -> User:
    return await make_user(Role.CANTON_ADMIN)


async def token_of(invitation: Invitation) -> str:
    """The token exists only in the queued mail, as in production."""
    fresh = await Invitation.get(id=invitation.id)
    message = await OutboxMessage.get(id=fresh.message_id)
    found = TOKEN.search(message.body_text or "")
    assert found, "the mail carries the link"
    return found.group(1)


async def registered_sponsor(
    *, admin_email: str | None = None, name: str | None = None, by: User | None = None
) -> registration.Registered:
    return await registration.register_sponsor(
        by=by or await canton_admin(),
        name=name or unique("Kitas"),
        admin_email=admin_email or f"{unique('admin')}@traeger.ch",
        language=None,
        policy=POLICY,
    )


async def registered_institution(
    *,
    admin_email: str | None = None,
    sponsor_id: int | None = None,
    care_type: CareType = CareType.DAYCARE_CENTER,
    vouchers_from: date = date(2024, 8, 1),
    name: str | None = None,
    by: User | None = None,
) -> registration.Registered:
    return await registration.register_institution(
        by=by or await canton_admin(),
        name=name or unique("Kita"),
        care_type=care_type,
        vouchers_from=vouchers_from,
        admin_email=admin_email or f"{unique('leitung')}@kita.ch",
        sponsor_id=sponsor_id,
        language=None,
        policy=POLICY,
    )
