"""The yardstick: a plain Starlette endpoint with one hand-written asyncpg JOIN serving the same
family-portal page (50 institutions with their sponsor, address and contact when active)."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PAGE = """
SELECT i.id, i.name, i.care_type, i.status, s.name AS sponsor_name, i.organisation, i.street,
       i.house_number, i.postal_code, i.town, i.contact_email, i.phone, i.website
FROM institution i LEFT JOIN sponsor s ON s.id = i.sponsor_id
WHERE i.vouchers_from <= $1
ORDER BY i.search_name, i.id
LIMIT $2
"""


def _node(row: asyncpg.Record) -> dict[str, object]:
    active = row["status"] == "ACTIVE"
    return {
        "id": row["id"],
        "name": row["name"],
        "careType": row["care_type"],
        "status": row["status"],
        "sponsor": {"name": row["sponsor_name"]} if row["sponsor_name"] else None,
        "address": {
            "organisation": row["organisation"],
            "street": row["street"],
            "houseNumber": row["house_number"],
            "postalCode": row["postal_code"],
            "town": row["town"],
        }
        if active
        else None,
        "contactEmail": row["contact_email"] if active else None,
    }


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(os.environ["KIBON_DATABASE_URL"], max_size=10)
    yield
    await app.state.pool.close()


async def families(request: Request) -> Response:
    first = int(request.query_params.get("first", "50"))
    async with request.app.state.pool.acquire() as connection:
        rows = await connection.fetch(PAGE, date.today(), first)
    body = {"data": {"publicInstitutions": {"edges": [{"node": _node(r)} for r in rows]}}}
    return Response(json.dumps(body), media_type="application/json")


app = Starlette(routes=[Route("/families", families)], lifespan=lifespan)
