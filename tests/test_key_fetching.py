"""The identity provider's keys under attack or in trouble: one fetch at a time, at most one per
interval (failures too), a bounded wait, and 503 rather than a sign-out while keys are missing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
from joserfc.jwk import RSAKey

from models.role import Role
from settings import Settings
from tests.support.apps import client_for
from tests.support.builders import make_user
from tests.support.idp import TestIdentityProvider
from web import identity

ME = {"query": "{ me { user { email } } }"}


@pytest.fixture
def provider(idp: TestIdentityProvider) -> Iterator[TestIdentityProvider]:
    yield idp
    idp.jwks_failing = False
    idp.jwks_delay_seconds = 0.0


def forged(idp: TestIdentityProvider, number: int) -> str:
    key = RSAKey.generate_key(2048, parameters={"kid": f"forged-{number}"}, private=True)
    return idp.token(email=f"forged{number}@example.ch", key=key)


async def me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/graphql", json=ME, headers={"Authorization": f"Bearer {token}"})


async def test_while_the_keys_cannot_be_fetched_a_token_gets_503_with_retry_after(
    settings: Settings, provider: TestIdentityProvider
) -> None:
    user = await make_user(Role.CANTON_ADMIN)
    provider.jwks_failing = True

    async with client_for(settings) as client:
        first = await me(client, provider.token(email=user.email, subject=user.subject))
        fetches = provider.jwks_requests
        second = await me(client, provider.token(email=user.email, subject=user.subject))

    assert first.status_code == second.status_code == 503
    assert 1 <= int(second.headers["retry-after"]) <= identity.JWKS_REFETCH_INTERVAL_SECONDS
    assert second.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert provider.jwks_requests == fetches  # the failure is remembered for the interval


async def test_forged_kids_make_at_most_one_key_fetch_per_interval_even_when_it_fails(
    settings: Settings, provider: TestIdentityProvider
) -> None:
    provider.jwks_failing = True
    before = provider.jwks_requests

    async with client_for(settings) as client:
        answers = await asyncio.gather(*(me(client, forged(provider, n)) for n in range(8)))
        answers += [await me(client, forged(provider, n)) for n in range(8, 12)]

    assert provider.jwks_requests - before == 1
    assert {answer.status_code for answer in answers} == {503}


async def test_a_known_key_does_not_wait_behind_forged_kids_while_the_provider_is_slow(
    settings: Settings, provider: TestIdentityProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await make_user(Role.CANTON_ADMIN)
    async with client_for(settings) as client:
        assert (await me(client, provider.token(email=user.email))).status_code == 200
        monkeypatch.setattr(identity, "JWKS_REFETCH_INTERVAL_SECONDS", 0.0)  # a fetch is due
        provider.jwks_delay_seconds = 3.0
        before = provider.jwks_requests

        attackers = [asyncio.create_task(me(client, forged(provider, n))) for n in range(4)]
        await asyncio.sleep(0.05)  # the forged tokens' fetch is in flight
        started = time.monotonic()
        legitimate = await me(client, provider.token(email=user.email, given_name="Eva"))
        waited = time.monotonic() - started
        refused = await asyncio.gather(*attackers)

    assert legitimate.status_code == 200
    assert waited < 0.5
    assert provider.jwks_requests - before == 1
    assert {answer.status_code for answer in refused} == {503}  # a bounded wait, then 503
