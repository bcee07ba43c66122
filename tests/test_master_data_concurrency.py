"""Concurrent saves on PostgreSQL: of two saves of one version, or two activations, one wins.

SQLite runs one transaction at a time anyway; PostgreSQL is where saves really overlap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from models.institution import Institution
from models.role import Role
from tests.support import database
from tests.support.api import Api, Result
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.master_data import activate, complete_input, trail, update

pytestmark = pytest.mark.skipif(not database.is_postgres(), reason="needs PostgreSQL")


async def waiting_for_locks() -> int:
    rows = await connections.get("default").execute_query_dict(
        "SELECT count(*) AS n FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    return int(rows[0]["n"])


async def race(institution: Institution, *saves: Awaitable[Result]) -> list[Result]:
    """Runs `saves` at once while the institution's row is locked, and releases it only when
    both wait on a lock: they overlap for certain, not by luck of timing."""
    held, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with in_transaction():
            await Institution.filter(id=institution.id).select_for_update().first()
            held.set()
            await release.wait()

    # Tasks start outside any transaction: a task inherits its creator's transaction.
    holder = asyncio.create_task(hold())
    await held.wait()
    racing = asyncio.gather(*saves)
    for _ in range(500):
        if await waiting_for_locks() >= len(saves):
            break
        await asyncio.sleep(0.01)
    release.set()
    await holder
    return list(await racing)


async def test_two_concurrent_saves_of_the_same_version_cannot_both_succeed(api: Api) -> None:
    institution = await make_institution()
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)
    await activate(api, institution, by=admin)

    results = await race(
        institution,
        update(api, institution, by=admin, given=complete_input(version=2, places=10)),
        update(api, institution, by=admin, given=complete_input(version=2, places=20)),
    )

    kinds = sorted(r.ok()["updateInstitutionMasterData"]["__typename"] for r in results)
    assert kinds == ["StaleData", "UpdateInstitutionMasterDataSuccess"]
    row = await Institution.get(id=institution.id)
    assert row.version == 3
    assert len(await trail(institution)) == 2


async def test_two_concurrent_activations_activate_once(api: Api) -> None:
    sponsor = await make_sponsor()
    institution = await make_institution(sponsor=sponsor)
    admins = [await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor) for _ in range(2)]

    results = await race(institution, *(activate(api, institution, by=a) for a in admins))

    kinds = sorted(r.ok()["activateInstitution"]["__typename"] for r in results)
    assert kinds == ["ActivateInstitutionSuccess", "InstitutionAlreadyActive"]
    assert (await Institution.get(id=institution.id)).version == 2
    assert [action for action, _ in await trail(institution)] == ["institution.activated"]
