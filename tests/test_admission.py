"""Admission: the operations in flight in one worker return at most `max_nodes_in_flight`
objects together; one that does not fit waits for those before it, within its deadline."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from starlette.applications import Starlette

from engine import admission
from engine.admission import Admission
from settings import Settings
from tests.support.apps import client_of, with_http
from web.app import create_app
from web.guard import RequestGuard

PAGE_OF_100 = "{ publicInstitutions(first: 100) { edges { cursor } } }"
PAGE_OF_50 = "{ publicInstitutions(first: 50) { edges { cursor } } }"


async def admitted_within(seconds: float, cost: int, into: Admission) -> bool:
    async def one_operation() -> None:
        async with into.ticket():
            await admission.admit(cost)
            await asyncio.sleep(0)

    try:
        await asyncio.wait_for(one_operation(), seconds)
    except TimeoutError:
        return False
    return True


async def test_an_operation_waits_until_its_cost_fits_and_is_counted_until_its_request_ends() -> (
    None
):
    worker = Admission(150)
    first_done = asyncio.Event()

    async def first() -> None:
        async with worker.ticket():
            await admission.admit(100)
            await first_done.wait()

    running = asyncio.ensure_future(first())
    await asyncio.sleep(0)
    assert worker.in_flight == 100

    assert not await admitted_within(0.1, 100, worker)  # 200 > 150
    assert worker.in_flight == 100  # the one that gave up waiting holds nothing
    assert await admitted_within(0.1, 50, worker)  # 150 fits

    waiting = asyncio.ensure_future(admitted_within(1.0, 100, worker))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    first_done.set()
    await running
    assert await waiting
    assert worker.in_flight == 0


async def test_a_small_operation_goes_first_while_a_large_one_waits() -> None:
    worker = Admission(1000)
    release = asyncio.Event()

    async def holding(cost: int) -> None:
        async with worker.ticket():
            await admission.admit(cost)
            await release.wait()

    held = asyncio.ensure_future(holding(600))
    await asyncio.sleep(0)
    large = asyncio.ensure_future(admitted_within(1.0, 600, worker))
    await asyncio.sleep(0.05)

    assert await admitted_within(0.1, 100, worker)
    assert not large.done()
    release.set()
    await held
    assert await large


async def test_an_operation_alone_is_admitted_whatever_its_cost() -> None:
    worker = Admission(100)

    assert await admitted_within(0.1, 5000, worker)
    assert worker.in_flight == 0


def graphql_guard(app: Starlette) -> RequestGuard:
    guards = [getattr(route, "app", None) for route in app.routes]
    found = [guard for guard in guards if isinstance(guard, RequestGuard)]
    assert len(found) == 1
    return found[0]


@asynccontextmanager
async def service(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Admission]]:
    app = create_app(settings, run_mail_worker=False)
    async with client_of(app) as client:
        yield client, graphql_guard(app).admission


async def test_a_request_waits_for_room_beside_the_answers_in_flight(settings: Settings) -> None:
    limits = with_http(settings, max_nodes_in_flight=150)
    async with service(limits) as (client, worker), worker.ticket():
        await admission.admit(100)  # another request's page of 100, being answered

        beside = await client.post("/graphql", json={"query": PAGE_OF_50})
        waiting = asyncio.ensure_future(client.post("/graphql", json={"query": PAGE_OF_100}))
        await asyncio.sleep(0.2)
        assert not waiting.done()
        assert worker.in_flight == 100

    answered = await waiting
    assert beside.json() == {"data": {"publicInstitutions": {"edges": []}}}
    assert answered.json() == {"data": {"publicInstitutions": {"edges": []}}}
    assert worker.in_flight == 0


@pytest.mark.parametrize(("language", "said"), [("de", "Sekunden"), ("fr", "secondes")])
async def test_a_request_that_finds_no_room_within_its_deadline_gets_a_timeout(
    settings: Settings, language: str, said: str
) -> None:
    limits = with_http(settings, max_nodes_in_flight=150, request_timeout_seconds=0.3)
    async with service(limits) as (client, worker), worker.ticket():
        await admission.admit(100)

        response = await client.post(
            "/graphql", json={"query": PAGE_OF_100}, headers={"Accept-Language": language}
        )

        assert worker.in_flight == 100
    assert response.status_code == 504
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "TIMEOUT"
    assert said in error["message"]
