"""The GraphiQL page at GET /graphql: our own, with nothing loaded from another origin."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from schema.root import schema
from web.graphiql import examples
from web.graphiql import page as graphiql

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
REFERENCE = re.compile(r'(?:src|href)="([^"]+)"')


async def test_the_page_references_only_assets_of_this_server(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers=BROWSER)

    references = REFERENCE.findall(response.text)
    assert response.headers["content-type"].startswith("text/html")
    if not graphiql.is_installed():
        pytest.skip("GraphiQL's assets are not installed: run `make assets`")
    assert references
    assert all(reference.startswith("graphiql-assets/") for reference in references)


async def test_the_page_forbids_every_other_origin(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers=BROWSER)

    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "connect-src 'self'" in policy


async def test_every_asset_the_page_references_is_served(client: httpx.AsyncClient) -> None:
    if not graphiql.is_installed():
        pytest.skip("GraphiQL's assets are not installed: run `make assets`")
    page = await client.get("/graphql", headers=BROWSER)

    responses = [await client.get(f"/{path}") for path in REFERENCE.findall(page.text)]

    assert [response.status_code for response in responses] == [200] * len(responses)


async def test_a_browser_following_a_query_link_gets_graphiql(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql", params={"query": "{ me { user { id } } }"}, headers=BROWSER
    )

    assert response.headers["content-type"].startswith("text/html")


async def test_a_program_that_accepts_anything_still_gets_the_result_of_a_get_query(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/graphql", params={"query": "{ me { user { id } } }"}, headers={"Accept": "*/*"}
    )

    assert response.json() == {"data": {"me": {"user": None}}}


def test_the_default_tabs_are_the_examples_valid_on_this_schema() -> None:
    tabs = graphiql.default_tabs(schema._schema)

    offered = {example.text: example.path.stem for example in examples.load()}
    stems = {offered[tab["query"]] for tab in tabs}
    assert {"register-sponsor-and-institution", "accept-invitation", "family-portal"} <= stems
    assert all(
        not example.problems(schema._schema)
        for example in examples.load()
        if example.path.stem in stems
    )


async def test_without_its_assets_the_page_says_how_to_install_them(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(graphiql, "ASSETS", tmp_path)

    response = await client.get("/graphql", headers=BROWSER)

    assert "make assets" in response.text
    assert "graphiql-assets/" not in response.text
