"""The voucher period: an inclusive end, set by the canton, and the family portal's date
filters by overlap, plus its postal-code and town filters and one institution by ID."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from tortoise import connections

from models import clock
from models.institution import Institution, InstitutionStatus
from models.migrations import __name__ as migrations_package
from models.role import Role
from schema.types import ids
from tests.support import master_data
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.operations import REGISTER_INSTITUTION

fold = __import__(f"{migrations_package}.0011_voucher_period", fromlist=["x"])

LISTED = """
query ($filter: PublicInstitutionFilter) {
  publicInstitutions(filter: $filter) { edges { node { name vouchersFrom vouchersUntil } } }
}
"""

UPDATE = """
mutation ($id: ID!, $input: UpdateInstitutionInput!) {
  updateInstitution(id: $id, input: $input) {
    __typename
    ... on UpdateInstitutionSuccess { institution { vouchersFrom vouchersUntil } }
    ... on InvalidInput { fieldErrors { field code } }
  }
}
"""

ONE = """
query ($id: ID!) { publicInstitution(id: $id) { name vouchersUntil address { town } } }
"""


async def names(api: Api, **filter_: object) -> list[str]:
    result = await api(LISTED, {"filter": filter_})
    return [edge["node"]["name"] for edge in result.ok()["publicInstitutions"]["edges"]]


def in_days(days: int) -> date:
    return clock.today() + timedelta(days=days)


async def test_without_a_date_every_period_not_yet_ended_is_listed_future_starts_included(
    api: Api,
) -> None:
    await make_institution(name="Bald", vouchers_from=in_days(30))
    await make_institution(name="Offen", vouchers_from=date(2020, 1, 1))
    await make_institution(name="Heute zu Ende", vouchers_until=in_days(0))
    await make_institution(name="Vorbei", vouchers_until=in_days(-1))

    assert await names(api) == ["Bald", "Heute zu Ende", "Offen"]


async def test_the_default_day_is_the_cantons_day_not_the_utc_day(api: Api) -> None:
    await make_institution(name="Bis Silvester", vouchers_until=date(2026, 12, 31))
    bern_before_midnight = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # 23:30 in Bern
    bern_after_midnight = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 in Bern

    with clock.travel(bern_before_midnight - clock.now()):
        last_evening = await names(api)
    with clock.travel(bern_after_midnight - clock.now()):
        new_year = await names(api)

    assert (last_evening, new_year) == (["Bis Silvester"], [])


async def test_available_on_a_day_lists_the_periods_that_contain_it_both_ends_included(
    api: Api,
) -> None:
    await make_institution(
        name="Schuljahr", vouchers_from=date(2025, 8, 1), vouchers_until=date(2026, 7, 31)
    )

    first = await names(api, availableOn="2025-08-01")
    last = await names(api, availableOn="2026-07-31")
    before = await names(api, availableOn="2025-07-31")
    after = await names(api, availableOn="2026-08-01")

    assert (first, last, before, after) == (["Schuljahr"], ["Schuljahr"], [], [])


async def test_a_range_lists_every_period_that_overlaps_it_with_either_end_open(api: Api) -> None:
    await make_institution(
        name="Frueh", vouchers_from=date(2020, 1, 1), vouchers_until=date(2024, 12, 31)
    )
    await make_institution(name="Spaet", vouchers_from=date(2026, 1, 1))

    both = await names(api, availableFrom="2024-12-31", availableUntil="2026-01-01")
    gap = await names(api, availableFrom="2025-01-01", availableUntil="2025-12-31")
    from_only = await names(api, availableFrom="2025-06-01")
    until_only = await names(api, availableUntil="2025-06-01")

    assert (both, gap, from_only, until_only) == (["Frueh", "Spaet"], [], ["Spaet"], ["Frueh"])


@pytest.mark.parametrize(
    "filter_",
    [
        {"availableOn": "2025-01-01", "availableFrom": "2025-01-01"},
        {"availableOn": "2025-01-01", "availableUntil": "2025-01-01"},
        {"availableFrom": "2025-02-01", "availableUntil": "2025-01-31"},
    ],
)
async def test_a_day_with_a_range_or_a_range_ending_before_it_starts_is_bad_user_input(
    api: Api, filter_: dict[str, str]
) -> None:
    result = await api(LISTED, {"filter": filter_})

    assert result.codes == ["BAD_USER_INPUT"]


async def test_postal_code_and_town_filters_ignore_case_accents_and_spaces(api: Api) -> None:
    for name, postal_code, town in [
        ("A", "2502", "Biel/Bienne"),
        ("B", "1700", "Fribourg"),
        ("C", "2502", "Nidau"),
    ]:
        kita = await make_institution(name=name, status=InstitutionStatus.ACTIVE)
        kita.postal_code, kita.town = postal_code, town
        await kita.save(update_fields=["postal_code", "town"])

    by_code = await names(api, postalCode="2502")
    by_town = await names(api, town="  BIEL/bienne ")
    both = await names(api, postalCode="2502", town="nidau")

    assert (by_code, by_town, both) == (["A", "C"], ["A"], ["C"])


async def test_public_institution_by_id_answers_the_portals_view_and_null_when_unknown(
    api: Api,
) -> None:
    kita = await make_institution(name="Kita Sonne", vouchers_until=date(2099, 7, 31))

    found = await api(ONE, {"id": ids.encode("PublicInstitution", kita.id)})
    unknown = await api(ONE, {"id": ids.encode("PublicInstitution", kita.id + 1000)})
    staff_id = await api(ONE, {"id": ids.encode("Institution", kita.id)})

    assert found.ok()["publicInstitution"] == {
        "name": "Kita Sonne",
        "vouchersUntil": "2099-07-31",
        "address": None,
    }
    assert unknown.ok()["publicInstitution"] is None
    assert staff_id.codes == ["BAD_USER_INPUT"]


def registration(**overrides: object) -> dict[str, object]:
    values = {
        "name": "Kita Sonne",
        "careType": "DAYCARE_CENTER",
        "vouchersFrom": "2024-08-01",
        "adminEmail": "leitung@kita-sonne.ch",
    }
    return {"input": values | overrides}


async def test_the_canton_registers_an_institution_with_an_inclusive_end(api: Api) -> None:
    canton = await make_user(Role.CANTON_CLERK)

    result = await api(REGISTER_INSTITUTION, registration(vouchersUntil="2099-07-31"), user=canton)

    assert result.ok()["registerInstitution"]["__typename"] == "RegisterInstitutionSuccess"
    assert (await Institution.get(name="Kita Sonne")).vouchers_until == date(2099, 7, 31)


@pytest.mark.parametrize(
    ("until", "field"),
    [
        ("2024-07-31", "vouchersUntil"),
        ("yesterday", "vouchersUntil"),
        ("2101-01-01", "vouchersUntil"),
    ],
)
async def test_registering_an_end_before_the_start_in_the_past_or_out_of_range_is_refused(
    api: Api, until: str, field: str
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    start = "2020-01-01" if until == "yesterday" else "2024-08-01"
    day = in_days(-1).isoformat() if until == "yesterday" else until

    result = await api(
        REGISTER_INSTITUTION, registration(vouchersFrom=start, vouchersUntil=day), user=canton
    )

    answer = result.ok()["registerInstitution"]
    assert answer["__typename"] == "InvalidInput"
    assert [e["field"] for e in answer["fieldErrors"]] == [field]
    assert not await Institution.exists(name="Kita Sonne")


async def update(
    api: Api, kita: Institution, user_role: Role = Role.CANTON_CLERK, **input_: object
) -> dict[str, object]:
    user = await make_user(
        user_role, sponsor=kita.sponsor if user_role == Role.SPONSOR_ADMIN else None
    )
    result = await api(
        UPDATE, {"id": ids.encode("Institution", kita.id), "input": input_}, user=user
    )
    return {"codes": result.codes} if result.errors else result.ok()["updateInstitution"]


async def test_an_omitted_end_stays_and_an_explicit_null_clears_it(api: Api) -> None:
    kita = await make_institution(vouchers_until=date(2099, 7, 31))

    renamed = await update(api, kita, name="Kita Neu")
    cleared = await update(api, kita, vouchersUntil=None)

    assert renamed["institution"] == {"vouchersFrom": "2020-01-01", "vouchersUntil": "2099-07-31"}
    assert cleared["institution"] == {"vouchersFrom": "2020-01-01", "vouchersUntil": None}
    assert (await Institution.get(id=kita.id)).vouchers_until is None


async def test_an_end_already_past_blocks_no_other_correction_but_a_new_past_end_is_refused(
    api: Api,
) -> None:
    kita = await make_institution(vouchers_until=date(2021, 12, 31))

    renamed = await update(api, kita, name="Kita Neu")
    same_end = await update(api, kita, vouchersUntil="2021-12-31")
    other_past_end = await update(api, kita, vouchersUntil="2022-01-31")

    assert renamed["__typename"] == same_end["__typename"] == "UpdateInstitutionSuccess"
    assert other_past_end["fieldErrors"] == [{"field": "vouchersUntil", "code": "IN_THE_PAST"}]
    assert (await Institution.get(id=kita.id)).vouchers_until == date(2021, 12, 31)


async def test_a_new_start_after_the_kept_end_is_refused_on_the_start(api: Api) -> None:
    kita = await make_institution(vouchers_until=date(2099, 7, 31))

    result = await update(api, kita, vouchersFrom="2099-08-01")

    assert result["fieldErrors"] == [{"field": "vouchersFrom", "code": "INVALID_RANGE"}]
    assert (await Institution.get(id=kita.id)).vouchers_from == date(2020, 1, 1)


async def test_only_the_canton_sets_the_end(api: Api) -> None:
    kita = await make_institution(sponsor=await make_sponsor())

    refused = await update(api, kita, Role.SPONSOR_ADMIN, vouchersUntil="2099-01-01")

    assert refused == {"codes": ["FORBIDDEN"]}
    assert (await Institution.get(id=kita.id)).vouchers_until is None


async def test_the_migration_gives_rows_saved_before_it_their_folded_town(api: Api) -> None:
    kita = await make_institution(name="Kita Thun", status=InstitutionStatus.ACTIVE)
    await Institution.filter(id=kita.id).update(town="Thun ", search_town=None)  # as before it

    await fold.fold_towns(None, SimpleNamespace(client=connections.get("default")))

    assert await names(api, town="thun") == ["Kita Thun"]


async def test_the_town_entered_with_the_master_data_is_found_by_the_town_filter(
    api: Api,
) -> None:
    kita = await make_institution(name="Kita Sonne")
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=kita)

    activated = await master_data.activate(api, kita, by=admin, address={"town": "Münsingen"})

    assert activated.ok()["activateInstitution"]["__typename"] == "ActivateInstitutionSuccess"
    assert await names(api, town="munsingen") == ["Kita Sonne"]
