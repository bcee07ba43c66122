"""Bad input is answered, never crashes: arbitrary strings, dates, enums, IDs, huge and unicode
values thrown at every mutation and every argument through the real endpoint, and at the
validators. Every answer is either data with a typed result or errors that each carry a code;
an error without a code is a fault of ours, and no answer is a 5xx."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import BadUserInput
from models import email, text
from models.role import Role
from models.user import User
from schema.types import ids
from schema.types import keyset as pagination
from tests.support.api import Api
from tests.support.builders import make_user
from tests.support.strategies import (
    care_types,
    correction_input,
    cursors,
    dates,
    enums,
    institution_input,
    json_values,
    maybe,
    node_ids,
    node_types,
    pages,
    shaped_or_junk,
    sponsor_input,
    strings,
)
from web import graphql_params, media

T = TypeVar("T")
CODES = {"BAD_USER_INPUT", "UNAUTHENTICATED", "FORBIDDEN"}
BOUNDED = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MUTATIONS: dict[str, tuple[str, st.SearchStrategy[dict[str, Any]]]] = {
    "registerSponsor": (
        "($input: RegisterSponsorInput!) { registerSponsor(input: $input) { __typename } }",
        st.fixed_dictionaries({"input": sponsor_input}),
    ),
    "registerInstitution": (
        "($input: RegisterInstitutionInput!) { registerInstitution(input: $input) { __typename } }",
        st.fixed_dictionaries({"input": institution_input}),
    ),
    "updateSponsor": (
        "($id: ID!, $input: UpdateSponsorInput!) { updateSponsor(id: $id, input: $input) "
        "{ __typename } }",
        st.fixed_dictionaries({"id": node_ids, "input": shaped_or_junk(name=strings)}),
    ),
    "updateInstitution": (
        "($id: ID!, $input: UpdateInstitutionInput!) { updateInstitution(id: $id, "
        "input: $input) { __typename } }",
        st.fixed_dictionaries({"id": node_ids, "input": correction_input}),
    ),
    "acceptInvitation": (
        "($token: String!) { acceptInvitation(token: $token) { __typename } }",
        st.fixed_dictionaries({"token": st.one_of(strings, json_values)}),
    ),
    "resendInvitation": (
        "($id: ID!) { resendInvitation(id: $id) { __typename } }",
        st.fixed_dictionaries({"id": st.one_of(node_ids, json_values)}),
    ),
    "revokeInvitation": (
        "($id: ID!) { revokeInvitation(id: $id) { __typename } }",
        st.fixed_dictionaries({"id": st.one_of(node_ids, json_values)}),
    ),
}

LIST = "(first: $first, after: $after, {arg}) {{ edges {{ cursor node {{ id }} }} }}"
QUERIES: dict[str, tuple[str, st.SearchStrategy[dict[str, Any]]]] = {
    "sponsors": (
        "($first: Int, $after: String, $search: String) { sponsors"
        + LIST.format(arg="search: $search")
        + " }",
        st.fixed_dictionaries({"first": pages, "after": cursors, "search": maybe(strings)}),
    ),
    "institutions": (
        "($first: Int, $after: String, $f: InstitutionFilter) { institutions"
        + LIST.format(arg="filter: $f")
        + " }",
        st.fixed_dictionaries(
            {
                "first": pages,
                "after": cursors,
                "f": maybe(
                    shaped_or_junk(
                        careType=care_types,
                        status=enums("INVITED", "ACTIVE"),
                        sponsorId=node_ids,
                        search=strings,
                    )
                ),
            }
        ),
    ),
    "users": (
        "($first: Int, $after: String, $f: UserFilter) { users"
        + LIST.format(arg="filter: $f")
        + " }",
        st.fixed_dictionaries(
            {
                "first": pages,
                "after": cursors,
                "f": maybe(
                    shaped_or_junk(
                        role=enums(*Role),
                        status=enums("INVITED", "ACTIVE", "BLOCKED"),
                        sponsorId=node_ids,
                        institutionId=node_ids,
                        search=strings,
                    )
                ),
            }
        ),
    ),
    "invitations": (
        "($first: Int, $after: String, $f: InvitationFilter) { invitations"
        + LIST.format(arg="filter: $f")
        + " }",
        st.fixed_dictionaries(
            {
                "first": pages,
                "after": cursors,
                "f": maybe(
                    shaped_or_junk(
                        status=enums("PENDING", "ACCEPTED", "REVOKED", "EXPIRED"),
                        sponsorId=node_ids,
                        institutionId=node_ids,
                        search=strings,
                    )
                ),
            }
        ),
    ),
    "publicInstitutions": (
        "($first: Int, $after: String, $f: PublicInstitutionFilter) { publicInstitutions"
        + LIST.format(arg="filter: $f")
        + " }",
        st.fixed_dictionaries(
            {
                "first": pages,
                "after": cursors,
                "f": maybe(shaped_or_junk(careType=care_types, search=strings, availableOn=dates)),
            }
        ),
    ),
    "byId": (
        "($id: ID!) { node(id: $id) { id } sponsor(id: $id) { id } institution(id: $id) { id }"
        " user(id: $id) { id } }",
        st.fixed_dictionaries({"id": st.one_of(node_ids, json_values)}),
    ),
}


async def send(
    api: Api, document: str, variables: object, *, user: User | None = None
) -> tuple[int, dict[str, Any]]:
    """JSON with escapes (`\\ud800`), as a browser's JSON.stringify sends lone surrogates."""
    headers = {"Content-Type": "application/json"}
    if user is not None:
        headers["Authorization"] = f"Bearer {api.token_for(user)}"
    body = json.dumps({"query": document, "variables": variables}).encode()
    response = await api.client.post("/graphql", content=body, headers=headers)
    return response.status_code, response.json()


