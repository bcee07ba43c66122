"""PostgreSQL keeps one plan for each of the service's prepared statements (planning one
anew for every request costs more than running it) and the plan it keeps reads a page in the
order of its index, even for the one sponsor far larger than the rest (`PLANNER_SETTINGS`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from tortoise import connections
from tortoise.backends.asyncpg.client import AsyncpgDBClient

from models import clock
from models.institution import CareType, Institution, InstitutionStatus
from models.invitation import Invitation, InvitationStatus
from models.raw_sql import Named, value
from models.role import Role
from models.sponsor import Sponsor
from models.user import User, UserStatus
from tests.support import database
from tests.support.api import Api
from tests.support.builders import make_sponsor, make_user

pytestmark = pytest.mark.skipif(not database.is_postgres(), reason="PostgreSQL's planner")

SPONSOR_LIST = "{ institutions(first: 50) { edges { node { name sponsor { name } } } } }"
USERS = """{ users(first: 50) { edges { node { email role status sponsor { name }
  institution { name } } } } }"""


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


async def plans_made(text: str, values: list[Any], runs: int) -> tuple[int, int]:
    """How many kept (generic) and how many fresh (custom) plans PostgreSQL made for the
    statement, run `runs` times on one pooled connection."""
    client: Any = connections.get("default")
    async with client.acquire_connection() as connection:
        for _ in range(runs):
            await connection.fetch(text, *values)
        found = await connection.fetchrow(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
            text,
        )
    return found["generic_plans"], found["custom_plans"]


async def test_the_canton_s_page_of_people_is_planned_once_not_for_every_request(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    people = [_person(n) for n in range(1000)]
    await User.bulk_create(people)
    people = await User.filter(email_key__startswith="person").order_by("id")
    # Every invitation accepted, as in a canton whose people have all come in.
    await Invitation.bulk_create([_invitation(person) for person in people])
    client: Any = connections.get("default")
    await client.execute_script('ANALYZE "user"; ANALYZE invitation')

    text, values = await page_statement(api, monkeypatch, USERS, canton)
    kept, fresh = await plans_made(text, values, runs=20)

    assert kept >= 14  # PostgreSQL tries fresh plans for the first five runs only
    assert fresh <= 6


def _person(n: int, *, at: Institution | None = None) -> User:
    address = f"person{n:04}@example.ch"
    role = Role.APPLICANT if at is None else Role.INSTITUTION_CLERK
    return User(
        email=address, email_key=address, role=role, status=UserStatus.ACTIVE, institution=at
    )


def _invitation(person: User) -> Invitation:
    return Invitation(
        user=person,
        email=person.email,
        role=person.role if person.institution_id else Role.SPONSOR_ADMIN,
        institution_id=person.institution_id,
        token_hash=f"{person.id:064}",
        status=InvitationStatus.ACCEPTED,
        expires_at=clock.now() + timedelta(days=7),
    )


async def page_statement(
    api: Api, monkeypatch: pytest.MonkeyPatch, query: str, user: User
) -> tuple[str, list[Any]]:
    """The statement that read the page of 50 `query` asks `user` for (the one with joins:
    the sign-in has none), and its values."""
    with run_statements(monkeypatch) as seen:
        listed = await api(query, user=user)
    (page,) = listed.ok().values()
    assert len(page["edges"]) == 50
    return next((text, values) for text, values in seen if " JOIN " in text)


def nodes(plan: dict[str, Any]) -> Iterator[str]:
    yield plan["Node Type"]
    if "Index Name" in plan:
        yield plan["Index Name"]
    for below in plan.get("Plans", []):
        yield from nodes(below)


async def large_sponsor() -> Sponsor:
    """A sponsor of 400 institutions among 100 sponsors of 4, each with a clerk long in."""
    large, others = await make_sponsor(), [await make_sponsor() for _ in range(100)]
    rows = [(large, n) for n in range(400)] + [(s, n) for s in others for n in range(4)]
    await Institution.bulk_create([_institution(s, f"Kita {s.id}-{n:04}") for s, n in rows])
    places = await Institution.all().order_by("id")
    await User.bulk_create([_person(n, at=place) for n, place in enumerate(places)])
    people = await User.filter(email_key__startswith="person").order_by("id")
    await Invitation.bulk_create([_invitation(person) for person in people])
    client: Any = connections.get("default")
    await client.execute_script('ANALYZE institution; ANALYZE sponsor; ANALYZE "user"')
    await client.execute_script("ANALYZE invitation")
    return large


async def kept_plan(text: str, values: list[Any]) -> set[str]:
    """The nodes and indexes of the plan PostgreSQL keeps for the statement after five runs."""
    client: Any = connections.get("default")
    async with client.acquire_connection() as connection, connection.transaction():
        await connection.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        kept = await connection.prepare(text)
        (row,) = await connection.fetch(
            f"EXPLAIN (FORMAT JSON) EXECUTE {kept.get_name()}({_literals(values)})"
        )
    return set(nodes(json.loads(row[0])[0]["Plan"]))


async def test_a_large_sponsors_page_is_read_in_index_order_by_the_kept_plan(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=await large_sponsor())

    text, values = await page_statement(api, monkeypatch, SPONSOR_LIST, admin)

    assert "Sort" not in await kept_plan(text, values)


async def test_a_large_sponsors_people_bind_only_ids_and_find_open_invitations_by_index(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=await large_sponsor())

    text, values = await page_statement(api, monkeypatch, USERS, admin)

    assert {type(v) for v in values} == {int}  # statuses and roles are in the text
    assert "idx_invitation_pending_institution" in await kept_plan(text, values)


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
    """The values written as `raw_sql.value` writes what the code names."""
    return ", ".join(str(v) if isinstance(v, int) else value(Named(v), iter(()))[0] for v in values)
