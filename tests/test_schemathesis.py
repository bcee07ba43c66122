"""Schemathesis against the live server over HTTP, once per caller: a canton admin, the home
sponsor's admin, a clerk of the home institution, an applicant and nobody. No answer is a 5xx,
breaks the schema or carries an error without a code, and no one but the canton ever sees the
foreign sponsor's names or its staff's addresses, whatever the generated queries and mutations
(with real home and foreign IDs among them) do to the data along the way."""

from __future__ import annotations

import asyncio
import time

import pytest

from models.role import Role
from models.user import User
from settings import Settings
from tests.support import fuzz
from tests.support.builders import make_user
from tests.support.idp import TestIdentityProvider
from tests.support.live import served
from tests.support.user_admin import World, gid, seed_world
from web.app import create_app

CALLERS = {
    "canton admin": Role.CANTON_ADMIN,
    "sponsor admin": Role.SPONSOR_ADMIN,
    "institution clerk": Role.INSTITUTION_CLERK,
    "applicant": Role.APPLICANT,
    "nobody": None,
}
# Everything that names the foreign sponsor, its institution or its staff, lower-cased.
FOREIGN = ("kitas fremd", "kita fremd", "@fremd.ch", "fremd-staff-clerk@fremd.example", "fremdling")
SECONDS_PER_CALLER = 60.0


async def foreign_staff(world: World) -> User:
    clerk = await make_user(
        Role.INSTITUTION_CLERK,
        email="fremd-staff-clerk@fremd.example",
        institution=world.other_institution,
    )
    clerk.last_name = "Fremdling"
    await clerk.save()
    return clerk


def rows(world: World, *others: User) -> list[str]:
    named = [world.sponsor, world.institution, world.other_sponsor, world.other_institution]
    return [gid(row) for row in [*named, *world.people.values(), world.foreign, *others]]


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_no_generated_request_breaks_the_server_or_crosses_a_scope(
    caller: str, settings: Settings, idp: TestIdentityProvider
) -> None:
    world = await seed_world()
    clerk = await foreign_staff(world)
    role = CALLERS[caller]
    person = world.people[role] if role is not None else None
    token = idp.token(email=person.email, subject=person.subject) if person else None
    secrets = () if role is Role.CANTON_ADMIN else FOREIGN
    started = time.monotonic()

    async with served(create_app(settings, run_mail_worker=False)) as url:
        report = await asyncio.to_thread(
            fuzz.run,
            f"{url}/graphql",
            caller=caller,
            token=token,
            ids=rows(world, clerk),
            secrets=secrets,
        )

    elapsed = time.monotonic() - started
    print(f"{report.summary()} in {elapsed:.1f} s")
    assert len(report.operations) >= 20, report.operations
    assert report.examples >= 10 * len(report.operations), report.summary()
    assert not report.problems, "\n".join(report.problems[:20])
    assert elapsed < SECONDS_PER_CALLER, report.summary()
