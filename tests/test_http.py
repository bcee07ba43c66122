"""The HTTP surface: GraphQL route, GraphiQL, health, development sign-in."""

from __future__ import annotations

import httpx

from settings import Settings
from tests.support.api import Api
from web.app import create_app


async def test_graphql_answers_at_its_path_without_a_redirect(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ me { user { id } } }"})

    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"user": None}}}
    assert response.headers["x-request-id"]


async def test_a_browser_get_shows_graphiql(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_a_query_over_get_works(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql",
        params={"query": "{ me { user { id } } }"},
        headers={"Accept": "application/json"},
    )

    assert response.json() == {"data": {"me": {"user": None}}}


async def test_healthz_checks_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "up"


async def test_dev_token_signs_in_through_the_same_verification(
    client: httpx.AsyncClient, api: Api
) -> None:
    issued = await client.post("/dev/token", json={"email": "neu@example.ch", "given_name": "Neu"})

    result = await api(
        "{ me { user { email firstName role } } }", token=issued.json()["access_token"]
    )

    assert result.ok()["me"]["user"] == {
        "email": "neu@example.ch",
        "firstName": "Neu",
        "role": "APPLICANT",
    }


async def test_dev_token_refuses_an_invalid_address(client: httpx.AsyncClient) -> None:
    response = await client.post("/dev/token", json={"email": "not an address"})

    assert response.status_code == 400


async def test_dev_invitation_page_reads_the_token_from_the_fragment_only(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/invitation")
    script = await client.get("/dev/invitation.js")

    assert page.status_code == 200
    assert 'src="/dev/invitation.js"' in page.text
    assert "location.hash" in script.text
    assert "acceptInvitation" in script.text


async def test_without_dev_login_the_development_routes_do_not_exist(database_url: str) -> None:
    app = create_app(Settings.from_env({}), run_mail_worker=False)
    transport = httpx.ASGITransport(app=app)

    async with httpx.AsyncClient(transport=transport, base_url="http://kibon.test") as client:
        token = await client.post("/dev/token", json={"email": "a@example.ch"})
        mail = await client.get("/dev/mail")

    assert (token.status_code, mail.status_code) == (404, 404)


async def test_a_query_the_schema_refuses_says_why_with_bad_user_input(api: Api) -> None:
    unknown_field = await api("{ me { nonsense } }")
    bad_variable = await api(
        "query ($f: PublicInstitutionFilter) "
        "{ publicInstitutions(filter: $f) { edges { cursor } } }",
        {"f": {"careType": "ZOO"}},
    )
    unparsable = await api("{ me { ")

    for result in (unknown_field, bad_variable, unparsable):
        assert result.codes == ["BAD_USER_INPUT"]
        assert result.errors[0]["message"] != "Unerwarteter Fehler."
