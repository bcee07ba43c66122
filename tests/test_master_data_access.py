"""Who may enter an institution's master data, and who sees its IBAN in full."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from models.audit import AuditEvent
from models.institution import Institution, InstitutionStatus
from models.role import Role
from models.sponsor import Sponsor
from models.user import User
from schema.types import ids
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.master_data import (
    ACTIVATE,
    SWISS_IBAN,
    activate,
    complete_input,
    global_id,
    update,
)

Someone = Callable[[Institution, Sponsor], Awaitable[User]]


async def its_institution_admin(institution: Institution, sponsor: Sponsor) -> User:
    return await make_user(Role.INSTITUTION_ADMIN, institution=institution)


async def its_institution_clerk(institution: Institution, sponsor: Sponsor) -> User:
    return await make_user(Role.INSTITUTION_CLERK, institution=institution)


async def its_sponsor_admin(institution: Institution, sponsor: Sponsor) -> User:
    return await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)


async def its_sponsor_clerk(institution: Institution, sponsor: Sponsor) -> User:
    return await make_user(Role.SPONSOR_CLERK, sponsor=sponsor)


async def a_super_admin(institution: Institution, sponsor: Sponsor) -> User:
    return await make_user(Role.SUPER_ADMIN)


async def a_canton_admin(institution: Institution, sponsor: Sponsor) -> User:
    return await make_user(Role.CANTON_ADMIN)


async def a_canton_clerk(institution: Institution, sponsor: Sponsor) -> User:
    return await make_user(Role.CANTON_CLERK)


async def another_institutions_admin(institution: Institution, sponsor: Sponsor) -> User:
    return await make_user(Role.INSTITUTION_ADMIN, institution=await make_institution())


async def another_institutions_clerk(institution: Institution, sponsor: Sponsor) -> User:
    return await make_user(Role.INSTITUTION_CLERK, institution=await make_institution())


async def another_sponsors_admin(institution: Institution, sponsor: Sponsor) -> User:
    return await make_user(Role.SPONSOR_ADMIN, sponsor=await make_sponsor())


async def another_sponsors_clerk(institution: Institution, sponsor: Sponsor) -> User:
    return await make_user(Role.SPONSOR_CLERK, sponsor=await make_sponsor())


async def an_applicant(institution: Institution, sponsor: Sponsor) -> User:
    return await make_user(Role.APPLICANT)


ITS_OWN_PEOPLE = [
    its_institution_admin,
    its_institution_clerk,
    its_sponsor_admin,
    its_sponsor_clerk,
    a_super_admin,
]
STRANGERS = [
    another_institutions_admin,
    another_institutions_clerk,
    another_sponsors_admin,
    another_sponsors_clerk,
]


async def unchanged(institution: Institution, status: InstitutionStatus) -> bool:
    row = await Institution.get(id=institution.id)
    audited = await AuditEvent.filter(institution_id=institution.id).count()
    return (row.status, row.version, audited) == (status, institution.version, 0)


@pytest.mark.parametrize("someone", [*ITS_OWN_PEOPLE, a_canton_admin, a_canton_clerk])
async def test_its_own_people_and_the_canton_may_activate_an_invited_institution(
    api: Api, someone: Someone
) -> None:
    sponsor = await make_sponsor()
    institution = await make_institution(sponsor=sponsor)
    user = await someone(institution, sponsor)

    result = await activate(api, institution, by=user)

    assert result.ok()["activateInstitution"]["__typename"] == "ActivateInstitutionSuccess"
    assert (await Institution.get(id=institution.id)).status == InstitutionStatus.ACTIVE
    assert await AuditEvent.filter(institution_id=institution.id, actor_id=user.id).count() == 1


@pytest.mark.parametrize("someone", ITS_OWN_PEOPLE)
async def test_its_own_people_may_update_an_active_institution(api: Api, someone: Someone) -> None:
    sponsor = await make_sponsor()
    institution = await make_institution(sponsor=sponsor, status=InstitutionStatus.ACTIVE)
    user = await someone(institution, sponsor)

    result = await update(api, institution, by=user, given=complete_input(places=30))

    assert result.ok()["updateInstitutionMasterData"]["__typename"] == (
        "UpdateInstitutionMasterDataSuccess"
    )
    assert (await Institution.get(id=institution.id)).places == 30


@pytest.mark.parametrize("someone", [a_canton_admin, a_canton_clerk])
async def test_the_canton_may_not_change_an_active_institution(api: Api, someone: Someone) -> None:
    sponsor = await make_sponsor()
    institution = await make_institution(sponsor=sponsor, status=InstitutionStatus.ACTIVE)
    user = await someone(institution, sponsor)

    updating = await update(api, institution, by=user, given=complete_input())
    activating = await activate(api, institution, by=user)

    assert updating.data == {"updateInstitutionMasterData": None}
    assert updating.codes == activating.codes == ["FORBIDDEN"]
    assert await unchanged(institution, InstitutionStatus.ACTIVE)


@pytest.mark.parametrize("someone", STRANGERS)
async def test_other_institutions_and_sponsors_are_forbidden_an_institution_they_do_not_run(
    api: Api, someone: Someone
) -> None:
    """Institutions are public (the family portal lists them): outside the caller's scope an
    institution is refused, not hidden."""
    sponsor = await make_sponsor()
    institution = await make_institution(sponsor=sponsor)
    user = await someone(institution, sponsor)

    activating = await activate(api, institution, by=user)
    updating = await update(api, institution, by=user, given=complete_input())

    assert activating.data == {"activateInstitution": None}
    assert activating.codes == ["FORBIDDEN"]
    assert updating.data == {"updateInstitutionMasterData": None}
    assert updating.codes == ["FORBIDDEN"]
    assert await unchanged(institution, InstitutionStatus.INVITED)


async def test_a_sponsor_role_does_not_reach_an_institution_without_a_sponsor(api: Api) -> None:
    institution = await make_institution(sponsor=None)
    user = await make_user(Role.SPONSOR_ADMIN, sponsor=await make_sponsor())

    result = await activate(api, institution, by=user)

    assert result.data == {"activateInstitution": None}
    assert result.codes == ["FORBIDDEN"]
    assert await unchanged(institution, InstitutionStatus.INVITED)


async def test_an_applicant_is_forbidden(api: Api) -> None:
    institution = await make_institution()
    applicant = await make_user(Role.APPLICANT)

    result = await activate(api, institution, by=applicant)

    assert result.data == {"activateInstitution": None}
    assert result.codes == ["FORBIDDEN"]
    assert await unchanged(institution, InstitutionStatus.INVITED)


async def test_without_a_token_the_caller_is_unauthenticated(api: Api) -> None:
    institution = await make_institution()

    activating = await activate(api, institution, by=None)
    updating = await update(api, institution, by=None, given=complete_input())

    assert activating.codes == updating.codes == ["UNAUTHENTICATED"]
    assert await unchanged(institution, InstitutionStatus.INVITED)


async def test_an_unknown_institution_is_not_found(api: Api) -> None:
    admin = await make_user(Role.SUPER_ADMIN)
    variables = {"id": ids.encode("Institution", 999_999), "input": complete_input()}

    result = await api(ACTIVATE, variables, user=admin)

    assert result.ok()["activateInstitution"]["__typename"] == "NotFound"


@pytest.mark.parametrize("bad_id", ["not-an-id", ids.encode("User", 1)])
async def test_a_malformed_id_is_bad_user_input(api: Api, bad_id: str) -> None:
    admin = await make_user(Role.SUPER_ADMIN)

    result = await api(ACTIVATE, {"id": bad_id, "input": complete_input()}, user=admin)

    assert result.codes == ["BAD_USER_INPUT"]


IBAN_QUERY = """
query ($id: ID!) { node(id: $id) { ... on Institution { masterData { iban } } } }
"""
LISTED_IBAN_QUERY = "{ institutions(first: 10) { edges { node { masterData { iban } } } } }"
NESTED_IBAN_QUERY = """{ me { user { institution { masterData { iban } } } }
  sponsors(first: 10) { edges { node { institutions(first: 10) {
    edges { node { masterData { iban } } } } } } } }"""


@pytest.mark.parametrize(
    ("someone", "sees"),
    [
        (its_institution_admin, SWISS_IBAN),
        (its_sponsor_admin, SWISS_IBAN),
        (a_canton_clerk, SWISS_IBAN),
        (its_institution_clerk, "CH93 **** **** **** *295 7"),
        (its_sponsor_clerk, "CH93 **** **** **** *295 7"),
    ],
)
async def test_the_iban_is_shown_in_full_to_admins_and_the_canton_and_masked_to_clerks(
    api: Api, someone: Someone, sees: str
) -> None:
    sponsor = await make_sponsor()
    institution = await make_institution(sponsor=sponsor)
    await activate(api, institution, by=await make_user(Role.SUPER_ADMIN))
    user = await someone(institution, sponsor)

    result = await api(IBAN_QUERY, {"id": global_id(institution)}, user=user)

    assert result.ok()["node"]["masterData"]["iban"] == sees
    # Lists fetch master data separately, for the whole page at once: the same rule holds.
    listed = await api(LISTED_IBAN_QUERY, user=user)
    assert [e["node"]["masterData"]["iban"] for e in listed.ok()["institutions"]["edges"]] == [sees]
    # A nested institution is read as lists read it; its master data follows the same rule.
    nested = (await api(NESTED_IBAN_QUERY, user=user)).ok()
    own = {"masterData": {"iban": sees}} if user.institution_id else None
    assert nested["me"]["user"]["institution"] == own
    (edge,) = nested["sponsors"]["edges"]
    assert [e["node"]["masterData"]["iban"] for e in edge["node"]["institutions"]["edges"]] == [
        sees
    ]


@pytest.mark.parametrize(
    ("someone", "sees"),
    [(its_institution_admin, SWISS_IBAN), (its_institution_clerk, "CH93 **** **** **** *295 7")],
)
async def test_the_activation_payload_masks_the_iban_for_a_clerk_too(
    api: Api, someone: Someone, sees: str
) -> None:
    sponsor = await make_sponsor()
    institution = await make_institution(sponsor=sponsor)
    user = await someone(institution, sponsor)

    result = await activate(api, institution, by=user)

    success = result.ok()["activateInstitution"]
    assert success["institution"]["masterData"]["iban"] == sees
    assert (await Institution.get(id=institution.id)).iban == SWISS_IBAN
