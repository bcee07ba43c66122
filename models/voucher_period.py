"""The voucher period: vouchers are accepted from `vouchers_from` to `vouchers_until`, both
days included; without an end it is open-ended."""

from __future__ import annotations

from datetime import date

from i18n import _
from models import clock
from models.errors import FieldErrorCode, Invalid
from models.form import Form

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def clean_day(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise Invalid(
            FieldErrorCode.OUT_OF_RANGE,
            _("Must be between {earliest} and {latest}.", earliest=EARLIEST, latest=LATEST),
        )
    return value


def check(form: Form, *, start: date, until: date | None, until_changed: bool, field: str) -> None:
    """An end is on or after the start; an end being set or changed is not in the past (the
    canton's today), so an unchanged old end never blocks another correction. `field` names
    the input that made the period what it is."""
    if until is None:
        return
    if until < start:
        form.fail(
            field,
            FieldErrorCode.INVALID_RANGE,
            _("The last day of vouchers must be on or after the first."),
        )
    elif until_changed and until < clock.today():
        form.fail(
            "vouchersUntil",
            FieldErrorCode.IN_THE_PAST,
            _("The last day of vouchers must not be in the past."),
        )
    elif until_changed:
        form.check("vouchersUntil", lambda: clean_day(until))
