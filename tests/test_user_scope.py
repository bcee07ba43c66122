"""Who sees whom: each caller sees the people of its own scope, through every path of the API."""

from __future__ import annotations

import pytest

from models import user_admin
from models.institution import Institution
from models.role import Role
from models.sponsor import Sponsor
from models.user import User
from tests.support.api import Api
from tests.support.builders import make_institution, make_user
from tests.support.flows import POLICY
from tests.support.user_admin import World, gid, seed_world

USERS = "{ users(first: 100) { edges { node { email } } } }"
CANTON = {Role.SUPER_ADMIN, Role.CANTON_ADMIN, Role.CANTON_CLERK}
SPONSOR_PEOPLE = {
    Role.SPONSOR_ADMIN,
    Role.SPONSOR_CLERK,
    Role.INSTITUTION_ADMIN,
    Role.INSTITUTION_CLERK,
}
INSTITUTION_PEOPLE = {Role.INSTITUTION_ADMIN, Role.INSTITUTION_CLERK}


async def visible_emails(api: Api, viewer: User) -> set[str]:
    result = await api(USERS, user=viewer)
    return {edge["node"]["email"] for edge in result.ok()["users"]["edges"]}


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        (Role.SUPER_ADMIN, "everyone"),
        (Role.CANTON_ADMIN, "everyone"),
        (Role.CANTON_CLERK, "everyone"),
        (Role.SPONSOR_ADMIN, SPONSOR_PEOPLE),
        (Role.SPONSOR_CLERK, SPONSOR_PEOPLE),
        (Role.INSTITUTION_ADMIN, INSTITUTION_PEOPLE),
        (Role.INSTITUTION_CLERK, INSTITUTION_PEOPLE),
        (Role.APPLICANT, {Role.APPLICANT}),
    ],
)
async def test_each_role_sees_the_people_of_its_scope(
    api: Api, viewer: Role, sees: set[Role] | str
) -> None:
    world = await seed_world()
    stranger = await make_user(Role.INSTITUTION_CLERK, institution=world.other_institution)

    seen = await visible_emails(api, world.people[viewer])

    everyone = {u.email for u in await User.all()}
    expected = everyone if isinstance(sees, str) else {world.people[r].email for r in sees}
    assert seen == expected
    assert (stranger.email in seen) == (sees == "everyone")


async def test_a_sponsor_admin_sees_the_people_of_every_institution_of_its_sponsor(
    api: Api,
) -> None:
    world = await seed_world()
    sister = await make_institution(sponsor=world.sponsor)
    colleague = await make_user(Role.INSTITUTION_CLERK, institution=sister)

    seen = await visible_emails(api, world.people[Role.SPONSOR_ADMIN])
    seen_by_head = await visible_emails(api, world.people[Role.INSTITUTION_ADMIN])

    assert colleague.email in seen
    assert colleague.email not in seen_by_head  # another institution of the same sponsor


async def test_the_admin_of_another_sponsor_sees_its_own_people_only(api: Api) -> None:
    world = await seed_world()
    their_clerk = await make_user(Role.SPONSOR_CLERK, sponsor=world.other_sponsor)

    seen = await visible_emails(api, world.foreign)

    assert seen == {world.foreign.email, their_clerk.email}


NODE = """query ($id: ID!) { node(id: $id) { id
  ... on User { email } ... on Sponsor { name } ... on Institution { name }
  ... on Invitation { email } } }"""
PATHS = [
    USERS,
    '{ users(first: 100, filter: {search: "heim"}) { edges { node { email } } } }',
    "{ sponsors { edges { node { name institutions { edges { node { name } } } } } } }",
    "{ institutions { edges { node { name sponsor { name } } } } }",
    "{ invitations { edges { node { email sponsor { name } institution { name } } } } }",
    "{ me { user { email sponsor { name institutions { edges { node { name sponsor { name } } } } }"
    " institution { name sponsor { name } } } } }",
]


def by_id(world: World, people_of: str) -> list[tuple[str, dict[str, str]]]:
    """The queries that name one object by ID: each object of the `people_of` side."""
    heim = people_of == "heim"
    objects: list[User | Sponsor | Institution] = [
        world.sponsor if heim else world.other_sponsor,
        world.institution if heim else world.other_institution,
        world.people[Role.INSTITUTION_CLERK] if heim else world.foreign,
    ]
    queries = [(NODE, {"id": gid(o)}) for o in objects]
    sponsor, institution, person = (gid(o) for o in objects)
    queries += [
        ("query ($id: ID!) { sponsor(id: $id) { name } }", {"id": sponsor}),
        (
            "query ($id: ID!) { institution(id: $id) { name sponsor { name } } }",
            {"id": institution},
        ),
        ("query ($id: ID!) { user(id: $id) { email } }", {"id": person}),
        (
            "query ($id: ID!) { users(filter: {institutionId: $id}) { edges { node { email } } } }",
            {"id": institution},
        ),
        (
            "query ($id: ID!) { invitations(filter: {institutionId: $id}) "
            "{ edges { node { email } } } }",
            {"id": institution},
        ),
    ]
    return queries


