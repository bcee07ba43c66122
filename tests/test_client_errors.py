"""Every error a client can cause carries a code: an overlong search is refused as input, and an
identity without an account is FORBIDDEN where an account is needed (not a fault)."""

from __future__ import annotations

import pytest

from models.role import Role
from models.user import UserStatus
from schema.types import ids
from tests.support.api import Api
from tests.support.builders import make_user

LISTS = {
    "sponsors": "query ($s: String) { sponsors(search: $s) { edges { cursor } } }",
    "institutions": "query ($s: String) { institutions(filter: {search: $s}) "
    "{ edges { cursor } } }",
    "users": "query ($s: String) { users(filter: {search: $s}) { edges { cursor } } }",
    "invitations": "query ($s: String) { invitations(filter: {search: $s}) { edges { cursor } } }",
    "publicInstitutions": "query ($s: String) { publicInstitutions(filter: {search: $s}) "
    "{ edges { cursor } } }",
}


@pytest.mark.parametrize("field", LISTS)
@pytest.mark.parametrize("length", [101, 900_000])
async def test_an_overlong_search_is_refused_as_input(api: Api, field: str, length: int) -> None:
    canton = await make_user(Role.CANTON_ADMIN)

    result = await api(LISTS[field], {"s": "k" * length}, user=canton)

    assert result.data in (None, {field: None})
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["message"] == "`search` hat höchstens 100 Zeichen."


@pytest.mark.parametrize("field", LISTS)
async def test_a_search_of_100_characters_is_answered(api: Api, field: str) -> None:
    canton = await make_user(Role.CANTON_ADMIN)

    result = await api(LISTS[field], {"s": "k" * 100}, user=canton)

    assert result.ok() == {field: {"edges": []}}


@pytest.mark.parametrize(
    "document",
    ["{ users { edges { cursor } } }", "query ($id: ID!) { user(id: $id) { email } }"],
)
async def test_an_invited_person_who_has_not_accepted_is_forbidden_where_an_account_is_needed(
    api: Api, document: str
) -> None:
    invited = await make_user(Role.SPONSOR_CLERK, status=UserStatus.INVITED, bound=False)
    token = api.idp.token(email=invited.email)

    result = await api(document, {"id": ids.encode("User", invited.id)}, token=token)

    assert result.status == 200
    assert result.codes == ["FORBIDDEN"]
    assert result.errors[0]["message"] != "Unexpected error."
