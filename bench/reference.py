"""The yardsticks: a plain Starlette endpoint per list, each one hand-written asyncpg statement
serving the same page as its GraphQL target (the same rows, related objects and fields),
serialised with orjson. No sign-in, no scope, no GraphQL: the floor a list could reach."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

Row = Mapping[str, Any]


def _gid(kind: str, id: int | None) -> str | None:
    return None if id is None else base64.b64encode(f"{kind}:{id}".encode()).decode()


def _institution(row: Row) -> dict[str, Any]:
    return {
        "id": _gid("Institution", row["id"]),
        "name": row["name"],
        "careType": row["care_type"],
        "status": row["status"],
    }


def _address(row: Row) -> dict[str, Any] | None:
    if row["street"] is None:
        return None
    return {
        "organisation": row["organisation"],
        "street": row["street"],
        "houseNumber": row["house_number"],
        "postalCode": row["postal_code"],
        "town": row["town"],
    }


def _family(row: Row) -> dict[str, Any]:
    active = row["status"] == "ACTIVE"
    return _institution(row) | {
        "sponsor": {"name": row["sponsor_name"]} if row["sponsor_name"] else None,
        "address": _address(row) if active else None,
        "contactEmail": row["contact_email"] if active else None,
    }


def _with_sponsor(row: Row) -> dict[str, Any]:
    return _institution(row) | {
        "sponsor": {"name": row["sponsor_name"]} if row["sponsor_name"] else None
    }


def _master_data(row: Row) -> dict[str, Any]:
    return _institution(row) | {
        "masterData": {
            "address": _address(row),
            "contactEmail": row["contact_email"],
            "phone": row["phone"],
            "iban": row["iban"] and row["iban"][:4] + "•" * 13 + row["iban"][-4:],
            "places": row["places"],
        }
    }


def _user(row: Row) -> dict[str, Any]:
    return {
        "id": _gid("User", row["id"]),
        "email": row["email"],
        "firstName": row["first_name"],
        "lastName": row["last_name"],
        "role": row["role"],
        "status": row["status"],
        "sponsor": {"id": _gid("Sponsor", row["s_id"]), "name": row["s_name"]}
        if row["s_id"]
        else None,
        "institution": {"id": _gid("Institution", row["i_id"]), "name": row["i_name"]}
        if row["i_id"]
        else None,
    }


def _invitation(row: Row) -> dict[str, Any]:
    return {
        "id": _gid("Invitation", row["id"]),
        "email": row["email"],
        "role": row["role"],
        "status": row["status"],
        "expiresAt": row["expires_at"].isoformat(),
        "sentCount": row["sent_count"],
        "sponsor": {"name": row["s_name"]} if row["s_name"] else None,
        "institution": {"name": row["i_name"]} if row["i_name"] else None,
    }


def _audit(row: Row) -> dict[str, Any]:
    return {
        "id": _gid("AuditEntry", row["id"]),
        "at": row["at"].isoformat(),
        "action": row["action"],
        "actorEmail": row["actor_email"],
        "subjectType": row["subject_type"],
        "subjectId": _gid(row["subject_type"], row["subject_id"]),
        "details": orjson.loads(row["details"]),
    }


def _sponsor(row: Row) -> dict[str, Any]:
    return {
        "id": _gid("Sponsor", row["id"]),
        "name": row["name"],
        "institutions": {
            "edges": [{"node": {"id": _gid("Institution", i), "name": n}} for i, n in row["inst"]]
        },
    }


INSTITUTION = """
SELECT i.id, i.name, i.care_type, i.status, s.name AS sponsor_name, i.organisation, i.street,
       i.house_number, i.postal_code, i.town, i.contact_email, i.phone, i.iban, i.places
FROM institution i LEFT JOIN sponsor s ON s.id = i.sponsor_id
"""
# (statement, its parameters from the request, how a row becomes a node)
LISTS: dict[str, tuple[str, Callable[[Request], list[Any]], Callable[[Row], dict[str, Any]]]] = {
    "families": (
        INSTITUTION + "WHERE i.vouchers_until IS NULL OR i.vouchers_until >= $1 "
        "ORDER BY i.search_name, i.id LIMIT 50",
        lambda _: [date.today()],
        _family,
    ),
    "sponsor-institutions": (
        INSTITUTION + "WHERE i.sponsor_id = 1 ORDER BY i.search_name, i.id LIMIT 51",
        lambda _: [],
        _with_sponsor,
    ),
    "institutions": (
        INSTITUTION + "WHERE ($1::text IS NULL OR i.search_name > $1 OR "
        "(i.search_name = $1 AND i.id > $2)) AND ($3::text IS NULL OR i.search_name LIKE $3) "
        "ORDER BY i.search_name, i.id LIMIT 101",
        lambda r: [
            r.query_params.get("after"),
            int(r.query_params.get("after_id", "0")),
            f"%{r.query_params['search']}%" if "search" in r.query_params else None,
        ],
        _institution,
    ),
    "master-data": (
        INSTITUTION + "ORDER BY i.search_name, i.id LIMIT 51",
        lambda _: [],
        _master_data,
    ),
    "users": (
        'SELECT u.*, s.id AS s_id, s.name AS s_name, i.id AS i_id, i.name AS i_name FROM "user" u '
        "LEFT JOIN sponsor s ON s.id = u.sponsor_id "
        "LEFT JOIN institution i ON i.id = u.institution_id ORDER BY u.id LIMIT 51",
        lambda _: [],
        _user,
    ),
    "invitations": (
        "SELECT v.*, s.name AS s_name, i.name AS i_name FROM invitation v "
        "LEFT JOIN sponsor s ON s.id = v.sponsor_id "
        "LEFT JOIN institution i ON i.id = v.institution_id ORDER BY v.id LIMIT 51",
        lambda _: [],
        _invitation,
    ),
    "audit": (
        "SELECT * FROM audit_event ORDER BY at DESC, id DESC LIMIT 51",
        lambda _: [],
        _audit,
    ),
    "sponsors": (
        "SELECT s.id, s.name, ARRAY(SELECT ROW(i.id, i.name) FROM institution i "
        "WHERE i.sponsor_id = s.id ORDER BY i.search_name, i.id LIMIT 10) AS inst "
        "FROM sponsor s ORDER BY s.search_name, s.id LIMIT 21",
        lambda _: [],
        _sponsor,
    ),
}


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(os.environ["KIBON_DATABASE_URL"], max_size=10)
    yield
    await app.state.pool.close()


async def page(request: Request) -> Response:
    statement, parameters, node = LISTS[request.path_params["list"]]
    async with request.app.state.pool.acquire() as connection:
        rows = await connection.fetch(statement, *parameters(request))
    body = {"data": {"list": {"edges": [{"node": node(row)} for row in rows]}}}
    return Response(orjson.dumps(body), media_type="application/json")


app = Starlette(routes=[Route("/{list}", page)], lifespan=lifespan)