async def invite_into_both(world: World) -> None:
    for by, institution in [
        (world.people[Role.SPONSOR_ADMIN], world.institution),
        (world.foreign, world.other_institution),
    ]:
        await user_admin.invite(
            by=by,
            address=f"neu@{institution.name.split()[-1].lower()}.ch",
            role=Role.INSTITUTION_CLERK,
            sponsor_id=None,
            institution_id=institution.id,
            language=None,
            policy=POLICY,
        )


@pytest.mark.parametrize(
    ("viewer", "never_sees"),
    [
        ("foreign", "heim"),
        (Role.SPONSOR_ADMIN, "fremd"),
        (Role.SPONSOR_CLERK, "fremd"),
        (Role.INSTITUTION_ADMIN, "fremd"),
        (Role.INSTITUTION_CLERK, "fremd"),
        (Role.APPLICANT, "fremd"),
    ],
)
async def test_nothing_of_another_sponsor_shows_through_any_path(
    api: Api, viewer: Role | str, never_sees: str
) -> None:
    world = await seed_world()
    await invite_into_both(world)
    caller = world.foreign if viewer == "foreign" else world.people[Role(viewer)]
    queries: list[tuple[str, dict[str, str]]] = [(q, {}) for q in PATHS]
    queries += by_id(world, never_sees)

    answers = [await api(query, variables, user=caller) for query, variables in queries]

    assert all(a.status == 200 for a in answers)
    assert all(never_sees not in str(a.body).lower() for a in answers), [
        a.body for a in answers if never_sees in str(a.body).lower()
    ]


async def test_the_same_paths_do_show_ones_own_scope(api: Api) -> None:
    world = await seed_world()
    await invite_into_both(world)

    answers = [
        await api(query, variables, user=world.foreign)
        for query, variables in by_id(world, "fremd")
    ]

    assert all("fremd" in str(a.ok()).lower() for a in answers)


async def test_an_institution_admin_sees_its_sponsor_but_not_its_sister_institutions(
    api: Api,
) -> None:
    world = await seed_world()
    await make_institution(name="Kita Schwester", sponsor=world.sponsor)

    result = await api(
        "query ($id: ID!) { sponsor(id: $id) { name institutions { edges { node { name } } } } }",
        {"id": gid(world.sponsor)},
        user=world.people[Role.INSTITUTION_ADMIN],
    )

    sponsor = result.ok()["sponsor"]
    assert sponsor["name"] == "Kitas Heim"
    assert [e["node"]["name"] for e in sponsor["institutions"]["edges"]] == ["Kita Heim"]


SEARCH = """query ($s: String, $after: String) {
  users(first: 1, after: $after, filter: {search: $s}) {
    totalCount edges { node { email } } pageInfo { endCursor } } }"""


async def searched(api: Api, viewer: User, term: str) -> tuple[list[str], int]:
    """Every page of the search, one person a page, and the count it reports."""
    emails, after, total = [], None, -1
    while True:
        page = (await api(SEARCH, {"s": term, "after": after}, user=viewer)).ok()["users"]
        total = page["totalCount"]
        emails += [edge["node"]["email"] for edge in page["edges"]]
        after = page["pageInfo"]["endCursor"]
        if after is None:
            return emails, total


async def test_the_search_ignores_case_in_the_address_and_both_names_and_pages_in_order(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_ADMIN, email="canton@example.ch")
    for address, first, last in [
        ("b.zwick@example.ch", "Anna", "Zwick"),
        ("a.zuber@example.ch", "ZWICKLI", "Zuber"),
        ("c.x@example.ch", "Carla", "x"),
        ("zwickmann@example.ch", "Dora", "Y"),
    ]:
        person = await make_user(Role.SPONSOR_CLERK, email=address)
        person.first_name, person.last_name = first, last
        await person.save()

    emails, total = await searched(api, canton, "zWiCk")

    assert emails == ["a.zuber@example.ch", "b.zwick@example.ch", "zwickmann@example.ch"]
    assert total == 3


async def test_the_search_for_people_takes_percent_and_underscore_literally(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN, email="canton@example.ch")
    for address in ("a_b@example.ch", "axb@example.ch", "c100%@example.ch", "c1000@example.ch"):
        await make_user(Role.SPONSOR_CLERK, email=address)

    assert (await searched(api, canton, "a_b"))[0] == ["a_b@example.ch"]
    assert (await searched(api, canton, "100%"))[0] == ["c100%@example.ch"]
