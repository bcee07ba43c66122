"""The rules of opening days and hours, bank account and places, and of the form as a whole."""

from __future__ import annotations

from datetime import time

import pytest

from models import master_data
from models.institution import CareType
from tests.support.api import Api
from tests.support.master_data import LIECHTENSTEIN_IBAN, SWISS_IBAN, activated, refusal


async def test_opening_days_collapse_duplicates_in_week_order(api: Api) -> None:
    row = await activated(api, openingDays=["FRIDAY", "MONDAY", "FRIDAY"])

    assert row.opening_days == ["MONDAY", "FRIDAY"]


async def test_at_least_one_opening_day_is_required(api: Api) -> None:
    errors = await refusal(api, openingDays=[])

    assert list(errors) == ["openingDays"]


async def test_opening_hours_are_stored_as_given(api: Api) -> None:
    row = await activated(api, openingTime="06:30", closingTime="18:45")

    assert master_data.wall_clock(row.opening_time) == time(6, 30)
    assert master_data.wall_clock(row.closing_time) == time(18, 45)


@pytest.mark.parametrize(("opening", "closing"), [("07:00", "07:00"), ("18:00", "07:00")])
async def test_the_closing_time_must_come_after_the_opening_time(
    api: Api, opening: str, closing: str
) -> None:
    errors = await refusal(api, openingTime=opening, closingTime=closing)

    assert list(errors) == ["closingTime"]


async def test_opening_hours_are_required_and_have_no_seconds(api: Api) -> None:
    errors = await refusal(api, openingTime=None, closingTime="18:00:30")

    assert set(errors) == {"openingTime", "closingTime"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("CH93 0076 2011 6238 5295 7", SWISS_IBAN),
        ("ch9300762011623852957", SWISS_IBAN),
        ("LI21 0881 0000 2324 013A A", LIECHTENSTEIN_IBAN),
    ],
)
async def test_a_swiss_or_liechtenstein_iban_is_stored_compact_and_upper_case(
    api: Api, typed: str, stored: str
) -> None:
    row = await activated(api, iban=typed)

    assert row.iban == stored


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("CH93 0076 2011 6238 5295 8", "Prüfziffern"),
        ("DE89 3704 0044 0532 0130 00", "Schweizer"),
        ("CH44 3199 9123 0008 8901 2", "QR-IBAN"),
        ("CH93 0076", "keine gültige IBAN"),
        (None, "Geben Sie die IBAN ein"),
    ],
)
async def test_an_iban_that_is_invalid_or_not_swiss_is_refused(
    api: Api, typed: str | None, says: str
) -> None:
    errors = await refusal(api, iban=typed)

    assert list(errors) == ["iban"]
    assert says in errors["iban"]


async def test_the_account_holder_is_required(api: Api) -> None:
    errors = await refusal(api, accountHolder=" ")

    assert list(errors) == ["accountHolder"]


@pytest.mark.parametrize("places", [1, 1000])
async def test_a_day_care_centre_has_1_to_1000_places(api: Api, places: int) -> None:
    row = await activated(api, places=places)

    assert row.places == places


@pytest.mark.parametrize("places", [None, 0, -3, 1001])
async def test_a_day_care_centre_without_a_valid_number_of_places_is_refused(
    api: Api, places: int | None
) -> None:
    errors = await refusal(api, places=places)

    assert list(errors) == ["places"]


async def test_a_day_family_organisation_gives_no_number_of_places(api: Api) -> None:
    row = await activated(api, CareType.DAY_FAMILY, places=None)
    errors = await refusal(api, CareType.DAY_FAMILY, places=12)

    assert row.places is None
    assert list(errors) == ["places"]


@pytest.mark.parametrize("care_type", [CareType.DAY_SCHOOL, CareType.HOLIDAY_CARE])
async def test_day_schools_and_holiday_care_may_give_a_number_of_places(
    api: Api, care_type: CareType
) -> None:
    without = await activated(api, care_type, places=None)
    given = await activated(api, care_type, places=60)
    errors = await refusal(api, care_type, places=0)

    assert (without.places, given.places) == (None, 60)
    assert list(errors) == ["places"]


async def test_every_problem_is_reported_at_once(api: Api) -> None:
    errors = await refusal(
        api,
        address={"organisation": "", "street": None, "postalCode": "999", "town": " "},
        contactEmail="nobody",
        phone="12",
        website="ftp://x.ch",
        openingDays=[],
        openingTime="18:00",
        closingTime="08:00",
        iban="DE89370400440532013000",
        accountHolder=None,
        places=0,
    )

    assert list(errors) == [
        "address.organisation",
        "address.street",
        "address.postalCode",
        "address.town",
        "contactEmail",
        "phone",
        "website",
        "openingDays",
        "closingTime",
        "iban",
        "accountHolder",
        "places",
    ]
    assert all(message for message in errors.values())


async def test_an_input_without_an_address_reports_each_missing_line(api: Api) -> None:
    errors = await refusal(api, address=None)

    assert set(errors) == {
        "address.organisation",
        "address.street",
        "address.postalCode",
        "address.town",
    }
