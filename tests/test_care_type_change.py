"""A care-type change clears the master data the new type has no place for, audited; an active
institution stays active, and its next save gives what the new type needs."""

from __future__ import annotations

from models.audit import AuditEvent
from models.institution import CareType, Institution, InstitutionStatus
from models.role import Role
from schema.types import ids
from tests.support import master_data
from tests.support.api import Api
from tests.support.builders import make_user

CHANGE_CARE_TYPE = """
mutation ($id: ID!, $careType: CareType!) {
  updateInstitution(id: $id, input: {careType: $careType}) { __typename }
}
"""


async def change_care_type(api: Api, institution: Institution, care_type: CareType) -> str:
    canton = await make_user(Role.CANTON_CLERK)
    variables = {"id": ids.encode("Institution", institution.id), "careType": care_type.value}
    result = await api(CHANGE_CARE_TYPE, variables, user=canton)
    typename: str = result.ok()["updateInstitution"]["__typename"]
    return typename


async def test_a_day_care_centre_becoming_a_day_family_loses_its_places_and_saves_unchanged(
    api: Api,
) -> None:
    kita = await master_data.activated(api, places=24)
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=kita)

    changed = await change_care_type(api, kita, CareType.DAY_FAMILY)
    row = await Institution.get(id=kita.id)
    saved = await master_data.update(
        api, kita, by=admin, given=master_data.complete_input(places=row.places)
    )

    assert changed == "UpdateInstitutionSuccess"
    assert (row.places, row.status) == (None, InstitutionStatus.ACTIVE)
    assert saved.ok()["updateInstitutionMasterData"]["__typename"] == (
        "UpdateInstitutionMasterDataSuccess"
    )
    entry = await AuditEvent.filter(action="institution.updated").order_by("-id").first()
    assert entry is not None
    assert entry.details["cleared"] == ["places"]


async def test_a_day_family_becoming_a_day_care_centre_stays_active_and_must_give_places(
    api: Api,
) -> None:
    family = await master_data.activated(api, CareType.DAY_FAMILY, places=None)
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=family)

    changed = await change_care_type(api, family, CareType.DAYCARE_CENTER)
    without = await master_data.update(
        api, family, by=admin, given=master_data.complete_input(places=None)
    )
    with_places = await master_data.update(
        api, family, by=admin, given=master_data.complete_input(places=12)
    )

    assert changed == "UpdateInstitutionSuccess"
    refused = without.ok()["updateInstitutionMasterData"]
    assert [e["field"] for e in refused["fieldErrors"]] == ["places"]
    assert with_places.ok()["updateInstitutionMasterData"]["__typename"] == (
        "UpdateInstitutionMasterDataSuccess"
    )
    assert (await Institution.get(id=family.id)).status == InstitutionStatus.ACTIVE
