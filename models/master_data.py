"""Master data (Stammdaten) of an institution: who may see what of it."""

from __future__ import annotations

from models.institution import Institution
from models.role import CANTON_ROLES, Role
from models.user import User

MASTER_DATA_FIELDS = (
    "organisation", "street", "house_number", "postal_code", "town", "contact_email", "phone",
    "website", "opening_days", "opening_time", "closing_time", "iban", "account_holder", "places",
)  # fmt: skip


def has_any(row: Institution) -> bool:
    return any(getattr(row, name) not in (None, "", []) for name in MASTER_DATA_FIELDS)


def may_see_iban(actor: User, row: Institution) -> bool:
    """The bank account in full: the canton and the institution's and its sponsor's admins."""
    if actor.role in CANTON_ROLES:
        return True
    if actor.role == Role.SPONSOR_ADMIN:
        return row.sponsor_id is not None and actor.sponsor_id == row.sponsor_id
    return actor.role == Role.INSTITUTION_ADMIN and actor.institution_id == row.id


def masked_iban(iban: str) -> str:
    """`CH9300762011623852957` → `CH93 **** **** **** *295 7`: country and the last digits."""
    compact = iban.replace(" ", "")
    hidden = compact[:4] + "*" * (len(compact) - 8) + compact[-4:]
    return " ".join(hidden[i : i + 4] for i in range(0, len(hidden), 4))
