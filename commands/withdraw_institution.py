"""`withdraw-institution ID --as EMAIL [--reason TEXT]`: take an institution out of the family
portal at once when the portal cannot be reached.

`ID` is the institution's ID as the API shows it. The domain's own operation decides, as in the
API: canton staff only, its invitations revoked, its never-accepted accounts deleted and the
others blocked, one audit entry (its request id starts with `cli-`). Exit status 1 when it is
refused."""

from __future__ import annotations

import sys
from uuid import uuid4

from engine.errors import BadUserInput
from models import account, audit, withdrawal
from models.errors import DomainError
from schema.types import ids


async def run(institution: str, *, acting_as: str, reason: str | None) -> None:
    marker = audit.request_id.set(f"cli-{uuid4().hex[:12]}")
    try:
        by = await account.acting(acting_as)
        withdrawn = await withdrawal.withdraw_institution(
            by=by, institution_id=ids.decode(institution, "Institution"), reason=reason
        )
    except (DomainError, BadUserInput) as refused:
        print(f"withdraw-institution: {refused}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        audit.request_id.reset(marker)
    print(f"{withdrawn.name}: {withdrawn.status}")
