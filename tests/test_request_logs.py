"""Log lines an operator can query: JSON with fields, the caller's request id and trace context
kept, uvicorn's own lines in the same format, one start-up line, Message-IDs whole."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from commands.logs import scrub
from models.role import Role
from tests.support import server
from tests.support.builders import make_user
from tests.support.idp import AUDIENCE, ISSUER, TestIdentityProvider
from tests.support.json_logs import lines_of

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = re.compile(rf"00-{TRACE_ID}-([0-9a-f]{{16}})-01")


async def test_an_access_line_carries_method_path_status_duration_request_and_user_as_fields(
    json_logs: io.StringIO, live: str, idp: TestIdentityProvider
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    headers = {"Authorization": f"Bearer {idp.token(email=canton.email)}"}

    async with httpx.AsyncClient(base_url=live) as client:
        response = await client.get(
            "/graphql", params={"query": "{ me { user { id } } }"}, headers=headers
        )

    (line,) = [e for e in lines_of(json_logs.getvalue()) if e["logger"] == "kibon.access"]
    assert line["method"] == "GET"
    assert line["path"] == "/graphql"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["user_id"] == canton.id


@pytest.mark.parametrize("given", ["req-42", "0af7651916cd43dd8448eb211c80319c", "lb:a.b_c@1"])
async def test_a_request_id_the_caller_sends_is_kept_in_the_answer_and_the_logs(
    json_logs: io.StringIO, live: str, given: str
) -> None:
    async with httpx.AsyncClient(base_url=live) as client:
        response = await client.get("/healthz", headers={"X-Request-Id": given})

    (line,) = [e for e in lines_of(json_logs.getvalue()) if e["logger"] == "kibon.access"]
    assert response.headers["x-request-id"] == given
    assert line["request_id"] == given


@pytest.mark.parametrize("given", ["x" * 65, "a b", "id\u00e9", "<script>", ""])
async def test_a_request_id_too_long_or_with_other_characters_is_replaced(
    live: str, given: str
) -> None:
    async with httpx.AsyncClient(base_url=live) as client:
        response = await client.get("/healthz", headers={b"X-Request-Id": given.encode()})

    assert response.headers["x-request-id"] != given
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


async def test_a_traceparent_is_continued_in_the_answer_and_every_log_line_of_the_request(
    json_logs: io.StringIO, live: str
) -> None:
    async with httpx.AsyncClient(base_url=live) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"},
        )

    answered = TRACEPARENT.fullmatch(response.headers["traceparent"])
    assert answered is not None
    assert answered.group(1) != PARENT_ID  # our span, child of the caller's
    ours = [e for e in lines_of(json_logs.getvalue()) if e.get("request_id")]
    assert ours
    assert all(e["trace_id"] == TRACE_ID for e in ours)


@pytest.mark.parametrize(
    "header", ["garbage", f"00-{'0' * 32}-{PARENT_ID}-01", f"00-{TRACE_ID}-{'0' * 16}-01"]
)
async def test_a_malformed_traceparent_is_ignored(live: str, header: str) -> None:
    async with httpx.AsyncClient(base_url=live) as client:
        response = await client.get("/healthz", headers={"traceparent": header})

    assert response.status_code == 200
    assert "traceparent" not in response.headers


def test_a_message_id_stays_whole_while_addresses_around_it_are_masked() -> None:
    text = "mail <176477.4242.1234567890123@kibon.local> to anna@kita.ch: SENT (Anna <anna@x.ch>)"

    assert scrub(text) == (
        "mail <176477.4242.1234567890123@kibon.local> to a***@kita.ch: SENT (Anna <a***@x.ch>)"
    )


def provider(directory: Path) -> dict[str, str]:
    jwks = directory / "jwks.json"
    jwks.write_text(json.dumps({"keys": []}))
    return {
        "KIBON_OIDC_ISSUER": ISSUER,
        "KIBON_OIDC_AUDIENCE": AUDIENCE,
        "KIBON_OIDC_JWKS_URL": f"file://{jwks}",
    }


def test_serve_writes_json_lines_only_uvicorns_included_and_one_start_up_line(
    tmp_path: Path,
) -> None:
    production = {
        "KIBON_DEV_LOGIN": "off",
        **provider(tmp_path),
        "KIBON_SMTP_HOST": "127.0.0.1",
        "KIBON_SMTP_PORT": "2525",
        "KIBON_SMTP_PASSWORD": "relay-secret",
    }

    with server.running(tmp_path, **production) as running:
        httpx.get(f"{running.url}/healthz", timeout=5)
    log = running.log()

    entries = [json.loads(line) for line in log.splitlines()]
    loggers = {entry["logger"] for entry in entries}
    assert {"uvicorn.error", "kibon.access", "kibon.start"} <= loggers
    (start,) = [e for e in entries if e.get("event") == "start"]
    assert start["database"] == f"sqlite://{tmp_path / 'server.sqlite3'}"
    assert (start["smtp"], start["issuer"], start["workers"]) == ("127.0.0.1:2525", ISSUER, 1)
    assert "relay-secret" not in log


def test_migrate_says_where_it_migrated_and_how_far(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'release.sqlite3'}"
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("KIBON_")}
    variables = {"KIBON_DATABASE_URL": url, "KIBON_DEV_LOGIN": "off", **provider(tmp_path)}

    done = subprocess.run(
        [sys.executable, "main.py", "migrate"],
        cwd=server.ROOT,
        env={**inherited, **variables},
        capture_output=True,
        text=True,
        check=False,
    )

    entries = [json.loads(line) for line in done.stderr.splitlines()]
    assert done.returncode == 0
    assert [e.get("event") for e in entries] == ["start", "migrated"]
    assert entries[0]["command"] == "migrate"
    assert entries[0]["database"] == url
    newest = sorted(p.stem for p in (server.ROOT / "models" / "migrations").glob("0*.py"))[-1]
    assert entries[1]["message"].endswith(f"the newest {newest}")
