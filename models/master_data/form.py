"""A whole master-data form: every field checked, every problem reported at once."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Sequence
from datetime import time
from functools import partial
from typing import Any, NamedTuple

from i18n import Text, _
from models.errors import FieldErrorCode, FieldProblem, Invalid, InvalidInput
from models.institution import CareType, Institution, MasterDataColumns, Weekday
from models.master_data import fields


@dataclasses.dataclass(frozen=True, kw_only=True)
class AddressForm:
    organisation: str | None = None
    street: str | None = None
    house_number: str | None = None
    postal_code: str | None = None
    town: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class MasterDataForm:
    """The whole master data as typed, not a patch: a field left empty is cleared."""

    address: AddressForm | None = None
    contact_email: str | None = None
    phone: str | None = None
    website: str | None = None
    opening_days: Sequence[Weekday] = ()
    opening_time: time | None = None
    closing_time: time | None = None
    iban: str | None = None
    account_holder: str | None = None
    places: int | None = None
    version: int | None = None


class Rule(NamedTuple):
    path: str  # the field as the API names it, for `InvalidInput`
    clean: Callable[[Any], object]
    missing: Text | None = None  # the message when a required field is empty; None: optional


RULES: dict[str, Rule] = {
    "organisation": Rule("address.organisation", fields.organisation, _("Enter the organisation.")),
    "street": Rule("address.street", fields.street, _("Enter the street.")),
    "house_number": Rule("address.houseNumber", fields.house_number),
    "postal_code": Rule("address.postalCode", fields.postal_code, _("Enter the postal code.")),
    "town": Rule("address.town", fields.town, _("Enter the town.")),
    "contact_email": Rule(
        "contactEmail", fields.contact_email, _("Enter the address for parents.")
    ),
    "phone": Rule("phone", fields.phone),
    "website": Rule("website", fields.website),
    "opening_days": Rule("openingDays", fields.opening_days, _("Choose at least one opening day.")),
    "opening_time": Rule("openingTime", fields.time_of_day, _("Enter the opening time.")),
    "closing_time": Rule("closingTime", fields.time_of_day, _("Enter the closing time.")),
    "iban": Rule("iban", fields.iban, _("Enter the IBAN.")),
    "account_holder": Rule("accountHolder", fields.account_holder, _("Enter the account holder.")),
}
MASTER_DATA_FIELDS = (*RULES, "places")


def places_rule(care_type: CareType) -> Rule:
    """Required for day-care centres, absent for day families, optional for the others."""
    if care_type == CareType.DAYCARE_CENTER:
        return Rule(
            "places", partial(fields.places, allowed=True), _("Enter the number of places.")
        )
    return Rule("places", partial(fields.places, allowed=care_type != CareType.DAY_FAMILY))


def not_applicable(care_type: CareType) -> tuple[str, ...]:
    """The master data a care type has no place for (columns)."""
    return ("places",) if care_type == CareType.DAY_FAMILY else ()


_VALUES = operator.attrgetter(*MASTER_DATA_FIELDS)


def has_any(row: Institution | MasterDataColumns) -> bool:
    """Whether any master data is entered: a value other than None, "" or []. (Counted in C,
    as a page of master data asks it of every row.)"""
    values = _VALUES(row)
    empty = values.count(None) + values.count("") + values.count([])
    return empty < len(values)


def validate(form: MasterDataForm, *, care_type: CareType, complete: bool) -> dict[str, object]:
    """Column → value to store, or `InvalidInput` naming every field that is wrong.

    A draft (`complete=False`) may leave required fields empty; what it gives must be valid.
    """
    rules = RULES | {"places": places_rule(care_type)}
    values: dict[str, object] = {}
    problems: dict[str, FieldProblem] = {}
    for column, typed in _typed(form).items():
        rule = rules[column]
        try:
            values[column] = rule.clean(typed)
        except Invalid as invalid:
            problems[rule.path] = invalid.problem
            continue
        if complete and rule.missing and values[column] is None:
            problems[rule.path] = FieldProblem(FieldErrorCode.REQUIRED, rule.missing)
    opening, closing = values.get("opening_time"), values.get("closing_time")
    if isinstance(opening, time) and isinstance(closing, time) and opening >= closing:
        problems["closingTime"] = FieldProblem(
            FieldErrorCode.INVALID_RANGE, _("The closing time must be after the opening time.")
        )
    if problems:
        order = [rule.path for rule in rules.values()]
        raise InvalidInput(dict(sorted(problems.items(), key=lambda p: order.index(p[0]))))
    return values


def _typed(form: MasterDataForm) -> dict[str, Any]:
    """Column → what was typed, in the order of the form."""
    typed = {f.name: getattr(form, f.name) for f in dataclasses.fields(form)}
    del typed["address"], typed["version"]
    return dataclasses.asdict(form.address or AddressForm()) | typed
