"""Transport rules: JSON only, CORS for the configured portals, security headers, and the
switches for GraphiQL, introspection and field suggestions."""

from __future__ import annotations

import json

import httpx
import pytest

from models.role import Role
from models.sponsor import Sponsor
from settings import ConfigurationError, HttpSettings, Settings
from tests.support.apps import client_for, with_http
from tests.support.builders import make_user
from tests.support.idp import TestIdentityProvider
from tests.support.operations import REGISTER_SPONSOR
from web.headers import API_POLICY, secured

PORTAL = "https://portal.kibon.be.ch"
REGISTRATION = json.dumps(
    {
        "query": REGISTER_SPONSOR,
        "variables": {"input": {"name": "Kitas Formular", "adminEmail": "form@kitas.ch"}},
    }
)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,
        "application/graphql",
        "application/json-patch+json",
    ],
)
async def test_a_post_that_is_not_json_is_refused_with_415_and_changes_nothing(
    client: httpx.AsyncClient, idp: TestIdentityProvider, content_type: str | None
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    headers = {"Authorization": f"Bearer {idp.token(email=canton.email)}"}
    if content_type is not None:
        headers["Content-Type"] = content_type

    response = await client.post("/graphql", content=REGISTRATION.encode(), headers=headers)

    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await Sponsor.all().count() == 0


async def test_json_with_a_charset_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={"Content-Type": "Application/JSON; charset=utf-8"},
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/graphql"), ("GET", "/healthz"), ("GET", "/nowhere"), ("PUT", "/graphql")],
)
async def test_every_answer_carries_the_security_headers(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path, json={"query": "{ __typename }"})

    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


def test_the_security_headers_replace_theirs_and_keep_an_answers_own_policy() -> None:
    page_policy = b"default-src 'self'"
    answer = [(b"Referrer-Policy", b"origin"), (b"content-security-policy", page_policy)]

    headers = secured(answer)

    assert sorted(headers) == [
        (b"cache-control", b"no-store"),
        (b"content-security-policy", page_policy),
        (b"referrer-policy", b"no-referrer"),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
    ]
    assert (b"content-security-policy", API_POLICY) in secured([])


async def test_a_refused_sign_in_carries_the_security_headers_too(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": "Bearer nonsense"}
    )

    assert response.status_code == 401
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_the_graphiql_page_loads_scripts_from_this_server_only(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})

    policy = response.headers["content-security-policy"]
    scripts = policy.split("script-src", 1)[1].split(";", 1)[0]
    assert scripts.strip() == "'self'"
    assert "connect-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


async def test_graphiql_can_be_turned_off(settings: Settings) -> None:
    async with client_for(with_http(settings, graphiql=False)) as client:
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        query = await client.post("/graphql", json={"query": "{ __typename }"})

    assert page.status_code == 404
    assert "graphiql" not in page.text.lower()
    assert query.json() == {"data": {"__typename": "Query"}}


async def test_introspection_can_be_turned_off_before_any_resolver_runs(
    settings: Settings,
) -> None:
    async with client_for(with_http(settings, introspection=False)) as client:
        schema = await client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        one_type = await client.post(
            "/graphql", json={"query": '{ __type(name: "User") { name } }'}
        )
        typename = await client.post("/graphql", json={"query": "{ __typename }"})

    for refused in (schema, one_type):
        assert "data" not in refused.json()
        assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "introspection" in refused.json()["errors"][0]["message"].lower()
    assert typename.json() == {"data": {"__typename": "Query"}}


async def test_introspection_is_on_by_default(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": '{ __type(name: "User") { name } }'})

    assert response.json() == {"data": {"__type": {"name": "User"}}}


@pytest.mark.parametrize(
    "query",
    [
        "{ sponsorz { edges { cursor } } }",
        "{ publicInstitutions(frist: 1) { edges { cursor } } }",
        "{ publicInstitutions(filter: { careTyp: DAY_SCHOOL }) { edges { cursor } } }",
        "query ($f: PublicInstitutionFiltr) { publicInstitutions(filter: $f) { pageInfo { "
        "hasNextPage } } }",
    ],
)
async def test_field_suggestions_can_be_turned_off(settings: Settings, query: str) -> None:
    async with client_for(with_http(settings, field_suggestions=False)) as client:
        hidden = await client.post("/graphql", json={"query": query})
    async with client_for(settings) as client:
        shown = await client.post("/graphql", json={"query": query})

    assert "Did you mean" in shown.json()["errors"][0]["message"]
    assert "Did you mean" not in hidden.json()["errors"][0]["message"]
    assert hidden.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_cors_allows_only_the_configured_portals(settings: Settings) -> None:
    preflight = {"Access-Control-Request-Method": "POST"}

    async with client_for(with_http(settings, cors_origins=(PORTAL,))) as client:
        allowed = await client.options("/graphql", headers={"Origin": PORTAL, **preflight})
        other = await client.options(
            "/graphql", headers={"Origin": "https://evil.example", **preflight}
        )
        simple = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": "https://evil.example"}
        )

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == PORTAL
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in allowed.headers
    assert "access-control-allow-origin" not in other.headers
    assert "access-control-allow-origin" not in simple.headers


