"""Canton staff read everything; sponsor and institution staff only their own."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from models.institution import CareType, Institution, InstitutionStatus
from models.role import Role
from models.sponsor import Sponsor
from schema.types import ids
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.flows import registered_institution

SPONSORS = "{ sponsors { edges { node { name institutions { edges { node { name } } } } } } }"
INSTITUTIONS = "{ institutions { edges { node { name sponsor { name } } } } }"
INVITATIONS = "{ invitations { edges { node { email role institution { name } } } } }"
NODE = "query ($id: ID!) { node(id: $id) { __typename id ... on Institution { name } } }"
INSTITUTION = "query ($id: ID!) { institution(id: $id) { name } }"


@dataclass
class World:
    bern: Sponsor
    thun: Sponsor
    kita_bern: Institution
    kita_thun: Institution


async def two_sponsors() -> World:
    bern, thun = await make_sponsor(name="Kitas Bern"), await make_sponsor(name="Kitas Thun")
    await make_institution(name="Kita Allein")
    return World(
        bern=bern,
        thun=thun,
        kita_bern=await make_institution(name="Kita Bern", sponsor=bern),
        kita_thun=await make_institution(name="Kita Thun", sponsor=thun),
    )


def names(result: dict[str, object], field: str) -> list[str]:
    return [edge["node"]["name"] for edge in result[field]["edges"]]  # type: ignore[index]


@pytest.mark.parametrize("role", [Role.CANTON_ADMIN, Role.CANTON_CLERK, Role.SUPER_ADMIN])
async def test_canton_staff_see_every_sponsor_and_institution(api: Api, role: Role) -> None:
    await two_sponsors()
    canton = await make_user(role)

    sponsors = (await api(SPONSORS, user=canton)).ok()
    institutions = (await api(INSTITUTIONS, user=canton)).ok()

    assert names(sponsors, "sponsors") == ["Kitas Bern", "Kitas Thun"]
    assert names(institutions, "institutions") == ["Kita Allein", "Kita Bern", "Kita Thun"]


@pytest.mark.parametrize("role", [Role.SPONSOR_ADMIN, Role.SPONSOR_CLERK])
async def test_sponsor_staff_see_their_sponsor_and_its_institutions_only(
    api: Api, role: Role
) -> None:
    world = await two_sponsors()
    staff = await make_user(role, sponsor=world.bern)

    sponsors = (await api(SPONSORS, user=staff)).ok()
    institutions = (await api(INSTITUTIONS, user=staff)).ok()
    foreign = await api(NODE, {"id": ids.encode("Institution", world.kita_thun.id)}, user=staff)
    by_id = await api(
        INSTITUTION, {"id": ids.encode("Institution", world.kita_thun.id)}, user=staff
    )

    assert names(sponsors, "sponsors") == ["Kitas Bern"]
    assert sponsors["sponsors"]["edges"][0]["node"]["institutions"]["edges"] == [
        {"node": {"name": "Kita Bern"}}
    ]
    assert names(institutions, "institutions") == ["Kita Bern"]
    assert foreign.ok() == {"node": None}
    assert by_id.ok() == {"institution": None}


@pytest.mark.parametrize("role", [Role.SPONSOR_ADMIN, Role.INSTITUTION_ADMIN])
async def test_a_filter_narrows_the_scope_and_never_widens_it(api: Api, role: Role) -> None:
    world = await two_sponsors()
    staff = await (
        make_user(role, sponsor=world.bern)
        if role == Role.SPONSOR_ADMIN
        else make_user(role, institution=world.kita_bern)
    )
    query = """query ($s: ID, $i: String) { institutions(filter: {sponsorId: $s, search: $i}) {
        edges { node { name } } } }"""

    foreign = await api(query, {"s": ids.encode("Sponsor", world.thun.id)}, user=staff)
    searched = await api(query, {"i": "thun"}, user=staff)
    own = await api(query, {"s": ids.encode("Sponsor", world.bern.id), "i": "bern"}, user=staff)

    assert names(foreign.ok(), "institutions") == []
    assert names(searched.ok(), "institutions") == []
    assert names(own.ok(), "institutions") == ["Kita Bern"]


async def test_care_type_and_status_filters_combine(api: Api) -> None:
    kinds = [
        ("Schule offen", CareType.DAY_SCHOOL, InstitutionStatus.ACTIVE),
        ("Schule neu", CareType.DAY_SCHOOL, InstitutionStatus.INVITED),
        ("Kita offen", CareType.DAYCARE_CENTER, InstitutionStatus.ACTIVE),
    ]
    for name, care_type, status in kinds:
        await make_institution(name=name, care_type=care_type, status=status)
    canton = await make_user(Role.CANTON_CLERK)
    query = """query ($c: CareType, $s: InstitutionStatus) {
        institutions(filter: {careType: $c, status: $s}) { edges { node { name careType } } } }"""

    schools = await api(query, {"c": "DAY_SCHOOL"}, user=canton)
    open_schools = await api(query, {"c": "DAY_SCHOOL", "s": "ACTIVE"}, user=canton)
    active = await api(query, {"s": "ACTIVE"}, user=canton)

    assert names(schools.ok(), "institutions") == ["Schule neu", "Schule offen"]
    assert names(open_schools.ok(), "institutions") == ["Schule offen"]
    assert names(active.ok(), "institutions") == ["Kita offen", "Schule offen"]


async def test_search_takes_percent_and_underscore_literally(api: Api) -> None:
    for name in ("Kita 100% Bio", "Kita 1000 Bio", "Kita A_B", "Kita AXB"):
        await make_institution(name=name)
    canton = await make_user(Role.CANTON_ADMIN)
    query = """query ($i: String) { institutions(filter: {search: $i}) {
        edges { node { name } } } }"""

    percent = await api(query, {"i": "100%"}, user=canton)
    underscore = await api(query, {"i": "a_b"}, user=canton)

    assert names(percent.ok(), "institutions") == ["Kita 100% Bio"]
    assert names(underscore.ok(), "institutions") == ["Kita A_B"]


@pytest.mark.parametrize("role", [Role.INSTITUTION_ADMIN, Role.INSTITUTION_CLERK])
async def test_institution_staff_see_their_institution_only(api: Api, role: Role) -> None:
    world = await two_sponsors()
    staff = await make_user(role, institution=world.kita_bern)

    institutions = (await api(INSTITUTIONS, user=staff)).ok()
    own = await api(NODE, {"id": ids.encode("Institution", world.kita_bern.id)}, user=staff)

    assert names(institutions, "institutions") == ["Kita Bern"]
    assert institutions["institutions"]["edges"][0]["node"]["sponsor"] == {"name": "Kitas Bern"}
    assert own.ok()["node"] == {
        "__typename": "Institution",
        "id": ids.encode("Institution", world.kita_bern.id),
        "name": "Kita Bern",
    }


async def test_an_applicant_may_not_list_staff_data(api: Api) -> None:
    await two_sponsors()
    applicant = await make_user(Role.APPLICANT)

    result = await api(INSTITUTIONS, user=applicant)

    assert result.codes == ["FORBIDDEN"]
    assert result.data == {"institutions": None}


async def test_invitations_are_scoped_like_their_institution(api: Api) -> None:
    world = await two_sponsors()
    await registered_institution(admin_email="a@bern.ch", sponsor_id=world.bern.id, name="Neu Bern")
    await registered_institution(admin_email="a@thun.ch", sponsor_id=world.thun.id, name="Neu Thun")
    bern_admin = await make_user(Role.SPONSOR_ADMIN, sponsor=world.bern)
    canton = await make_user(Role.CANTON_CLERK)

    seen_by_bern = (await api(INVITATIONS, user=bern_admin)).ok()["invitations"]["edges"]
    seen_by_canton = (await api(INVITATIONS, user=canton)).ok()["invitations"]["edges"]

    assert [e["node"]["institution"]["name"] for e in seen_by_bern] == ["Neu Bern"]
    assert len(seen_by_canton) == 2


async def test_a_malformed_global_id_is_bad_user_input(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)

    result = await api(NODE, {"id": "definitely-not-an-id"}, user=canton)

    assert result.codes == ["BAD_USER_INPUT"]


def test_global_ids_are_relays_base64_of_type_and_id() -> None:
    from strawberry import relay

    encoded = ids.encode("Institution", 42)

    assert relay.GlobalID.from_id(encoded) == relay.GlobalID("Institution", "42")
    assert ids.decode(encoded, "Institution") == 42
