"""E-mail addresses: validated by a real validator, compared lower-cased, shown as typed."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from i18n import _
from models.errors import FieldErrorCode, Invalid

MAX_LENGTH = 254
SHARED_MAILBOXES = frozenset(
    {
        "info", "kontakt", "contact", "admin", "office", "sekretariat", "verwaltung", "mail",
        "post", "hello", "hallo", "team", "empfang", "reception", "secretariat", "administration",
        "buero", "bureau", "kita", "leitung", "direction", "noreply", "no-reply",
    }
)  # fmt: skip


def clean(raw: str) -> str:
    """The address as typed, trimmed; raises `Invalid` if it is not an address."""
    address = raw.strip()
    if not address:
        raise Invalid(FieldErrorCode.REQUIRED, _("Enter an e-mail address."))
    if len(address) > MAX_LENGTH:
        raise Invalid(
            FieldErrorCode.TOO_LONG,
            _("An e-mail address has at most {max_length} characters.", max_length=MAX_LENGTH),
        )
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise Invalid(
            FieldErrorCode.INVALID_EMAIL,
            _("This is not a valid e-mail address, e.g. anna.muster@kita-sonne.ch."),
        ) from None
    return address


def normalized(address: str) -> str:
    return address.strip().lower()


def is_shared_mailbox(address: str) -> bool:
    return normalized(address).split("@", 1)[0] in SHARED_MAILBOXES


def mask(address: str) -> str:
    """`anna.muster@kita-sonne.ch` → `a***@kita-sonne.ch`: enough to recognise, not to harvest."""
    local, _, domain = normalized(address).partition("@")
    return f"{local[:1]}***@{domain}"