async def test_every_answer_says_it_varies_by_origin_and_language_with_or_without_cors(
    settings: Settings,
) -> None:
    async with client_for(with_http(settings, cors_origins=(PORTAL,))) as client:
        plain = await client.post("/graphql", json={"query": "{ __typename }"})
        browser = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": PORTAL}
        )
        preflight = await client.options(
            "/graphql", headers={"Origin": PORTAL, "Access-Control-Request-Method": "POST"}
        )

    for answer in (plain, browser):
        assert {"Origin", "Accept-Language"} <= set(answer.headers["vary"].split(", "))
        assert len(answer.headers.get_list("vary")) == 1
    assert browser.headers["access-control-allow-origin"] == PORTAL
    assert "access-control-allow-origin" not in plain.headers
    # A preflight is answered in the perimeter too: with its id and the security headers.
    assert preflight.headers["x-content-type-options"] == "nosniff"
    assert preflight.headers["x-request-id"]


async def test_cors_allows_no_origin_by_default(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": PORTAL}
    )

    assert "access-control-allow-origin" not in response.headers


def test_the_transport_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "KIBON_DEV_LOGIN": "on",
            "KIBON_CORS_ORIGINS": f" {PORTAL}/ , http://localhost:5173",
            "KIBON_GRAPHIQL": "off",
            "KIBON_INTROSPECTION": "false",
            "KIBON_FIELD_SUGGESTIONS": "0",
            "KIBON_MAX_BODY_BYTES": "2048",
            "KIBON_REQUEST_TIMEOUT_SECONDS": "2.5",
        }
    ).http

    assert settings == HttpSettings(
        max_body_bytes=2048,
        request_timeout_seconds=2.5,
        cors_origins=(PORTAL, "http://localhost:5173"),
        graphiql=False,
        introspection=False,
        field_suggestions=False,
    )


def test_the_transport_settings_have_safe_defaults() -> None:
    settings = Settings.from_env({"KIBON_DEV_LOGIN": "on"}).http

    assert settings.cors_origins == ()
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.request_timeout_seconds == 30


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("KIBON_CORS_ORIGINS", "*"),
        ("KIBON_CORS_ORIGINS", "https://*.be.ch"),
        ("KIBON_CORS_ORIGINS", "portal.kibon.be.ch"),
        ("KIBON_CORS_ORIGINS", "https://portal.kibon.be.ch/path"),
        ("KIBON_GRAPHIQL", "maybe"),
        ("KIBON_REQUEST_TIMEOUT_SECONDS", "0"),
        ("KIBON_REQUEST_TIMEOUT_SECONDS", "soon"),
        ("KIBON_MAX_BODY_BYTES", "1"),
    ],
)
def test_unsafe_or_unreadable_transport_settings_are_refused(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({"KIBON_DEV_LOGIN": "on", name: value})


async def test_headers_larger_than_32_kib_in_all_are_refused_with_431(
    client: httpx.AsyncClient,
) -> None:
    padding = {f"X-Padding-{n}": "a" * 4096 for n in range(8)}  # 8 × 4 KiB and their names

    response = await client.post("/graphql", json={"query": "{ __typename }"}, headers=padding)

    assert response.status_code == 431
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_headers_of_an_ordinary_size_pass(client: httpx.AsyncClient) -> None:
    padding = {f"X-Padding-{n}": "a" * 4096 for n in range(6)}

    response = await client.post("/graphql", json={"query": "{ __typename }"}, headers=padding)

    assert response.json() == {"data": {"__typename": "Query"}}
