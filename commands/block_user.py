"""`block-user EMAIL --as EMAIL`: block a person at once when the portal cannot be reached.

The domain's own operation decides, as in the API: the acting account's scope, the rule that a
sponsor or an institution keeps an active admin, the audit entry (its request id starts with
`cli-`, so the trail shows where it came from). Exit status 1 when it is refused."""

from __future__ import annotations

import sys
from uuid import uuid4

from models import audit, blocking
from models.errors import DomainError


async def run(address: str, *, acting_as: str) -> None:
    marker = audit.request_id.set(f"cli-{uuid4().hex[:12]}")
    try:
        user = await blocking.block_by_address(acting_as=acting_as, address=address)
    except DomainError as refused:
        print(f"block-user: {refused.text}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        audit.request_id.reset(marker)
    print(f"{user.email}: {user.status}")
