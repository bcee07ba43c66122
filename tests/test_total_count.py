"""`totalCount`: the whole list's size with its filter, within the caller's scope, the same on
every page, and one statement only when asked for."""

from __future__ import annotations

from models.role import Role
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.sql import statements

USERS = """query ($after: String, $role: Role) {
  users(first: 1, after: $after, filter: {role: $role}) {
    totalCount pageInfo { endCursor } } }"""
SPONSORS = "{ sponsors(first: 1) { totalCount } }"
INSTITUTIONS = """query ($search: String) {
  institutions(first: 1, filter: {search: $search}) { totalCount } }"""
NESTED = "{ sponsors(first: 5) { edges { node { institutions { totalCount } } } } }"


async def test_total_count_counts_only_what_the_caller_may_see_on_every_page(api: Api) -> None:
    ours, theirs = await make_sponsor(), await make_sponsor()
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=ours)
    for _ in range(3):
        await make_user(Role.SPONSOR_CLERK, sponsor=ours)
        await make_user(Role.SPONSOR_CLERK, sponsor=theirs)
    canton = await make_user(Role.CANTON_ADMIN)

    first = (await api(USERS, {}, user=admin)).ok()["users"]
    second = (await api(USERS, {"after": first["pageInfo"]["endCursor"]}, user=admin)).ok()
    clerks = (await api(USERS, {"role": "SPONSOR_CLERK"}, user=admin)).ok()["users"]
    everyone = (await api(USERS, {}, user=canton)).ok()["users"]

    assert first["totalCount"] == 4  # the admin and its three clerks
    assert second["users"]["totalCount"] == 4
    assert clerks["totalCount"] == 3
    assert everyone["totalCount"] == 8


async def test_the_staff_institution_list_counts_within_scope_and_filter(api: Api) -> None:
    ours, theirs = await make_sponsor(), await make_sponsor()
    for name in ("Kita Sonne", "Kita Mond", "Hort Sonne"):
        await make_institution(name=name, sponsor=ours)
        await make_institution(name=name, sponsor=theirs)
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=ours)
    canton = await make_user(Role.CANTON_ADMIN)

    mine = (await api(INSTITUTIONS, {}, user=admin)).ok()["institutions"]
    sunny = (await api(INSTITUTIONS, {"search": "sonne"}, user=admin)).ok()["institutions"]
    all_sunny = (await api(INSTITUTIONS, {"search": "sonne"}, user=canton)).ok()["institutions"]

    assert mine["totalCount"] == 3
    assert sunny["totalCount"] == 2
    assert all_sunny["totalCount"] == 4


async def test_total_count_costs_one_statement_and_only_when_selected(api: Api) -> None:
    for _ in range(3):
        await make_sponsor()
    canton = await make_user(Role.CANTON_ADMIN)
    await api(SPONSORS, user=canton)  # the first sign-in binds; count the steady state

    with statements() as counted:
        answer = (await api(SPONSORS, user=canton)).ok()
    with statements() as plain:
        (await api("{ sponsors(first: 1) { edges { node { name } } } }", user=canton)).ok()

    assert answer["sponsors"]["totalCount"] == 3
    assert len(counted) == len(plain) + 1


async def test_nested_lists_offer_no_total_count(api: Api) -> None:
    sponsor = await make_sponsor()
    await make_institution(sponsor=sponsor)
    canton = await make_user(Role.CANTON_ADMIN)

    answer = (await api(NESTED, user=canton)).ok()

    assert answer["sponsors"]["edges"][0]["node"]["institutions"]["totalCount"] is None
