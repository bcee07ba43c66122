"""Commands for when the portal is down: the domain's rules and audit, as in the API."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from models.audit import AuditEvent
from models.institution import Institution, InstitutionStatus
from models.role import Role
from models.user import User, UserStatus
from schema.types import ids
from tests.support.builders import make_institution, make_sponsor, make_user

ROOT = Path(__file__).resolve().parent.parent


async def command(database_url: str, *arguments: str) -> tuple[int, str, str]:
    """`python main.py ARGUMENTS` against the test database: exit status, stdout, stderr."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("KIBON_")}
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "main.py", *arguments),
        cwd=ROOT,
        env={**inherited, "KIBON_DATABASE_URL": database_url, "KIBON_DEV_LOGIN": "on"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def block_user(database_url: str, *arguments: str) -> tuple[int, str, str]:
    return await command(database_url, "block-user", *arguments)


async def test_canton_staff_block_a_person_from_the_command_line_and_the_trail_says_so(
    database_url: str,
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    sponsor = await make_sponsor()
    await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)  # the sponsor keeps an admin
    leaving = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)

    code, out, _ = await block_user(database_url, leaving.email.upper(), "--as", canton.email)

    assert code == 0
    assert out.strip() == f"{leaving.email}: BLOCKED"
    assert (await User.get(id=leaving.id)).status == UserStatus.BLOCKED
    (entry,) = await AuditEvent.filter(action="user.blocked")
    assert (entry.actor_id, entry.subject_id) == (canton.id, leaving.id)
    assert entry.request_id is not None
    assert entry.request_id.startswith("cli-")


async def test_the_command_refuses_what_the_api_refuses_and_changes_nothing(
    database_url: str,
) -> None:
    sponsor, other = await make_sponsor(), await make_sponsor()
    outsider = await make_user(Role.SPONSOR_ADMIN, sponsor=other)
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)

    out_of_scope = await block_user(database_url, admin.email, "--as", outsider.email)
    nobody = await block_user(database_url, admin.email, "--as", "nobody@example.ch")
    unknown = await block_user(database_url, "ghost@example.ch", "--as", outsider.email)

    assert [result[0] for result in (out_of_scope, nobody, unknown)] == [1, 1, 1]
    assert nobody[2].splitlines()[-1] == "block-user: nobody@example.ch is not an active account."
    assert (await User.get(id=admin.id)).status == UserStatus.ACTIVE
    assert not await AuditEvent.filter(action="user.blocked").exists()


async def withdraw(database_url: str, *arguments: str) -> tuple[int, str, str]:
    return await command(database_url, "withdraw-institution", *arguments)


async def test_canton_staff_withdraw_an_institution_from_the_command_line(
    database_url: str,
) -> None:
    clerk = await make_user(Role.CANTON_CLERK)
    kita = await make_institution(name="Kita Doppelt")

    code, out, _ = await withdraw(
        database_url, ids.encode("Institution", kita.id), "--as", clerk.email, "--reason", "doppelt"
    )

    assert code == 0
    assert out.strip() == "Kita Doppelt: WITHDRAWN"
    assert (await Institution.get(id=kita.id)).status == InstitutionStatus.WITHDRAWN
    (entry,) = await AuditEvent.filter(action="institution.withdrawn")
    assert (entry.actor_id, entry.subject_id) == (clerk.id, kita.id)
    assert entry.details["reason"] == "doppelt"
    assert entry.request_id is not None
    assert entry.request_id.startswith("cli-")


async def test_withdrawing_from_the_command_line_refuses_whom_the_api_refuses(
    database_url: str,
) -> None:
    sponsor = await make_sponsor()
    kita = await make_institution(sponsor=sponsor)
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)

    refused = await withdraw(database_url, ids.encode("Institution", kita.id), "--as", admin.email)
    malformed = await withdraw(database_url, "no-id", "--as", admin.email)

    assert refused[0] == 1
    assert refused[2].splitlines()[-1] == "withdraw-institution: You are not allowed to do this."
    assert malformed[0] == 1
    assert (await Institution.get(id=kita.id)).status == InstitutionStatus.INVITED
    assert not await AuditEvent.filter(action="institution.withdrawn").exists()
