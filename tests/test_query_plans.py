"""The plans PostgreSQL keeps for the service's prepared statements read a page in the order of
its index, even for the one sponsor far larger than the rest (`PLANNER_SETTINGS`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from tortoise import connections
from tortoise.backends.asyncpg.client import AsyncpgDBClient

from models.institution import CareType, Institution, InstitutionStatus
from models.role import Role
from models.sponsor import Sponsor
from tests.support import database
from tests.support.api import Api
from tests.support.builders import make_sponsor, make_user

pytestmark = pytest.mark.skipif(not database.is_postgres(), reason="PostgreSQL's planner")

SPONSOR_LIST = "{ institutions(first: 50) { edges { node { name sponsor { name } } } } }"


@contextmanager
def run_statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, list[Any]]]]:
    seen: list[tuple[str, list[Any]]] = []
    run = AsyncpgDBClient.execute_query

    async def recorded(self: Any, query: str, values: list[Any] | None = None) -> Any:
        seen.append((query, list(values or [])))
        return await run(self, query, values)

    monkeypatch.setattr(AsyncpgDBClient, "execute_query", recorded)
    yield seen
    monkeypatch.undo()


def nodes(plan: dict[str, Any]) -> Iterator[str]:
    yield plan["Node Type"]
    for below in plan.get("Plans", []):
        yield from nodes(below)


async def test_a_large_sponsors_page_is_read_in_index_order_by_the_kept_plan(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    large, others = await make_sponsor(), [await make_sponsor() for _ in range(100)]
    rows = [(large, n) for n in range(400)] + [(s, n) for s in others for n in range(4)]
    await Institution.bulk_create([_institution(s, f"Kita {s.id}-{n:04}") for s, n in rows])
    client: Any = connections.get("default")
    await client.execute_script("ANALYZE institution; ANALYZE sponsor")
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=large)

    with run_statements(monkeypatch) as seen:
        listed = await api(SPONSOR_LIST, user=admin)
    assert len(listed.ok()["institutions"]["edges"]) == 50
    text, values = next((q, v) for q, v in seen if q.startswith('SELECT i."id"'))
    async with client.acquire_connection() as connection, connection.transaction():
        await connection.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        kept = await connection.prepare(text)  # the plan PostgreSQL keeps after five runs
        (row,) = await connection.fetch(
            f"EXPLAIN (FORMAT JSON) EXECUTE {kept.get_name()}({_literals(values)})"
        )
    plan = json.loads(row[0])[0]["Plan"]

    assert "Sort" not in set(nodes(plan))


def _institution(sponsor: Sponsor, name: str) -> Institution:
    institution = Institution(
        sponsor=sponsor,
        status=InstitutionStatus.ACTIVE,
        care_type=CareType.DAYCARE_CENTER,
        vouchers_from=date(2020, 1, 1),
    )
    institution.set_name(name)
    return institution


def _literals(values: list[Any]) -> str:
    return ", ".join(
        str(v) if isinstance(v, int) else "'" + str(getattr(v, "value", v)).replace("'", "''") + "'"
        for v in values
    )