def assert_answered(status: int, body: dict[str, Any], field: str | None) -> None:
    assert status in (200, 400), body
    errors = body.get("errors") or []
    for error in errors:
        assert error.get("extensions", {}).get("code") in CODES, error
        assert error["message"] != "Unerwarteter Fehler.", error
    if not errors and field is not None:
        assert body["data"][field]["__typename"], body


@pytest.mark.parametrize("name", MUTATIONS)
@BOUNDED
@given(data=st.data())
async def test_every_mutation_answers_arbitrary_input(api: Api, name: str, data: Any) -> None:
    document, variables = MUTATIONS[name]
    caller = await make_user(Role.CANTON_ADMIN)

    status, body = await send(api, f"mutation {document}", data.draw(variables), user=caller)

    assert_answered(status, body, name)


@pytest.mark.parametrize("name", QUERIES)
@BOUNDED
@given(data=st.data())
async def test_every_query_argument_answers_arbitrary_input(api: Api, name: str, data: Any) -> None:
    document, variables = QUERIES[name]
    caller = await make_user(Role.CANTON_ADMIN)

    status, body = await send(api, f"query {document}", data.draw(variables), user=caller)

    assert_answered(status, body, None)


@BOUNDED
@given(document=strings)
async def test_arbitrary_documents_are_answered(api: Api, document: str) -> None:
    status, body = await send(api, document, None)

    assert_answered(status, body, None)


@BOUNDED
@given(body=st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode())))
async def test_arbitrary_bodies_are_answered(api: Api, body: bytes) -> None:
    response = await api.client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code in (200, 400)
    assert all(e["extensions"]["code"] in CODES for e in response.json().get("errors", []))


def outcome(call: Callable[[], T], refusal: type[Exception]) -> tuple[T | None, str | None]:
    """What a validator did: its result, or the message of the one exception it may raise."""
    try:
        return call(), None
    except refusal as refused:
        extensions = getattr(refused, "extensions", None)
        assert extensions in (None, {"code": "BAD_USER_INPUT"})
        return None, str(refused)


@given(raw=strings)
def test_the_address_validator_either_cleans_or_says_why(raw: str) -> None:
    cleaned, refused = outcome(lambda: email.clean(raw), ValueError)

    if cleaned is None:
        assert refused
    else:
        assert cleaned == cleaned.strip()
        assert "@" in cleaned
        ascii_upper = "".join(c.upper() if c.isascii() else c for c in cleaned)
        assert email.normalized(ascii_upper) == email.normalized(cleaned)
        assert len(email.normalized(cleaned)) <= email.MAX_LENGTH


@given(raw=strings)
def test_the_name_validator_either_cleans_or_says_why(raw: str) -> None:
    cleaned, refused = outcome(lambda: text.clean_name(raw), ValueError)

    if cleaned is None:
        assert refused
    else:
        assert len(cleaned) <= text.NAME_MAX_LENGTH
        assert text.clean_name(cleaned) == cleaned


@given(cursor=st.one_of(strings, cursors.filter(lambda c: c is not None)))
def test_a_cursor_is_either_read_or_the_clients_error(cursor: str) -> None:
    values, refused = outcome(
        lambda: pagination.decode_cursor(cursor, ("search_name", "id")), BadUserInput
    )

    if values is None:
        assert refused == "`after` is not a valid cursor."
    else:
        assert isinstance(values[0], str)
        assert 0 <= values[1] <= ids.MAX_ID


@given(name=st.text(max_size=50).filter(text.is_storable), row=st.integers(0, ids.MAX_ID))
def test_every_cursor_we_make_reads_back(name: str, row: int) -> None:
    cursor = pagination.encode_cursor([name, row])

    assert pagination.decode_cursor(cursor, ("n", "id")) == [name, row]


@given(global_id=node_ids, expected=node_types)
def test_an_id_is_either_read_or_the_clients_error(global_id: str, expected: str) -> None:
    node_id, refused = outcome(lambda: ids.decode(global_id, expected), BadUserInput)

    if node_id is None:
        assert refused
    else:
        assert 0 <= node_id <= ids.MAX_ID


@given(accept=st.one_of(st.none(), strings))
def test_any_accept_header_picks_one_of_the_two_media_types(accept: str | None) -> None:
    assert media.preferred(accept) in (media.JSON, media.GRAPHQL_RESPONSE)


@given(params=json_values)
def test_any_parameters_are_either_a_request_or_the_clients_error(params: object) -> None:
    request, refused = outcome(
        lambda: graphql_params.request_data(params), graphql_params.InvalidParameters
    )

    if request is None:
        assert refused
    else:
        assert isinstance(request.query, str)
        assert text.is_storable(request.query)


def segment(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=300)
forged_tokens = st.builds(
    lambda header, claims, signature: f"{segment(header)}.{segment(claims)}.{signature}",
    json_values,
    st.one_of(json_values, st.fixed_dictionaries({"iss": strings}, optional={"kid": strings})),
    header_text,
)


@BOUNDED
@given(authorization=st.one_of(header_text, forged_tokens.map(lambda t: f"Bearer {t}")))
async def test_any_authorization_header_is_answered(api: Api, authorization: str) -> None:
    response = await api.client.post(
        "/graphql",
        json={"query": "{ me { user { id } } }"},
        headers={"Authorization": authorization},
    )

    assert response.status_code in (200, 401), response.text
    assert all(e["extensions"]["code"] in CODES for e in response.json().get("errors", []))
