"""One rule per field of the master data.

Each rule takes what was typed and returns the value to store, `None` when the field was left
empty, or raises `Invalid` with a code and a text for the person who typed it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, time
from functools import partial
from urllib.parse import urlsplit

import phonenumbers
from schwifty import IBAN
from schwifty.exceptions import InvalidChecksumDigits

from i18n import _
from models import email
from models.errors import FieldErrorCode, Invalid
from models.institution import Weekday

POSTAL_CODE = re.compile(r"[0-9]{4}")
LOWEST_POSTAL_CODE = 1000  # Liechtenstein's 9485–9499 lie inside the Swiss 1000–9999
SWISS_REGIONS = frozenset({"CH", "LI"})
PHONE_MAX_LENGTH = 30
WEBSITE_MAX_LENGTH = 500
IBAN_MAX_LENGTH = 42  # 34 characters, grouped by fours with spaces
# QR-IBANs (institution id 30000–31999) only take QR-bill payments; vouchers could not be paid.
QR_IIDS = range(30000, 32000)
MAX_PLACES = 1000
WEEK = list(Weekday)
TOO_LONG = FieldErrorCode.TOO_LONG
PHONE = FieldErrorCode.INVALID_PHONE
URL = FieldErrorCode.INVALID_URL
IBAN_ = FieldErrorCode.INVALID_IBAN


def line(raw: str | None, *, max_length: int) -> str | None:
    """A one-line text: trimmed, inner runs of white space collapsed."""
    value = " ".join((raw or "").split())
    if len(value) > max_length:
        raise Invalid(TOO_LONG, _("At most {max_length} characters.", max_length=max_length))
    return value or None


organisation = partial(line, max_length=200)
street = partial(line, max_length=200)
house_number = partial(line, max_length=20)
town = partial(line, max_length=100)
account_holder = partial(line, max_length=200)


def postal_code(raw: str | None) -> str | None:
    value = "".join((raw or "").split())
    if not value:
        return None
    if not POSTAL_CODE.fullmatch(value) or int(value) < LOWEST_POSTAL_CODE:
        raise Invalid(
            FieldErrorCode.INVALID_POSTAL_CODE,
            _("A Swiss or Liechtenstein postal code: four digits, 1000 to 9999."),
        )
    return value


def contact_email(raw: str | None) -> str | None:
    return email.clean(raw) if raw and raw.strip() else None


def phone(raw: str | None) -> str | None:
    """Swiss or Liechtenstein numbers as typed (`031 …`, `+41 …`, `0041 …`), stored as E.164."""
    value = (raw or "").strip()
    if not value:
        return None
    if len(value) > PHONE_MAX_LENGTH:
        raise Invalid(TOO_LONG, _("At most {max_length} characters.", max_length=PHONE_MAX_LENGTH))
    try:
        number = phonenumbers.parse(value, "CH")
    except phonenumbers.NumberParseException:
        raise Invalid(PHONE, _("This is not a phone number.")) from None
    if number.extension:
        raise Invalid(PHONE, _("Give the number without an extension."))
    if not phonenumbers.is_valid_number(number):
        raise Invalid(PHONE, _("This is not a valid phone number, e.g. 031 123 45 67."))
    if phonenumbers.region_code_for_number(number) not in SWISS_REGIONS:
        raise Invalid(PHONE, _("Give a Swiss or Liechtenstein phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def website(raw: str | None) -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    if len(value) > WEBSITE_MAX_LENGTH:
        raise Invalid(
            TOO_LONG, _("At most {max_length} characters.", max_length=WEBSITE_MAX_LENGTH)
        )
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise Invalid(URL, _("This is not a web address.")) from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise Invalid(URL, _("A web address starting with https:// or http://."))
    if not parts.hostname or "." not in parts.hostname or any(c.isspace() for c in value):
        raise Invalid(URL, _("A web address with a host name, e.g. https://www.kita-sonne.ch."))
    if parts.username is not None or parts.password is not None:
        raise Invalid(URL, _("A web address without a user name or password."))
    return value


def opening_days(raw: Sequence[Weekday]) -> list[str] | None:
    """Each day once, in the order of the week."""
    return [day.value for day in WEEK if day in raw] or None


def time_of_day(raw: time | None) -> time | None:
    """A wall-clock time in Bern, stored labelled UTC (see `wall_clock`)."""
    if raw is None:
        return None
    if raw.tzinfo is not None or raw.second or raw.microsecond:
        raise Invalid(
            FieldErrorCode.INVALID_FORMAT, _("Hours and minutes without a time zone, e.g. 07:00.")
        )
    return raw.replace(tzinfo=UTC)


def wall_clock(stored: time | None) -> time | None:
    """Opening hours are wall-clock times, but with time zones on the ORM insists on aware
    times (a TIMETZ column on PostgreSQL): they are stored labelled UTC and shown without it."""
    return stored.replace(tzinfo=None) if stored is not None else None


def iban(raw: str | None) -> str | None:
    """Checked by schwifty (structure, length, check digits); stored compact and upper-case."""
    value = (raw or "").strip()
    if not value:
        return None
    if len(value) > IBAN_MAX_LENGTH:
        raise Invalid(TOO_LONG, _("An IBAN has at most 34 characters."))
    try:
        account = IBAN(value)
    except InvalidChecksumDigits:
        raise Invalid(IBAN_, _("The IBAN's check digits do not match; look for a typo.")) from None
    except ValueError:
        raise Invalid(IBAN_, _("This is not a valid IBAN.")) from None
    if account.country_code not in SWISS_REGIONS:
        raise Invalid(IBAN_, _("Only Swiss (CH) and Liechtenstein (LI) accounts are accepted."))
    if int(account.bank_code) in QR_IIDS:
        raise Invalid(IBAN_, _("This is a QR-IBAN; give the account's ordinary IBAN."))
    return str(account.compact)


def masked_iban(stored: str) -> str:
    """`CH9300762011623852957` → `CH93 **** **** **** *295 7`: country and the last digits."""
    compact = stored.replace(" ", "")
    hidden = compact[:4] + "*" * (len(compact) - 8) + compact[-4:]
    return " ".join(hidden[i : i + 4] for i in range(0, len(hidden), 4))


def places(raw: int | None, *, allowed: bool) -> int | None:
    if raw is None:
        return None
    if not allowed:
        raise Invalid(
            FieldErrorCode.NOT_ALLOWED_FOR_CARE_TYPE,
            _("Leave this empty: a day-family organisation has no fixed places."),
        )
    if not 1 <= raw <= MAX_PLACES:
        raise Invalid(
            FieldErrorCode.OUT_OF_RANGE,
            _("A number of places from 1 to {max_places}.", max_places=MAX_PLACES),
        )
    return raw
