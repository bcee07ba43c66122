"""Automatic persisted queries (Apollo's protocol) and trusted documents: a document named by
its hash takes the same path, and the same checks, as one sent in full."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse, print_ast

from settings import ConfigurationError, Settings
from tests.support.apps import client_for, with_http
from web.persisted_queries import PersistedQueries

ROOT = Path(__file__).resolve().parent.parent
QUERY = "{ publicInstitutions { edges { cursor } } }"
OTHER = "query Other { publicInstitutions(first: 1) { edges { cursor } } }"


def sha(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def persisted(document: str, *, with_query: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(document)}}
    }
    if with_query:
        body["query"] = document
    return body


async def test_an_unknown_hash_asks_for_the_query_then_the_hash_alone_is_answered(
    client: httpx.AsyncClient,
) -> None:
    unknown = await client.post("/graphql", json=persisted(QUERY, with_query=False))
    registered = await client.post("/graphql", json=persisted(QUERY, with_query=True))
    by_hash = await client.post("/graphql", json=persisted(QUERY, with_query=False))

    assert unknown.status_code == 200  # a 400 would make Apollo's link give persisted queries up
    (error,) = unknown.json()["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert registered.json() == {"data": {"publicInstitutions": {"edges": []}}}
    assert by_hash.json() == registered.json()


async def test_a_hash_alone_works_over_get_as_apollo_sends_it(client: httpx.AsyncClient) -> None:
    document = "query ByGet { publicInstitutions { edges { cursor } } }"
    await client.post("/graphql", json=persisted(document, with_query=True))

    response = await client.get(
        "/graphql",
        params={"extensions": json.dumps(persisted(document, with_query=False)["extensions"])},
        headers={"Accept": "application/graphql-response+json"},
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"publicInstitutions": {"edges": []}}}


async def test_a_hash_that_is_not_the_querys_is_refused_and_stores_nothing(
    client: httpx.AsyncClient,
) -> None:
    lying = {**persisted(OTHER, with_query=False), "query": QUERY}

    refused = await client.post("/graphql", json=lying)
    afterwards = await client.post("/graphql", json=persisted(OTHER, with_query=False))

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert afterwards.json()["errors"][0]["message"] == "PersistedQueryNotFound"


@pytest.mark.parametrize(
    "extensions",
    [
        {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}},
        {"persistedQuery": {"version": 1, "sha256Hash": "XYZ"}},
        {"persistedQuery": "yes"},
    ],
)
async def test_a_malformed_persisted_query_extension_is_the_clients_error(
    client: httpx.AsyncClient, extensions: dict[str, Any]
) -> None:
    response = await client.post("/graphql", json={"extensions": extensions})

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_the_store_is_bounded_and_forgets_the_least_recently_used() -> None:
    store = PersistedQueries(capacity=2)
    documents = ["{ a }", "{ b }", "{ c }"]
    for document in documents[:2]:
        store.document(document, persisted(document, with_query=False)["extensions"])
    store.document(None, persisted("{ a }", with_query=False)["extensions"])  # a is used again
    store.document("{ c }", persisted("{ c }", with_query=False)["extensions"])

    assert list(store.stored.values()) == ["{ a }", "{ c }"]


async def test_a_persisted_document_meets_the_same_limits_as_one_sent_in_full(
    client: httpx.AsyncClient,
) -> None:
    aliased = "{ " + " ".join(f"a{n}: __typename" for n in range(16)) + " }"
    mutation = 'mutation { acceptInvitation(token: "x") { __typename } }'
    await client.post("/graphql", json=persisted(aliased, with_query=True))
    await client.post("/graphql", json=persisted(mutation, with_query=True))

    too_many = await client.post("/graphql", json=persisted(aliased, with_query=False))
    over_get = await client.get(
        "/graphql",
        params={"extensions": json.dumps(persisted(mutation, with_query=False)["extensions"])},
        headers={"Accept": "application/json"},
    )

    assert "Aliase" in too_many.json()["errors"][0]["message"]
    assert too_many.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert over_get.status_code == 405


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "trusted.json"
    path.write_text(json.dumps({sha(QUERY): QUERY}))
    return path


async def test_trusted_documents_run_by_hash_or_in_full_and_nothing_else(
    settings: Settings, manifest: Path
) -> None:
    async with client_for(with_http(settings, trusted_documents=manifest)) as client:
        by_hash = await client.post("/graphql", json=persisted(QUERY, with_query=False))
        in_full = await client.post("/graphql", json={"query": QUERY})
        other = await client.post("/graphql", json={"query": OTHER})
        registering = await client.post("/graphql", json=persisted(OTHER, with_query=True))
        other_by_hash = await client.post("/graphql", json=persisted(OTHER, with_query=False))

    assert by_hash.json() == {"data": {"publicInstitutions": {"edges": []}}}
    assert in_full.json() == by_hash.json()
    for refused in (other, registering, other_by_hash):
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_TRUSTED"


def test_a_trusted_documents_file_that_is_not_a_manifest_is_refused_at_start(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "trusted.json"
    broken.write_text(json.dumps({"short": QUERY}))

    with pytest.raises(ConfigurationError, match=r"^KIBON_TRUSTED_DOCUMENTS: "):
        Settings.from_env({"KIBON_DEV_LOGIN": "on", "KIBON_TRUSTED_DOCUMENTS": str(broken)})


def write_manifest(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (this interpreter, this project's main.py)
        [sys.executable, "main.py", "trusted-documents", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


async def test_the_manifest_command_writes_every_example_operation_and_a_frontends_own(
    settings: Settings, tmp_path: Path
) -> None:
    frontend = tmp_path / "frontend.graphql"
    frontend.write_text(OTHER)
    output = tmp_path / "trusted.json"

    written = await asyncio.to_thread(write_manifest, "-o", str(output), str(frontend))
    documents = json.loads(output.read_text())
    loaded = Settings.from_env({"KIBON_DEV_LOGIN": "on", "KIBON_TRUSTED_DOCUMENTS": str(output)})
    async with client_for(loaded) as client:
        family_portal = next(d for d in documents.values() if "publicInstitutions" in d)
        answer = await client.post("/graphql", json={"query": family_portal})

    assert written.returncode == 0, written.stderr
    assert all(sha(document) == key for key, document in documents.items())
    assert sha(print_ast(parse(OTHER))) in documents
    assert len(documents) >= 14
    assert answer.status_code == 200
    assert "errors" not in answer.json()


def test_the_manifest_command_refuses_an_operation_the_schema_cannot_run(
    tmp_path: Path,
) -> None:
    frontend = tmp_path / "broken.graphql"
    frontend.write_text("query Broken { noSuchField }")

    refused = write_manifest("-o", str(tmp_path / "t.json"), str(frontend))

    assert refused.returncode == 2
    assert "noSuchField" in refused.stderr
    assert not (tmp_path / "t.json").exists()
