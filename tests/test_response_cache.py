"""The family portal's response cache: fast, and exactly as fresh as the database."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from engine.metrics import REGISTRY
from i18n import Language
from models import clock
from models.role import Role
from schema.types import ids
from settings import Settings
from tests.support import database
from tests.support.api import Api
from tests.support.apps import with_http
from tests.support.builders import make_institution, make_user
from tests.support.operations import PUBLIC_INSTITUTIONS
from tests.support.sql import statements
from web.app import create_app
from web.kept_answers import MAX_BODY_BYTES, sent
from web.persisted_queries import sha256_of
from web.response_cache import MAX_BYTES, Answer, PublicResponseCache, is_public_query, may_write

postgres_only = pytest.mark.skipif(not database.is_postgres(), reason="NOTIFY is PostgreSQL's")


@contextlib.asynccontextmanager
async def listening(settings: Settings, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its cache listening for notifications (on PostgreSQL)."""
    app = create_app(settings, run_mail_worker=False)
    cache: PublicResponseCache = app.state.public_cache
    async with cache.listening_to(database_url):
        for _ in range(100):
            if cache.listening or not database.is_postgres():
                break
            await asyncio.sleep(0.01)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kibon.test") as client:
            yield client


@pytest.fixture
async def portal(settings: Settings, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with listening(settings, database_url) as client:
        yield client


async def names(client: httpx.AsyncClient, **headers: str) -> list[str]:
    response = await client.post("/graphql", json={"query": PUBLIC_INSTITUTIONS}, headers=headers)
    edges = response.json()["data"]["publicInstitutions"]["edges"]
    return [edge["node"]["name"] for edge in edges]


@postgres_only
async def test_a_repeated_anonymous_portal_query_is_answered_without_sql(
    portal: httpx.AsyncClient,
) -> None:
    await make_institution(name="Kita Sonne")
    await asyncio.sleep(0.1)  # the write's notification arrives before the answer is kept
    first = await names(portal)

    with statements() as sent:
        second = await names(portal)

    assert first == second == ["Kita Sonne"]
    assert sent == []


@postgres_only
async def test_a_write_committed_elsewhere_is_seen_by_the_next_response(
    portal: httpx.AsyncClient, database_url: str
) -> None:
    kita = await make_institution(name="Kita Sonne")
    await names(portal)
    elsewhere = await asyncpg.connect(database_url)  # another process, as far as we can tell

    await elsewhere.execute("UPDATE institution SET name = 'Kita Mond' WHERE id = $1", kita.id)
    started = time.monotonic()
    seen = await names(portal)
    while seen != ["Kita Mond"] and time.monotonic() - started < 1:
        await asyncio.sleep(0.005)
        seen = await names(portal)
    await elsewhere.close()

    assert seen == ["Kita Mond"]
    assert time.monotonic() - started < 0.5


@postgres_only
async def test_a_write_through_the_orm_invalidates_too(portal: httpx.AsyncClient) -> None:
    await names(portal)

    await make_institution(name="Neu")
    await asyncio.sleep(0.05)

    assert await names(portal) == ["Neu"]


@postgres_only
async def test_signed_in_requests_are_never_answered_from_the_cache(
    portal: httpx.AsyncClient, api: Api
) -> None:
    await make_institution(name="Kita Sonne")
    await names(portal)
    token = api.token_for(await make_user(Role.CANTON_CLERK))

    with statements() as sent:
        seen = await names(portal, Authorization=f"Bearer {token}")

    assert seen == ["Kita Sonne"]
    assert any("institution" in statement for statement in sent)


async def test_without_notifications_nothing_is_cached(settings: Settings) -> None:
    await make_institution(name="Kita Sonne")
    app = create_app(settings, run_mail_worker=False)  # not listening
    transport = httpx.ASGITransport(app=app)

    async with httpx.AsyncClient(transport=transport, base_url="http://kibon.test") as client:
        await names(client)
        with statements() as sent:
            await names(client)

    assert len(sent) >= 1


@postgres_only
async def test_a_period_ending_today_leaves_the_cached_answer_at_midnight_in_bern(
    portal: httpx.AsyncClient,
) -> None:
    await make_institution(name="Bis Silvester", vouchers_until=date(2026, 12, 31))
    evening = datetime(2026, 12, 31, 22, 59, tzinfo=UTC)  # 23:59 in Bern

    with clock.travel(evening - clock.now()):
        first, cached = await names(portal), await names(portal)
    with clock.travel(evening + timedelta(minutes=2) - clock.now()):
        next_day = await names(portal)

    assert (first, cached, next_day) == (["Bis Silvester"], ["Bis Silvester"], [])


@postgres_only
async def test_one_public_institution_is_cached_and_as_fresh_as_the_list(
    portal: httpx.AsyncClient,
) -> None:
    kita = await make_institution(name="Kita Sonne")
    query = {
        "query": "query ($id: ID!) { publicInstitution(id: $id) { name } }",
        "variables": {"id": ids.encode("PublicInstitution", kita.id)},
    }
    await asyncio.sleep(0.05)  # the insert's own notification, so it cannot empty what follows

    await portal.post("/graphql", json=query)
    with statements() as sent:
        cached = (await portal.post("/graphql", json=query)).json()
    kita.set_name("Kita Mond")
    await kita.save()
    await asyncio.sleep(0.05)
    renamed = (await portal.post("/graphql", json=query)).json()

    assert sent == []
    assert cached["data"]["publicInstitution"] == {"name": "Kita Sonne"}
    assert renamed["data"]["publicInstitution"] == {"name": "Kita Mond"}


@postgres_only
async def test_a_withdrawn_institution_is_out_of_the_very_next_cached_answer(
    portal: httpx.AsyncClient, api: Api
) -> None:
    kita = await make_institution(name="Kita Doppelt")
    await make_institution(name="Kita Sonne")
    token = api.token_for(await make_user(Role.CANTON_CLERK))
    withdraw = "mutation ($id: ID!) { withdrawInstitution(id: $id) { __typename } }"
    before, cached = await names(portal), await names(portal)

    done = await portal.post(
        "/graphql",
        json={"query": withdraw, "variables": {"id": ids.encode("Institution", kita.id)}},
        headers={"Authorization": f"Bearer {token}"},
    )
    after = await names(portal)  # no wait: the writing process dropped its entries itself

    assert before == cached == ["Kita Doppelt", "Kita Sonne"]
    assert done.json()["data"]["withdrawInstitution"]["__typename"] == "WithdrawInstitutionSuccess"
    assert after == ["Kita Sonne"]


def test_an_answer_computed_across_an_invalidation_is_not_kept() -> None:
    cache = PublicResponseCache()
    cache.listening = True
    started = cache.generation

    cache.invalidate()  # a NOTIFY arriving while this answer was being computed
    cache.keep(("POST", b"{}"), Answer(200, [], b"{}"), size=2, generation=started)

    assert cache.entries == {}


def test_the_kept_answers_stay_within_their_bytes() -> None:
    cache = PublicResponseCache()
    cache.listening = True
    large = Answer(200, [(b"content-type", b"application/json")], b"x" * (MAX_BYTES // 4))

    for n in range(5):
        cache.keep(("POST", n), large, size=100, generation=cache.generation)

    assert list(cache.entries) == [("POST", 2), ("POST", 3), ("POST", 4)]
    assert cache.size == sum(size for _, size in cache.entries.values()) <= MAX_BYTES
    assert cache.get(("POST", 1)) is None
    assert cache.get(("POST", 4)) == large


def test_mutations_count_as_writes_queries_do_not() -> None:
    assert may_write("mutation { withdrawInstitution(id: 1) { __typename } }")
    assert not may_write("{ publicInstitutions { edges { cursor } } }")
    assert not may_write("query A { me { user { id } } }")


def test_only_queries_of_public_fields_qualify() -> None:
    assert is_public_query("{ publicInstitutions { edges { cursor } } }", None)
    assert is_public_query('{ publicInstitution(id: "x") { name } }', None)
    assert is_public_query("query P { __typename publicInstitutions { edges { cursor } } }", "P")
    assert not is_public_query(
        "{ publicInstitutions { edges { cursor } } me { user { id } } }", None
    )
    assert not is_public_query("mutation { registerSponsor }", None)
    assert not is_public_query("{ ...F } fragment F on Query { me { user { id } } }", None)
    assert not is_public_query("{ unparsable", None)
    assert not is_public_query("query P { publicInstitutions { totalCount } }", "Q")


def search(term: str) -> dict[str, object]:
    query = (
        f'{{ publicInstitutions(filter: {{search: "{term}"}}) {{ edges {{ node {{ name }} }} }} }}'
    )
    return {"query": query}


@postgres_only
async def test_a_search_with_two_spaces_does_not_answer_the_search_with_one(
    portal: httpx.AsyncClient,
) -> None:
    await make_institution(name="Kita Sonne Bern")
    await asyncio.sleep(0.1)  # the write's notification arrives before the answer is kept
    await portal.post("/graphql", json=search("sonne  bern"))

    response = await portal.post("/graphql", json=search("sonne bern"))

    edges = response.json()["data"]["publicInstitutions"]["edges"]
    assert [edge["node"]["name"] for edge in edges] == ["Kita Sonne Bern"]


@postgres_only
@pytest.mark.parametrize("extensions", [5, [], "x"])
async def test_a_cached_query_is_refused_with_what_the_uncached_one_is_refused_for(
    portal: httpx.AsyncClient, extensions: object
) -> None:
    await names(portal)
    body = {"query": PUBLIC_INSTITUTIONS, "extensions": extensions}

    response = await portal.post("/graphql", json=body)

    assert response.status_code == 400
    assert "data" not in response.json()
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@postgres_only
async def test_a_body_trickling_in_past_the_time_limit_gets_504_with_the_cache_on(
    settings: Settings, database_url: str
) -> None:
    body = json.dumps({"query": PUBLIC_INSTITUTIONS}).encode()

    async def trickle() -> AsyncIterator[bytes]:
        for start in range(0, 8):
            await asyncio.sleep(0.2)
            yield body[start : start + 1]
        yield body[8:]

    async with listening(with_http(settings, request_timeout_seconds=0.5), database_url) as client:
        await names(client)
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        started = time.monotonic()
        response = await client.post("/graphql", content=trickle(), headers=headers)

    assert response.status_code == 504
    assert time.monotonic() - started < 1.5


@postgres_only
async def test_a_cached_answer_carries_its_own_request_id_once(portal: httpx.AsyncClient) -> None:
    await names(portal)

    first = await portal.post("/graphql", json={"query": PUBLIC_INSTITUTIONS})
    second = await portal.post("/graphql", json={"query": PUBLIC_INSTITUTIONS})

    assert len(second.headers.get_list("x-request-id")) == 1
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@postgres_only
async def test_a_cached_answer_carries_the_security_headers(portal: httpx.AsyncClient) -> None:
    await names(portal)

    hit = await portal.post("/graphql", json={"query": PUBLIC_INSTITUTIONS})

    assert hit.headers["x-content-type-options"] == "nosniff"
    assert hit.headers["referrer-policy"] == "no-referrer"


@postgres_only
async def test_with_trusted_documents_the_cache_answers_no_document_the_manifest_lacks(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    manifest = tmp_path / "trusted.json"
    manifest.write_text(json.dumps({sha256_of(PUBLIC_INSTITUTIONS): PUBLIC_INSTITUTIONS}))
    app = create_app(with_http(settings, trusted_documents=manifest), run_mail_worker=False)
    respaced = " ".join(PUBLIC_INSTITUTIONS.split()) + " "  # the cache's key, another document
    transport = httpx.ASGITransport(app=app)
    async with (
        app.state.public_cache.listening_to(database_url),
        httpx.AsyncClient(transport=transport, base_url="http://kibon.test") as client,
    ):
        await make_institution(name="Kita Sonne")
        trusted = [
            await client.post("/graphql", json={"query": PUBLIC_INSTITUTIONS}) for _ in range(2)
        ]
        untrusted = await client.post("/graphql", json={"query": respaced})

    assert all(answer.status_code == 200 for answer in trusted)
    assert untrusted.status_code == 400
    assert untrusted.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_TRUSTED"


@postgres_only
@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json", ""])
async def test_a_kept_answer_is_the_computed_answer_byte_for_byte(
    portal: httpx.AsyncClient, accept: str
) -> None:
    await make_institution(name="Kita Sonne")
    await asyncio.sleep(0.1)  # the write's notification arrives before the answer is kept
    headers = {"Accept": accept} if accept else {}
    computed = await portal.post("/graphql", json={"query": PUBLIC_INSTITUTIONS}, headers=headers)

    with statements() as sent:
        kept = await portal.post("/graphql", json={"query": PUBLIC_INSTITUTIONS}, headers=headers)

    assert sent == []
    assert (kept.status_code, kept.content) == (computed.status_code, computed.content)

    def without_request_id(answer: httpx.Response) -> list[tuple[str, str]]:
        return sorted((k, v) for k, v in answer.headers.items() if k != "x-request-id")

    assert without_request_id(kept) == without_request_id(computed)


@postgres_only
async def test_a_kept_answer_is_not_given_for_a_request_the_view_refuses(
    portal: httpx.AsyncClient,
) -> None:
    await names(portal)
    malformed = b'{"query": ' + json.dumps(PUBLIC_INSTITUTIONS).encode()  # no closing brace

    response = await portal.post(
        "/graphql", content=malformed, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert "data" not in response.json()


@postgres_only
async def test_a_get_of_the_portal_query_is_kept_like_a_post(portal: httpx.AsyncClient) -> None:
    await make_institution(name="Kita Sonne")
    await asyncio.sleep(0.1)  # the write's notification arrives before the answer is kept
    computed = await portal.get("/graphql", params={"query": PUBLIC_INSTITUTIONS})

    with statements() as sent:
        kept = await portal.get("/graphql", params={"query": PUBLIC_INSTITUTIONS})

    assert sent == []
    assert kept.status_code == computed.status_code == 200
    assert kept.content == computed.content


def request(method: str = "POST", **headers: str) -> dict[str, object]:
    raw = [
        (name.lower().replace("_", "-").encode(), value.encode()) for name, value in headers.items()
    ]
    return {
        "type": "http",
        "method": method,
        "path": "/graphql",
        "query_string": b"",
        "headers": raw,
    }


def test_what_a_request_sends_counts_but_for_what_cannot_change_its_answer() -> None:
    json_post = {"content_type": "application/json", "content_length": "40"}
    (key, length) = sent(request(**json_post)) or ((), None)

    assert length == 40
    assert sent(request(**json_post, user_agent="Firefox", x_request_id="r-1")) == (key, 40)
    assert sent(request(**json_post, accept="application/graphql-response+json"))[0] != key  # type: ignore[index]
    assert sent(request(**json_post, x_portal_version="2"))[0] != key  # type: ignore[index]
    assert sent({**request(**json_post), "state": {"language": Language.FR}})[0] != key  # type: ignore[index]


@pytest.mark.parametrize(
    "asked",
    [
        request(content_type="application/json", content_length="40", authorization="Bearer x"),
        request(content_type="application/json"),  # chunked: no length to bound the reading
        request(content_type="application/json", content_length=str(MAX_BODY_BYTES + 1)),
        request(content_type="application/json", content_length="-1"),
        request(content_type="application/json", content_length="9" * 5000),
        request("PUT", content_type="application/json", content_length="40"),
    ],
)
def test_signed_in_unbounded_and_other_requests_are_not_kept(asked: dict[str, object]) -> None:
    assert sent(asked) is None


@postgres_only
async def test_a_kept_answer_is_given_for_the_same_request_only(
    portal: httpx.AsyncClient,
) -> None:
    body = {"query": PUBLIC_INSTITUTIONS}
    await make_institution(name="Kita Sonne")
    await asyncio.sleep(0.1)  # the write's notification arrives before the answer is kept
    await portal.post("/graphql", json=body)

    with statements() as same:
        await portal.post("/graphql", json=body, headers={"User-Agent": "another browser"})
    with statements() as other_header:
        await portal.post("/graphql", json=body, headers={"X-Portal-Version": "2"})
    with statements() as other_language:
        french = await portal.post("/graphql", json=body, headers={"Accept-Language": "fr"})

    assert same == []
    assert other_header != []
    assert other_language != []
    assert french.headers["content-language"] == "fr"


@postgres_only
async def test_a_kept_answer_is_counted_and_logged_as_any_answer(
    portal: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    labels = {"route": "/graphql", "method": "POST", "status": "200"}
    await names(portal)
    before = REGISTRY.get_sample_value("kibon_http_requests_total", labels) or 0

    with caplog.at_level(logging.INFO, logger="kibon.access"), statements() as sent_sql:
        hit = await portal.post("/graphql", json={"query": PUBLIC_INSTITUTIONS})

    assert sent_sql == []
    assert REGISTRY.get_sample_value("kibon_http_requests_total", labels) == before + 1
    (line,) = [r for r in caplog.records if r.name == "kibon.access"]
    assert (line.path, line.status) == ("/graphql", 200)  # type: ignore[attr-defined]
    assert hit.headers["x-request-id"]
