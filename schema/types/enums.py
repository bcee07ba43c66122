"""The domain's enums, registered with the API (the domain's classes are the API's types)."""

from __future__ import annotations

from enum import Enum

import strawberry

from mailer.outbox import DeliveryStatus
from models.errors import FieldErrorCode, WarningCode
from models.institution import CareType, InstitutionStatus, Weekday
from models.invitation import InvitationStatus
from models.role import Role
from models.user import Language, UserStatus

strawberry.enum(Role, description="What a person may do, and where (see the contract's table).")
strawberry.enum(UserStatus, description="INVITED until the invitation is accepted.")
strawberry.enum(Language, description="Language of mails; German and French when unknown.")
strawberry.enum(CareType, description="Betreuungsangebot / offre de prise en charge.")
strawberry.enum(InstitutionStatus, description="ACTIVE once its master data is complete.")
strawberry.enum(Weekday)
strawberry.enum(InvitationStatus)
strawberry.enum(DeliveryStatus, description="Whether the invitation mail reached the mail server.")


def described(cls: type[Enum], description: str, values: dict[str, str]) -> None:
    """Registers `cls` with a description for the type and for each of its values; a value
    left undescribed fails at import, so the schema documents every code."""
    missing = {member.name for member in cls} ^ set(values)
    assert not missing, f"{cls.__name__}: describe exactly its values, not {sorted(missing)}"
    strawberry.enum(cls, description=description)
    for value in cls.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = values[value.name]


described(
    FieldErrorCode,
    "Why a field of the input is not valid. Stable: frontends switch on it (and may show their "
    "own text); `FieldError.message` says it for people.",
    {
        "REQUIRED": "The field must be filled in.",
        "TOO_LONG": "The text is longer than the field allows.",
        "INVALID_FORMAT": "The value does not have the form the field expects (a time of day, "
        "a role that fits the sponsor or institution given).",
        "INVALID_EMAIL": "Not an e-mail address.",
        "INVALID_IBAN": "Not a valid IBAN of a Swiss or Liechtenstein account (check digits, "
        "country, QR-IBAN).",
        "INVALID_PHONE": "Not a valid Swiss or Liechtenstein phone number.",
        "INVALID_POSTAL_CODE": "Not a Swiss or Liechtenstein postal code (four digits).",
        "INVALID_URL": "Not a web address starting with https:// or http://.",
        "OUT_OF_RANGE": "A number or a date outside the range the field allows.",
        "INVALID_RANGE": "An end before its start (closing time, end of the voucher period).",
        "IN_THE_PAST": "A date that may not lie in the past (today in Europe/Zurich).",
        "NOT_ALLOWED_FOR_CARE_TYPE": "The field does not apply to this care type (places of a "
        "day-family organisation).",
        "ALREADY_EXISTS": "Another record already has this value (a sponsor's name).",
        "WITHDRAWN": "The field names a withdrawn sponsor or institution.",
    },
)
described(
    WarningCode,
    "What a warning is about. Stable: frontends switch on it; `Warning.message` says it for "
    "people.",
    {
        "SHARED_MAILBOX": "The address looks like a shared mailbox (info@, kontakt@, …); accounts "
        "are personal, so a person who leaves can be blocked.",
    },
)

__all__ = [
    "CareType",
    "DeliveryStatus",
    "FieldErrorCode",
    "InstitutionStatus",
    "InvitationStatus",
    "Language",
    "Role",
    "UserStatus",
    "WarningCode",
    "Weekday",
]
