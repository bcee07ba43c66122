"""Accepting an invitation with a limit on failures, so links cannot be guessed or tried on.

Per signed-in identity, and per invited address when the caller is someone else, at most
`allowed` attempts per 15 minutes may end in InvitationNotFound or InvitationEmailMismatch. A
slot is taken before the attempt and given back when the attempt did not fail that way, so
concurrent attempts cannot overshoot the limit.
"""

from __future__ import annotations

from models import acceptance, email, rate_limit
from models.errors import InvitationEmailMismatch, InvitationNotFound, TooManyAttempts
from models.invitation import Invitation, hash_token
from models.sign_in import Identity
from models.user import User

WINDOW_SECONDS = 15 * 60


async def _invited_address(token: str) -> str | None:
    found = await Invitation.filter(token_hash=hash_token(token.strip())).first()
    return found.email if found else None


async def _slots(
    token: str, identity: Identity, allowed: int
) -> list[tuple[rate_limit.Limit, str]]:
    by_identity = rate_limit.Limit("accept-identity", allowed, WINDOW_SECONDS)
    taken = [(by_identity, f"{identity.issuer}\x00{identity.subject}")]
    await rate_limit.take(*taken[0])
    invited = await _invited_address(token)
    if invited is not None and email.normalized(invited) != email.normalized(identity.email):
        by_address = rate_limit.Limit("accept-address", allowed, WINDOW_SECONDS)
        try:
            await rate_limit.take(by_address, email.normalized(invited))
        except TooManyAttempts:
            await rate_limit.give_back(*taken[0])
            raise
        taken.append((by_address, email.normalized(invited)))
    return taken


async def accept(
    *, token: str, identity: Identity, caller: User | None, allowed: int
) -> acceptance.Accepted:
    taken = await _slots(token, identity, allowed)
    try:
        return await acceptance.accept(token=token, identity=identity, caller=caller)
    except (InvitationNotFound, InvitationEmailMismatch):
        taken = []  # a failed attempt keeps its slots
        await rate_limit.prune()
        raise
    finally:
        for limit, subject in taken:
            await rate_limit.give_back(limit, subject)
