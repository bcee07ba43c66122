"""Bounded work per request: depth, aliases, tokens, page size, body size and time. Every limit
refuses before anything is written."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from models import invitation
from models.institution import InstitutionStatus
from models.role import Role
from models.sponsor import Sponsor
from schema.types import ids
from settings import Settings
from tests.support.api import Api
from tests.support.apps import client_for, with_http
from tests.support.builders import make_institution, make_sponsor, make_user

ONE_MIB = 1024 * 1024

CONTRACT_QUERIES = {
    "my sponsor's institutions with master data": """{ me { user { sponsor {
        institutions(first: 100) { edges { cursor node { id name status sponsor { name }
          masterData { address { organisation street houseNumber postalCode town }
            openingDays openingTime closingTime iban } } }
          pageInfo { hasNextPage endCursor } } } } } }""",
    "sponsors with their institutions": """{ sponsors(first: 100) { edges { node { id name
        institutions(first: 100) { edges { node { id name masterData { address { town } } } }
          pageInfo { hasNextPage } } } } pageInfo { endCursor } } }""",
    "users with their scope": """{ users(first: 100) { edges { node { id email role status
        sponsor { name } institution { name sponsor { name } } } } } }""",
    "invitations with their scope": """{ invitations(first: 100) { edges { node { id email role
        status deliveryStatus expiresAt sponsor { name } institution { name sponsor { name } } }
      } } }""",
    "a node": """query ($id: ID!) { node(id: $id) { id ... on Sponsor { name
        institutions(first: 10) { edges { node { masterData { address { street } } } } } } } }""",
    "the family portal": """{ publicInstitutions(first: 100) { edges { cursor node { id name
        careType status sponsor { name } address { organisation street houseNumber postalCode
        town } contactEmail phone website } } pageInfo { hasNextPage endCursor } } }""",
}


def register(fields: str) -> str:
    return f"mutation ($input: RegisterSponsorInput!) {{ {fields} }}"


def register_field(alias: str = "", selection: str = "") -> str:
    return f"{alias} registerSponsor(input: $input) {{ __typename {selection} }}"


def nested(*fields: str) -> str:
    """`a { b { c } }` from `("a", "b", "c")`."""
    text = fields[-1]
    for field in reversed(fields[:-1]):
        text = f"{field} {{ {text} }}"
    return text


CONNECTION = ("institutions", "edges", "node", "sponsor")
DEEP_PATH = nested("sponsor", *CONNECTION, *CONNECTION, "institutions", "edges", "cursor")
DEEP_SELECTION = f"... on RegisterSponsorSuccess {{ {DEEP_PATH} }}"  # registerSponsor + 11
INPUT = {"input": {"name": "Kitas Grenzfall", "adminEmail": "grenze@kitas.ch"}}


@pytest.mark.parametrize("name", CONTRACT_QUERIES)
async def test_every_query_the_portals_need_fits_the_depth_limit(api: Api, name: str) -> None:
    sponsor = await make_sponsor()
    await make_institution(sponsor=sponsor, status=InstitutionStatus.ACTIVE)
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    canton = await make_user(Role.CANTON_ADMIN)
    variables = (
        {"id": ids.encode("Sponsor", sponsor.id)} if "$id" in CONTRACT_QUERIES[name] else None
    )

    result = await api(
        CONTRACT_QUERIES[name], variables, user=admin if name.startswith("my") else canton
    )

    result.ok()


async def refused_before_anything_ran(api: Api, document: str) -> dict[str, Any]:
    canton = await make_user(Role.CANTON_ADMIN)

    result = await api(document, INPUT, user=canton)

    assert result.status == 200
    assert result.data is None
    assert await Sponsor.all().count() == 0
    (error,) = result.errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    return dict(error)


async def test_an_operation_deeper_than_ten_is_refused_before_any_resolver_runs(
    api: Api,
) -> None:
    document = register(register_field(selection=DEEP_SELECTION))

    error = await refused_before_anything_ran(api, document)

    assert error["message"] == "Die Operation ist tiefer als 10 Ebenen verschachtelt."


async def test_more_than_fifteen_aliases_are_refused_before_any_resolver_runs(api: Api) -> None:
    fields = " ".join(register_field(f"a{n}:") for n in range(16))

    error = await refused_before_anything_ran(api, register(fields))

    assert error["message"] == "Die Operation hat mehr als 15 Aliase."


async def test_fifteen_aliases_are_allowed(api: Api) -> None:
    fields = " ".join(f"a{n}: __typename" for n in range(15))

    result = await api(f"{{ {fields} }}")

    assert result.ok()["a14"] == "Query"


async def test_a_document_of_more_than_2000_tokens_is_refused_before_any_resolver_runs(
    api: Api,
) -> None:
    padding = " ".join(["__typename"] * 2000)

    error = await refused_before_anything_ran(api, register(register_field(selection=padding)))

    assert error["message"] == "Die Operation hat mehr als 2000 Token."


@pytest.mark.parametrize("first", [101, -1, 2**31 - 1])
async def test_a_page_larger_than_100_is_the_clients_error(api: Api, first: int) -> None:
    result = await api(
        "query ($first: Int) { publicInstitutions(first: $first) { edges { cursor } } }",
        {"first": first},
    )

    assert result.data is None
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["message"] == "`first` muss zwischen 0 und 100 liegen."


async def test_a_page_of_100_is_allowed(api: Api) -> None:
    result = await api("{ publicInstitutions(first: 100) { edges { cursor } } }")

    assert result.ok() == {"publicInstitutions": {"edges": []}}


def registration_body(size: int) -> bytes:
    body = json.dumps({"query": register(register_field()), "variables": INPUT})
    return body.encode().ljust(size)  # JSON allows trailing whitespace


async def post_as_canton(
    client: httpx.AsyncClient, api: Api, content: bytes | AsyncIterator[bytes]
) -> httpx.Response:
    canton = await make_user(Role.CANTON_ADMIN)
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {api.token_for(canton)}",
    }
    return await client.post("/graphql", content=content, headers=headers)


async def test_a_body_over_one_mebibyte_is_refused_with_413_before_it_is_read(
    client: httpx.AsyncClient, api: Api
) -> None:
    response = await post_as_canton(client, api, registration_body(ONE_MIB + 1))

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await Sponsor.all().count() == 0


async def test_a_chunked_body_over_one_mebibyte_is_refused_with_413(
    client: httpx.AsyncClient, api: Api
) -> None:
    body = registration_body(ONE_MIB + 1)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    response = await post_as_canton(client, api, chunks())

    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert response.status_code == 413
    assert await Sponsor.all().count() == 0


async def test_a_body_of_exactly_one_mebibyte_is_accepted(
    client: httpx.AsyncClient, api: Api
) -> None:
    response = await post_as_canton(client, api, registration_body(ONE_MIB))

    assert response.status_code == 200
    assert response.json()["data"]["registerSponsor"]["__typename"] == "RegisterSponsorSuccess"


async def test_a_request_over_its_time_limit_gets_504_and_leaves_nothing_half_written(
    settings: Settings, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_issue = invitation.issue

    async def slow_issue(**arguments: Any) -> invitation.Invitation:
        await asyncio.sleep(5)  # the sponsor row is already written, the transaction open
        return await real_issue(**arguments)

    monkeypatch.setattr(invitation, "issue", slow_issue)

    async with client_for(with_http(settings, request_timeout_seconds=0.5)) as client:
        response = await post_as_canton(client, api, registration_body(0))

    assert response.status_code == 504
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert "0.5 Sekunden" in response.json()["errors"][0]["message"]
    assert await Sponsor.all().count() == 0
