"""The rules of the address and contact fields, at their boundaries, via `activateInstitution`.

A refused value is reported at its field's path and nothing is saved; an accepted one is stored
in its cleaned form.
"""

from __future__ import annotations

import pytest

from tests.support.api import Api
from tests.support.master_data import activated, refusal


@pytest.mark.parametrize("code", ["1000", "3011", "9999", "9490", " 3011 "])
async def test_a_swiss_or_liechtenstein_postal_code_is_accepted(api: Api, code: str) -> None:
    row = await activated(api, address={"postalCode": code})

    assert row.postal_code == code.strip()


@pytest.mark.parametrize("code", ["999", "0999", "10000", "30a1", "CH-3011"])
async def test_a_postal_code_outside_1000_to_9999_is_refused(api: Api, code: str) -> None:
    errors = await refusal(api, address={"postalCode": code})

    assert list(errors) == ["address.postalCode"]


async def test_the_address_is_trimmed_and_the_house_number_is_optional(api: Api) -> None:
    row = await activated(
        api, address={"organisation": "  Kita   Sonne ", "street": " Weg ", "houseNumber": None}
    )

    assert (row.organisation, row.street, row.house_number) == ("Kita Sonne", "Weg", None)


async def test_an_address_line_longer_than_its_bound_is_refused(api: Api) -> None:
    errors = await refusal(api, address={"organisation": "K" * 201, "town": "T" * 101})

    assert set(errors) == {"address.organisation", "address.town"}


async def test_blank_required_address_lines_are_reported_each(api: Api) -> None:
    errors = await refusal(api, address={"organisation": "  ", "street": "", "town": None})

    assert set(errors) == {"address.organisation", "address.street", "address.town"}


async def test_the_contact_email_is_required_and_must_be_valid(api: Api) -> None:
    missing = await refusal(api, contactEmail=None)
    invalid = await refusal(api, contactEmail="info@kita")

    assert list(missing) == list(invalid) == ["contactEmail"]


async def test_the_same_contact_email_may_serve_several_institutions(api: Api) -> None:
    first = await activated(api, contactEmail="info@traeger.ch")
    second = await activated(api, contactEmail="info@traeger.ch")

    assert first.contact_email == second.contact_email == "info@traeger.ch"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("031 123 45 67", "+41311234567"),
        ("+41 31 123 45 67", "+41311234567"),
        ("0041 31 123 45 67", "+41311234567"),
        ("079 123 45 67", "+41791234567"),
        ("+423 235 12 34", "+4232351234"),
        (None, None),
        ("  ", None),
    ],
)
async def test_a_phone_number_is_stored_as_e164(
    api: Api, typed: str | None, stored: str | None
) -> None:
    row = await activated(api, phone=typed)

    assert row.phone == stored


@pytest.mark.parametrize(
    "typed", ["123", "031 123 45 6", "+49 30 1234567", "031 123 45 67 ext. 12", "call us"]
)
async def test_a_phone_number_that_is_not_swiss_or_not_valid_is_refused(
    api: Api, typed: str
) -> None:
    errors = await refusal(api, phone=typed)

    assert list(errors) == ["phone"]


@pytest.mark.parametrize(
    "typed", ["https://www.kita-sonne.ch", "http://kita-sonne.ch/de/kontakt?x=1", None]
)
async def test_an_http_or_https_website_is_accepted(api: Api, typed: str | None) -> None:
    row = await activated(api, website=typed)

    assert row.website == typed


@pytest.mark.parametrize(
    "typed",
    [
        "ftp://kita-sonne.ch",
        "javascript:alert(1)",
        "www.kita-sonne.ch",
        "https://",
        "https://localhost",
        "https://anna:secret@kita-sonne.ch",
        "https://kita sonne.ch",
        "https://kita-sonne.ch:port",
        "https://kita-sonne.ch/" + "a" * 500,
    ],
)
async def test_a_website_that_is_not_an_http_url_with_a_host_is_refused(
    api: Api, typed: str
) -> None:
    errors = await refusal(api, website=typed)

    assert list(errors) == ["website"]
