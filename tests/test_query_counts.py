"""Every list costs one SQL statement per nesting level plus the sign-in lookup, whatever the
page size (1 or 50)."""

from __future__ import annotations

import pytest

from models.role import Role
from models.user import User
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.flows import registered_institution
from tests.support.sql import statements

# The list, and how many statements it may send: the sign-in lookup, then one per level (the
# list, and each batched field below it), counted from the schema's shape.
LISTS = {
    "sponsors with their institutions": (
        """query ($n: Int) { sponsors(first: $n) { edges { node {
        name institutions(first: 5) { edges { node { name careType } } } } } } }""",
        1 + 2,
    ),
    "institutions with their sponsor": (
        """query ($n: Int) { institutions(first: $n) { edges {
        node { name status sponsor { name } } } } }""",
        1 + 1,  # the sponsor is joined
    ),
    "institutions with their master data": (
        """query ($n: Int) { institutions(first: $n) {
        edges { node { name masterData { iban address { town } } } } } }""",
        1 + 2,
    ),
    "sponsor staff with their sponsor": (
        """query ($n: Int) {
        users(first: $n, filter: {role: SPONSOR_CLERK}) { edges { node {
        email sponsor { name } institution { name } } } } }""",
        1 + 1,
    ),
    "institution staff with their institution": (
        """query ($n: Int) {
        users(first: $n, filter: {role: INSTITUTION_CLERK}) { edges { node {
        email sponsor { name } institution { name } } } } }""",
        1 + 1,
    ),
    "people, applicants shown as their open invitations": (
        """query ($n: Int) { users(first: $n) { edges { node {
        email role status sponsor { name } institution { name } } } } }""",
        1 + 1,
    ),
    "invitations with scope and delivery": (
        """query ($n: Int) { invitations(first: $n) { edges {
        node { email deliveryStatus invitedBy { email } sponsor { name }
        institution { name } } } } }""",
        1 + 1,
    ),
    "the audit log": (
        """query ($n: Int) { auditLog(first: $n) { edges { node { action actorEmail
        subjectId details } } } }""",
        1 + 1,
    ),
    "family portal": (
        """query ($n: Int) { publicInstitutions(first: $n) { edges { node {
        name sponsor { name } address { town } } } } }""",
        1 + 1,
    ),
    "a list with its total count": (
        """query ($n: Int) { institutions(first: $n) { totalCount edges { node { name } } } }""",
        1 + 2,
    ),
}


async def seed_world() -> User:
    for number in range(50):
        sponsor = await make_sponsor()
        await make_institution(sponsor=sponsor)
        kita = await make_institution(sponsor=sponsor)
        await make_user(Role.SPONSOR_CLERK, sponsor=sponsor)
        await make_user(Role.INSTITUTION_CLERK, institution=kita)
        if number % 5 == 0:
            await registered_institution(sponsor_id=sponsor.id)
    return await make_user(Role.CANTON_ADMIN)


@pytest.mark.parametrize("name", LISTS)
async def test_the_statement_count_does_not_grow_with_the_page_size(api: Api, name: str) -> None:
    canton = await seed_world()
    query, most = LISTS[name]
    await api(query, {"n": 1}, user=canton)  # the first sign-in binds; count the steady state

    with statements() as one:
        small = await api(query, {"n": 1}, user=canton)
    with statements() as fifty:
        large = await api(query, {"n": 50}, user=canton)

    small.ok()
    large_data = large.ok()
    assert len(next(iter(large_data.values()))["edges"]) > 1
    assert len(one) == len(fifty), (one, fifty)
    assert len(fifty) <= most, fifty


# A list, then the viewerCan selection of each level that has one (`%s` in the order given).
WITH_VIEWER_CAN: dict[str, tuple[str, ...]] = {
    "users": (
        "query ($n: Int) { users(first: $n) { edges { node { email %s } } } }",
        "viewerCan { block unblock changeRole delete }",
    ),
    "institutions": (
        "query ($n: Int) { institutions(first: $n) { edges { node { name %s } } } }",
        "viewerCan { editMasterData withdraw invite }",
    ),
    "invitations": (
        "query ($n: Int) { invitations(first: $n) { edges { node { email %s } } } }",
        "viewerCan { resend revoke }",
    ),
    "invitations with their institution and sender": (
        "query ($n: Int) { invitations(first: $n) { edges { node { email %s "
        "institution { name %s } invitedBy { email %s } } } } }",
        "viewerCan { resend revoke }",
        "viewerCan { editMasterData withdraw invite }",
        "viewerCan { block unblock changeRole delete }",
    ),
}


@pytest.mark.parametrize("role", [Role.CANTON_ADMIN, Role.CANTON_CLERK])
@pytest.mark.parametrize("name", WITH_VIEWER_CAN)
async def test_viewer_can_costs_at_most_one_statement_more_per_level(
    api: Api, name: str, role: Role
) -> None:
    await seed_world()
    viewer = await make_user(role)  # a canton clerk's `delete` also asks whom it invited
    template, *flags = WITH_VIEWER_CAN[name]
    plain, asked = template % (("",) * len(flags)), template % tuple(flags)
    await api(plain, {"n": 1}, user=viewer)

    with statements() as without:
        (await api(plain, {"n": 50}, user=viewer)).ok()
    with statements() as one:
        (await api(asked, {"n": 1}, user=viewer)).ok()
    with statements() as fifty:
        large = (await api(asked, {"n": 50}, user=viewer)).ok()

    assert len(next(iter(large.values()))["edges"]) > 1
    assert len(one) == len(fifty), (one, fifty)
    assert len(fifty) <= len(without) + len(flags), (without, fifty)
