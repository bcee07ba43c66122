"""Saving master data: activation once, drafts, updates, versions, and the audit trail."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from models import clock
from models.audit import AuditEvent
from models.institution import Institution, InstitutionStatus
from models.master_data import MASTER_DATA_FIELDS, has_any
from models.role import Role
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.master_data import SWISS_IBAN, activate, complete_input, trail, update

ALL_FIELDS = [
    "account_holder",
    "closing_time",
    "contact_email",
    "house_number",
    "iban",
    "opening_days",
    "opening_time",
    "organisation",
    "phone",
    "places",
    "postal_code",
    "street",
    "town",
    "website",
]


async def test_the_first_complete_save_activates_the_institution(api: Api) -> None:
    institution = await make_institution(sponsor=await make_sponsor())
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)
    before = clock.now()

    result = await activate(api, institution, by=admin)

    success = result.ok()["activateInstitution"]
    assert success["__typename"] == "ActivateInstitutionSuccess"
    assert (success["institution"]["status"], success["institution"]["version"]) == ("ACTIVE", 2)
    assert success["institution"]["masterData"]["openingTime"] == "07:00:00"
    row = await Institution.get(id=institution.id)
    assert (row.status, row.version) == (InstitutionStatus.ACTIVE, 2)
    assert row.activated_at is not None
    assert row.activated_at >= before
    assert (row.postal_code, row.contact_email, row.phone) == (
        "3011",
        "info@kita-sonne.ch",
        "+41311234567",
    )
    assert await trail(institution) == [("institution.activated", {"fields": ALL_FIELDS})]


async def test_the_trail_names_who_and_which_sponsor_but_never_the_iban(api: Api) -> None:
    sponsor = await make_sponsor()
    institution = await make_institution(sponsor=sponsor)
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)

    await activate(api, institution, by=admin)

    event = await AuditEvent.get(institution_id=institution.id)
    assert (event.actor_id, event.sponsor_id, event.subject_type, event.subject_id) == (
        admin.id,
        sponsor.id,
        "Institution",
        institution.id,
    )
    written = json.dumps(await AuditEvent.filter(id=event.id).values(), default=str)
    assert SWISS_IBAN not in written
    assert "0076 2011" not in written


async def test_an_active_institution_cannot_be_activated_again(api: Api) -> None:
    institution = await make_institution()
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)
    await activate(api, institution, by=admin)
    first = await Institution.get(id=institution.id)

    result = await activate(api, institution, by=admin, places=99)

    assert result.ok()["activateInstitution"]["__typename"] == "InstitutionAlreadyActive"
    row = await Institution.get(id=institution.id)
    assert (row.version, row.places, row.activated_at) == (2, 24, first.activated_at)
    assert len(await trail(institution)) == 1


async def test_an_update_keeps_the_institution_active_and_names_the_changed_fields(
    api: Api,
) -> None:
    institution = await make_institution()
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)
    await activate(api, institution, by=admin)
    activated_at = (await Institution.get(id=institution.id)).activated_at

    result = await update(
        api, institution, by=admin, given=complete_input(places=30, iban="CH5604835012345678009")
    )

    success = result.ok()["updateInstitutionMasterData"]
    assert success["__typename"] == "UpdateInstitutionMasterDataSuccess"
    assert (success["institution"]["status"], success["institution"]["version"]) == ("ACTIVE", 3)
    row = await Institution.get(id=institution.id)
    assert (row.status, row.version, row.activated_at) == (
        InstitutionStatus.ACTIVE,
        3,
        activated_at,
    )
    assert (row.places, row.iban) == (30, "CH5604835012345678009")
    assert (await trail(institution))[-1] == (
        "institution.master_data_updated",
        {"fields": ["iban", "places"]},
    )


async def test_an_update_is_the_whole_master_data_so_an_optional_field_left_out_is_cleared(
    api: Api,
) -> None:
    institution = await make_institution()
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)
    await activate(api, institution, by=admin)

    result = await update(api, institution, by=admin, given=complete_input(phone=None))

    assert result.ok()["updateInstitutionMasterData"]["__typename"] == (
        "UpdateInstitutionMasterDataSuccess"
    )
    assert (await Institution.get(id=institution.id)).phone is None
    assert (await trail(institution))[-1][1] == {"fields": ["phone"]}


async def test_an_active_institution_must_stay_complete(api: Api) -> None:
    institution = await make_institution()
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)
    await activate(api, institution, by=admin)

    result = await update(api, institution, by=admin, given={"openingDays": ["MONDAY"]})

    payload = result.ok()["updateInstitutionMasterData"]
    assert payload["__typename"] == "InvalidInput"
    assert "iban" in {error["field"] for error in payload["fieldErrors"]}
    row = await Institution.get(id=institution.id)
    assert (row.status, row.version, row.iban) == (InstitutionStatus.ACTIVE, 2, SWISS_IBAN)
    assert len(await trail(institution)) == 1


async def test_a_partial_draft_of_an_invited_institution_is_saved_without_activating(
    api: Api,
) -> None:
    institution = await make_institution()
    clerk = await make_user(Role.INSTITUTION_CLERK, institution=institution)
    draft = {"address": {"town": " Thun "}, "openingDays": [], "places": 12}

    result = await update(api, institution, by=clerk, given=draft)

    success = result.ok()["updateInstitutionMasterData"]
    assert success["__typename"] == "UpdateInstitutionMasterDataSuccess"
    assert success["institution"]["status"] == "INVITED"
    assert success["institution"]["masterData"]["places"] == 12
    row = await Institution.get(id=institution.id)
    assert (row.status, row.activated_at, row.version) == (InstitutionStatus.INVITED, None, 2)
    assert (row.town, row.places, row.organisation) == ("Thun", 12, None)
    assert row.opening_days is None
    assert await trail(institution) == [
        ("institution.master_data_updated", {"fields": ["places", "town"]})
    ]


async def test_a_complete_draft_does_not_activate_either(api: Api) -> None:
    institution = await make_institution()
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)

    result = await update(api, institution, by=admin, given=complete_input())

    assert result.ok()["updateInstitutionMasterData"]["institution"]["status"] == "INVITED"
    row = await Institution.get(id=institution.id)
    assert (row.status, row.iban) == (InstitutionStatus.INVITED, SWISS_IBAN)


async def test_what_a_draft_gives_must_still_be_valid(api: Api) -> None:
    institution = await make_institution()
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)
    draft = {"address": {"postalCode": "999"}, "openingDays": [], "iban": "DE89370400440532013000"}

    result = await update(api, institution, by=admin, given=draft)

    payload = result.ok()["updateInstitutionMasterData"]
    assert payload["__typename"] == "InvalidInput"
    assert [error["field"] for error in payload["fieldErrors"]] == ["address.postalCode", "iban"]
    assert (await Institution.get(id=institution.id)).version == 1
    assert await trail(institution) == []


async def test_a_draft_can_then_be_activated(api: Api) -> None:
    institution = await make_institution()
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)
    await update(api, institution, by=admin, given={"openingDays": ["MONDAY"], "places": 12})

    result = await activate(api, institution, by=admin, version=2)

    assert result.ok()["activateInstitution"]["institution"]["version"] == 3
    assert (await Institution.get(id=institution.id)).status == InstitutionStatus.ACTIVE
    assert [action for action, _ in await trail(institution)] == [
        "institution.master_data_updated",
        "institution.activated",
    ]


async def test_a_save_based_on_an_old_version_is_stale_and_saves_nothing(api: Api) -> None:
    institution = await make_institution()
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)
    await activate(api, institution, by=admin, version=1)

    result = await update(api, institution, by=admin, given=complete_input(version=1, places=5))

    payload = result.ok()["updateInstitutionMasterData"]
    assert (payload["__typename"], payload["currentVersion"]) == ("StaleData", 2)
    row = await Institution.get(id=institution.id)
    assert (row.version, row.places) == (2, 24)
    assert len(await trail(institution)) == 1


async def test_a_stale_version_is_refused_on_activation_too(api: Api) -> None:
    institution = await make_institution()
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)
    await update(api, institution, by=admin, given={"openingDays": ["MONDAY"]})

    result = await activate(api, institution, by=admin, version=1)

    payload = result.ok()["activateInstitution"]
    assert (payload["__typename"], payload["currentVersion"]) == ("StaleData", 2)
    assert (await Institution.get(id=institution.id)).status == InstitutionStatus.INVITED


async def test_without_a_version_the_last_save_wins(api: Api) -> None:
    institution = await make_institution()
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)
    await activate(api, institution, by=admin)

    await update(api, institution, by=admin, given=complete_input(places=10))
    result = await update(api, institution, by=admin, given=complete_input(places=11))

    assert result.ok()["updateInstitutionMasterData"]["institution"]["version"] == 4
    assert (await Institution.get(id=institution.id)).places == 11


@pytest.mark.parametrize(
    ("entered", "shown"),
    [
        ({}, False),
        ({"phone": "", "opening_days": []}, False),
        ({"places": 0}, True),
        ({"opening_days": ["MONDAY"]}, True),
        ({"account_holder": "Kita Sonne"}, True),
    ],
)
def test_master_data_is_there_once_any_value_but_none_empty_text_or_no_days_is(
    entered: dict[str, object], shown: bool
) -> None:
    row = SimpleNamespace(**{**dict.fromkeys(MASTER_DATA_FIELDS), **entered})

    assert has_any(row) is shown  # type: ignore[arg-type]
