"""E-mail addresses: validated by a real validator, compared lower-cased, shown as typed."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254
SHARED_MAILBOXES = frozenset(
    {
        "info", "kontakt", "contact", "admin", "office", "sekretariat", "verwaltung", "mail",
        "post", "hello", "hallo", "team", "empfang", "reception", "secretariat", "administration",
        "buero", "bureau", "kita", "leitung", "direction", "noreply", "no-reply",
    }
)  # fmt: skip


def clean(raw: str) -> str:
    """The address as typed, trimmed; raises ValueError with a message for people if invalid."""
    address = raw.strip()
    if not address:
        raise ValueError("An e-mail address is required.")
    if len(address) > MAX_LENGTH:
        raise ValueError(f"An e-mail address has at most {MAX_LENGTH} characters.")
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None
    return address


def normalized(address: str) -> str:
    return address.strip().lower()


def is_shared_mailbox(address: str) -> bool:
    return normalized(address).split("@", 1)[0] in SHARED_MAILBOXES


def mask(address: str) -> str:
    """`anna.muster@kita-sonne.ch` → `a***@kita-sonne.ch`: enough to recognise, not to harvest."""
    local, _, domain = normalized(address).partition("@")
    return f"{local[:1]}***@{domain}"
