"""E-mail addresses: validated by a real validator, compared by one identity key, shown and
written to as typed."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import idna
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
    if len(address) > MAX_LENGTH or len(normalized(address)) > MAX_LENGTH:
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
    """The identity of an address: two addresses are one mailbox only if their keys are equal.
    The local part folds ASCII letters only and keeps every other character exactly (NFC), so
    no Unicode mapping (KELVIN SIGN, long s, full-width letters) makes two mailboxes one; the
    domain is compared in its IDNA form (`Bücher.ch` is `xn--bcher-kva.ch`)."""
    local, at, domain = address.strip().rpartition("@")
    # Folded before NFC: KELVIN SIGN composes to a capital K, which then stays apart from `k`.
    local = unicodedata.normalize("NFC", _ascii_lower(local))
    if not at:
        return local
    return f"{local}@{_idna(domain)}"


def _ascii_lower(text: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


@lru_cache(maxsize=4096)  # every request with a token compares its address: few domains
def _idna(domain: str) -> str:
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:  # not a valid domain: compared exactly, ASCII letters folded
        return unicodedata.normalize("NFC", _ascii_lower(domain))


def is_shared_mailbox(address: str) -> bool:
    return normalized(address).split("@", 1)[0] in SHARED_MAILBOXES


def mask(address: str) -> str:
    """`anna.muster@kita-sonne.ch` → `a***@kita-sonne.ch`: enough to recognise, not to harvest."""
    local, _, domain = address.strip().rpartition("@")
    return f"{_ascii_lower(local[:1])}***@{_ascii_lower(domain)}"
