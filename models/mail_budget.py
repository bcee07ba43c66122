"""How many invitation mails a sponsor or an institution may cause per hour, so a hijacked or
careless admin account cannot turn the service into a mail cannon."""

from __future__ import annotations

from models import rate_limit

WINDOW_SECONDS = 3600


def budget_key(*, sponsor_id: int | None, institution_id: int | None) -> str:
    if sponsor_id is not None:
        return f"sponsor:{sponsor_id}"
    if institution_id is not None:
        return f"institution:{institution_id}"
    return "canton"


async def spend(*, allowed: int, sponsor_id: int | None, institution_id: int | None) -> None:
    """One mail of the scope's budget; call it in the transaction that queues the mail."""
    limit = rate_limit.Limit("invitation-mail", allowed, WINDOW_SECONDS)
    await rate_limit.take(limit, budget_key(sponsor_id=sponsor_id, institution_id=institution_id))
