"""GraphQL over HTTP: media types, status codes, parameters, and the graphql-http audit."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.role import Role
from models.sponsor import Sponsor
from tests.support import server
from tests.support.builders import make_user
from tests.support.idp import TestIdentityProvider
from tests.support.operations import REGISTER_SPONSOR

MODERN = "application/graphql-response+json"
AUDIT_DIR = server.ROOT / "tests" / "graphql-http-audit"


async def post(
    client: httpx.AsyncClient, body: Any, *, accept: str | None = None
) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if accept is not None:
        headers["Accept"] = accept
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await client.post("/graphql", content=content, headers=headers)


async def test_a_client_that_asks_for_the_graphql_response_media_type_gets_it(
    client: httpx.AsyncClient,
) -> None:
    response = await post(client, {"query": "{ __typename }"}, accept=MODERN)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(MODERN)
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "text/html, */*;q=0.8"])
async def test_other_clients_get_plain_json(client: httpx.AsyncClient, accept: str | None) -> None:
    response = await post(client, {"query": "{ __typename }"}, accept=accept)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


async def test_json_ranked_above_the_graphql_media_type_wins(client: httpx.AsyncClient) -> None:
    response = await post(
        client, {"query": "{ __typename }"}, accept=f"{MODERN};q=0.5, application/json"
    )

    assert response.headers["content-type"] == "application/json"


REQUEST_ERRORS = {
    "syntax": ({"query": "{ me { "}, "Syntax Error"),
    "validation": ({"query": "{ noSuchField }"}, "Cannot query field 'noSuchField'"),
    "variables": (
        {
            "query": "query ($d: Date) { publicInstitutions(filter: {availableOn: $d}) "
            "{ edges { cursor } } }",
            "variables": {"d": "31.12.2024"},
        },
        "Value cannot represent a Date",
    ),
}


@pytest.mark.parametrize("kind", REQUEST_ERRORS)
async def test_a_request_that_never_reaches_execution_is_a_400_without_data(
    client: httpx.AsyncClient, kind: str
) -> None:
    body, says = REQUEST_ERRORS[kind]

    response = await post(client, body, accept=MODERN)

    assert response.status_code == 400
    answer = response.json()
    assert "data" not in answer
    assert says in answer["errors"][0]["message"]
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("kind", REQUEST_ERRORS)
async def test_legacy_json_clients_get_the_same_request_errors_with_200(
    client: httpx.AsyncClient, kind: str
) -> None:
    body, says = REQUEST_ERRORS[kind]

    response = await post(client, body, accept="application/json")

    assert response.status_code == 200
    assert says in response.json()["errors"][0]["message"]
    assert "data" not in response.json()


async def test_an_error_during_execution_keeps_200_and_the_data(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": "{ me { user { id } } sponsors { edges { cursor } } }"})

    assert response.status_code == 200
    assert response.json()["data"] == {"me": {"user": None}, "sponsors": None}
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_mutation_over_get_is_refused_with_405_and_changes_nothing(
    client: httpx.AsyncClient, idp: TestIdentityProvider
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    variables = {"input": {"name": "Kitas per GET", "adminEmail": "get@kitas.ch"}}

    response = await client.get(
        "/graphql",
        params={"query": REGISTER_SPONSOR, "variables": json.dumps(variables)},
        headers={"Authorization": f"Bearer {idp.token(email=canton.email)}", "Accept": MODERN},
    )

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await Sponsor.all().count() == 0


async def test_a_query_over_get_takes_its_variables_from_the_url(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/graphql",
        params={
            "query": "query ($first: Int) "
            "{ publicInstitutions(first: $first) { edges { cursor } } }",
            "variables": json.dumps({"first": 5}),
            "operationName": "",
        },
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"publicInstitutions": {"edges": []}}}


MALFORMED_BODIES = {
    "not JSON": b'{ "query": ',
    "not UTF-8": b'{"query": "\xff\xfe"}',
    "nested too deeply": b"[" * 100_000 + b"]" * 100_000,
    "a number": b"0",
    "a string": b'"{ __typename }"',
    "null": b"null",
    "a batch": b'[{"query": "{ __typename }"}]',
    "no query": b'{"qeury": "{ __typename }"}',
    "an empty query": b'{"query": "  "}',
    "query not a string": b'{"query": {"a": 1}}',
    "variables not an object": b'{"query": "{ __typename }", "variables": "x"}',
    "operationName not a string": b'{"query": "{ __typename }", "operationName": 1}',
    "extensions not an object": b'{"query": "{ __typename }", "extensions": []}',
    "unknown operationName": b'{"query": "query A { __typename }", "operationName": "B"}',
}


@pytest.mark.parametrize("kind", MALFORMED_BODIES)
async def test_a_malformed_body_is_a_400_in_the_shape_of_a_graphql_response(
    client: httpx.AsyncClient, kind: str
) -> None:
    response = await post(client, MALFORMED_BODIES[kind], accept=MODERN)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith(MODERN)
    (error,) = response.json()["errors"]
    assert error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_malformed_date_variable_says_what_is_wrong_instead_of_a_masked_fault(
    client: httpx.AsyncClient,
) -> None:
    response = await post(client, REQUEST_ERRORS["variables"][0])

    (error,) = response.json()["errors"]
    assert "31.12.2024" in error["message"]
    assert error["message"] != "Unerwarteter Fehler."


def test_the_endpoint_passes_every_graphql_over_http_audit(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    assert (AUDIT_DIR / "node_modules" / "graphql-http").is_dir(), (
        "run `make install` (npm ci in tests/graphql-http-audit)"
    )

    with server.running(tmp_path) as running:
        audit = subprocess.run(  # noqa: S603
            [node, "audit.mjs", f"{running.url}/graphql"],
            cwd=AUDIT_DIR,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    summary = json.loads(audit.stdout.strip().splitlines()[-1])
    assert summary["total"] >= 61, audit.stdout
    assert summary["ok"] == summary["total"], audit.stdout
    assert audit.returncode == 0
