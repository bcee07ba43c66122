"""No leaks: the logs of a whole flow, captured as the service writes them (JSON lines, through a
real uvicorn), hold no token, no link, no Authorization header, no variables and no unmasked
address; every line of a request carries its request id."""

from __future__ import annotations

import io
import json
import re
import time
from typing import Any

import httpx
import pytest
from joserfc.jwk import RSAKey

from commands.logs import scrub
from models import registration
from models.invitation import Invitation
from models.role import Role
from schema.types import ids
from tests.support.builders import make_user
from tests.support.flows import token_of
from tests.support.idp import TestIdentityProvider
from tests.support.json_logs import lines_of
from tests.support.operations import ACCEPT, REGISTER_SPONSOR

ADDRESS = re.compile(r"[\w.%+*-]+@[\w-]+(?:\.[\w-]+)+")
MASKED = re.compile(r"^[\w.%+-]?\*\*\*@")
ADMIN = "Jana.Geheim@Kita-Sonne.ch"
SECRET_NAME = "Kitas Variablen-Geheimnis"
SECRET_SEARCH = "Suchbegriff-Geheimnis"


async def graphql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


async def the_whole_flow(
    client: httpx.AsyncClient,
    idp: TestIdentityProvider,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Any]:
    canton = await make_user(Role.CANTON_ADMIN)
    canton_token = idp.token(email=canton.email)
    secrets: dict[str, Any] = {"bearer": [canton_token]}

    registered = await graphql(
        client,
        REGISTER_SPONSOR,
        {"input": {"name": SECRET_NAME, "adminEmail": ADMIN}},
        canton_token,
    )
    invitation_id = registered.json()["data"]["registerSponsor"]["invitation"]["id"]
    invitation = await Invitation.get(id=ids.decode(invitation_id, "Invitation"))
    secrets["invitation"] = await token_of(invitation)

    wrong = idp.token(email="someone.else@example.ch")
    right = idp.token(email=ADMIN)
    secrets["bearer"] += [wrong, right]
    await graphql(client, ACCEPT, {"token": secrets["invitation"]}, wrong)
    await graphql(client, ACCEPT, {"token": secrets["invitation"]}, right)

    forged_key = RSAKey.generate_key(2048, parameters={"kid": "forged"}, private=True)
    forged = idp.token(email=ADMIN, key=forged_key)
    expired = idp.token(email=ADMIN, exp=int(time.time()) - 3600)
    secrets["bearer"] += [forged, expired]
    for bad in (forged, expired):
        await graphql(client, "{ me { user { id } } }", {}, bad)
    await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": "Basic c2VjcmV0"}
    )
    await client.get(
        "/graphql",
        params={
            "query": "query ($s: String) { sponsors(search: $s) { edges { cursor } } }",
            "variables": json.dumps({"s": SECRET_SEARCH}),
        },
        headers={"Authorization": f"Bearer {canton_token}", "Accept": "application/json"},
    )

    async def broken(**arguments: Any) -> None:
        raise RuntimeError(f"lost the database while saving {arguments['admin_email']}")

    monkeypatch.setattr(registration, "register_sponsor", broken)
    fault = await graphql(
        client, REGISTER_SPONSOR, {"input": {"name": "X", "adminEmail": ADMIN}}, canton_token
    )
    secrets["fault"] = fault.json()
    return secrets


async def test_the_logs_of_a_whole_flow_hold_nothing_secret(
    json_logs: io.StringIO,
    live: str,
    idp: TestIdentityProvider,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with httpx.AsyncClient(base_url=live) as client:
        secrets = await the_whole_flow(client, idp, monkeypatch)

    output = json_logs.getvalue()
    entries = lines_of(output)
    for secret in [*secrets["bearer"], secrets["invitation"], ADMIN, SECRET_NAME, SECRET_SEARCH]:
        assert secret not in output
    for forbidden in ("/invitation#token=", "Bearer ey", "c2VjcmV0", "variables", "Variablen"):
        assert forbidden not in output
    assert all(MASKED.match(address) for address in ADDRESS.findall(output))
    fault_id = secrets["fault"]["errors"][0]["extensions"]["requestId"]
    (fault_line,) = [e for e in entries if "exception" in e and e["request_id"] == fault_id]
    assert (
        "RuntimeError: lost the database while saving J***@Kita-Sonne.ch"
        in (fault_line["exception"])
    )
    requests = [e for e in entries if e["logger"] == "kibon.auth" or "/graphql " in e["message"]]
    assert len(requests) >= 11
    assert all(e["request_id"] for e in requests)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("invited Anna.Muster@kita.ch", "invited A***@kita.ch"),
        ("already masked a***@kita.ch", "already masked a***@kita.ch"),
        ("Authorization: Bearer abc.def.ghi", "Authorization: Bearer [redacted]"),
        ("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "token [jwt]"),
        (
            "https://portal/invitation#token=s3cr3t-t0k3n",
            "https://portal/invitation#token=[redacted]",
        ),
        ('{"token": "s3cr3t"}', '{"token": "[redacted]"}'),
        (
            "Key (email_key)=(eva@kita.ch) already exists",
            "Key (email_key)=(e***@kita.ch) already exists",
        ),
    ],
)
def test_redaction_masks_what_a_library_might_log(text: str, expected: str) -> None:
    assert scrub(text) == expected
