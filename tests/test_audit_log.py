"""The audit log: who did what to whom; the canton reads all of it, each admin its own scope."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models import audit
from models.audit import AuditEvent
from models.role import Role
from models.user import User
from schema.root import schema
from schema.types import ids
from tests.support.api import Api, Result
from tests.support.builders import make_user
from tests.support.user_admin import BLOCK_USER, INVITE_USER, World, gid, seed_world

AUDIT_LOG = """
query ($first: Int, $after: String, $filter: AuditLogFilter) {
  auditLog(first: $first, after: $after, filter: $filter) {
    edges { cursor node {
      id at action actorId actorEmail subjectType subjectId details requestId
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def entries_by_scope(world: World) -> dict[str, AuditEvent]:
    """One entry in each corner of the world, recorded by the canton admin."""
    canton = world.people[Role.CANTON_ADMIN]
    return {
        "canton": await audit.record("canton.thing", actor=canton),
        "sponsor": await audit.record(
            "sponsor.thing", actor=canton, subject=world.sponsor, sponsor_id=world.sponsor.id
        ),
        "institution": await audit.record(
            "institution.thing",
            actor=canton,
            subject=world.institution,
            institution_id=world.institution.id,
        ),
        "foreign": await audit.record(
            "foreign.thing", actor=canton, sponsor_id=world.other_sponsor.id
        ),
        "foreign institution": await audit.record(
            "foreign.thing", actor=canton, institution_id=world.other_institution.id
        ),
    }


def actions(result: Result) -> list[str]:
    edges = result.ok()["auditLog"]["edges"]
    return [edge["node"]["action"] for edge in edges]


@pytest.mark.parametrize("role", [Role.SUPER_ADMIN, Role.CANTON_ADMIN, Role.CANTON_CLERK])
async def test_canton_staff_read_every_entry_newest_first(api: Api, role: Role) -> None:
    world = await seed_world()
    await entries_by_scope(world)

    result = await api(AUDIT_LOG, user=world.people[role])

    assert actions(result) == [
        "foreign.thing",
        "foreign.thing",
        "institution.thing",
        "sponsor.thing",
        "canton.thing",
    ]


async def test_a_sponsor_admin_reads_its_sponsors_and_its_institutions_entries(api: Api) -> None:
    world = await seed_world()
    await entries_by_scope(world)

    result = await api(AUDIT_LOG, user=world.people[Role.SPONSOR_ADMIN])

    assert actions(result) == ["institution.thing", "sponsor.thing"]


async def test_an_institution_admin_reads_only_its_institutions_entries(api: Api) -> None:
    world = await seed_world()
    await entries_by_scope(world)

    result = await api(AUDIT_LOG, user=world.people[Role.INSTITUTION_ADMIN])

    assert actions(result) == ["institution.thing"]


async def test_the_admin_of_another_sponsor_reads_none_of_ours(api: Api) -> None:
    world = await seed_world()
    await entries_by_scope(world)

    result = await api(AUDIT_LOG, user=world.foreign)

    assert actions(result) == ["foreign.thing", "foreign.thing"]  # its sponsor, its institution


@pytest.mark.parametrize("role", [Role.SPONSOR_CLERK, Role.INSTITUTION_CLERK, Role.APPLICANT])
async def test_clerks_and_applicants_may_not_read_it(api: Api, role: Role) -> None:
    world = await seed_world()

    result = await api(AUDIT_LOG, user=world.people[role])

    assert result.codes == ["FORBIDDEN"]
    assert result.data == {"auditLog": None}


async def test_reading_it_needs_a_sign_in(api: Api) -> None:
    result = await api(AUDIT_LOG)

    assert result.codes == ["UNAUTHENTICATED"]


async def test_an_entry_shows_who_did_what_to_whom_with_the_address_masked(api: Api) -> None:
    world = await seed_world()
    admin, clerk = world.people[Role.SPONSOR_ADMIN], world.people[Role.SPONSOR_CLERK]
    await api(BLOCK_USER, {"id": gid(clerk)}, user=admin)

    result = await api(
        AUDIT_LOG, {"filter": {"action": "user.blocked"}}, user=world.people[Role.CANTON_CLERK]
    )

    node = result.ok()["auditLog"]["edges"][0]["node"]
    assert node["actorId"] == gid(admin)
    assert node["actorEmail"] == "s***@heim.ch"
    assert (node["subjectType"], node["subjectId"]) == ("User", gid(clerk))
    assert node["details"] == {"role": "SPONSOR_CLERK", "status": "BLOCKED"}
    assert len(node["requestId"]) == 32
    assert datetime.fromisoformat(node["at"]).tzinfo is not None
    assert ids.decode(node["id"], "AuditEntry") > 0


async def test_entries_are_filtered_by_action_actor_subject_and_time(api: Api) -> None:
    world = await seed_world()
    made = await entries_by_scope(world)
    await AuditEvent.filter(id=made["canton"].id).update(at=datetime(2020, 1, 1, tzinfo=UTC))
    other = await audit.record("sponsor.thing", actor=world.people[Role.SUPER_ADMIN])
    reader = world.people[Role.SUPER_ADMIN]

    async def matching(**filter: str) -> list[int]:
        result = await api(AUDIT_LOG, {"filter": filter}, user=reader)
        return [ids.decode(e["node"]["id"], "AuditEntry") for e in result.ok()["auditLog"]["edges"]]

    assert await matching(action="sponsor.thing") == [other.id, made["sponsor"].id]
    assert await matching(actorId=gid(reader)) == [other.id]
    assert await matching(subjectId=gid(world.institution)) == [made["institution"].id]
    assert await matching(until="2021-01-01T00:00:00") == [made["canton"].id]
    assert made["canton"].id not in await matching(since="2021-01-01T00:00:00+00:00")


async def test_the_log_pages_backwards_in_time_without_gaps(api: Api) -> None:
    world = await seed_world()
    written = [await audit.record(f"thing.{n}", actor=None) for n in range(5)]
    reader = world.people[Role.CANTON_ADMIN]

    seen: list[str] = []
    after = None
    while True:
        page = (await api(AUDIT_LOG, {"first": 2, "after": after}, user=reader)).ok()["auditLog"]
        seen += [edge["node"]["action"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == [event.action for event in reversed(written)]


async def test_a_malformed_filter_or_cursor_is_bad_input(api: Api) -> None:
    world = await seed_world()
    reader = world.people[Role.CANTON_ADMIN]

    cursor = await api(AUDIT_LOG, {"after": "nonsense"}, user=reader)
    actor = await api(AUDIT_LOG, {"filter": {"actorId": gid(world.sponsor)}}, user=reader)
    subject = await api(AUDIT_LOG, {"filter": {"subjectId": "%%"}}, user=reader)
    size = await api(AUDIT_LOG, {"first": 101}, user=reader)

    assert [r.codes for r in (cursor, actor, subject, size)] == [["BAD_USER_INPUT"]] * 4


async def test_a_refused_change_is_recorded_although_the_change_rolled_back(api: Api) -> None:
    world = await seed_world()
    admin = world.people[Role.SPONSOR_ADMIN]
    foreign_kita = {"institutionId": gid(world.other_institution)}

    result = await api(
        INVITE_USER,
        {"input": {"email": "x@heim.ch", "role": "INSTITUTION_CLERK"} | foreign_kita},
        user=admin,
    )

    assert result.codes == ["FORBIDDEN"]
    assert not await User.filter(email_key="x@heim.ch").exists()
    denied = await AuditEvent.get(action="access.denied")
    assert (denied.actor_id, denied.actor_email) == (admin.id, "s***@heim.ch")
    assert (denied.sponsor_id, denied.institution_id) == (world.sponsor.id, None)
    assert denied.details == {"fields": ["inviteUser"]}
    assert denied.request_id is not None
    assert await AuditEvent.all().count() == 1


async def test_a_refusal_by_role_is_recorded_too_but_an_anonymous_call_is_not(api: Api) -> None:
    world = await seed_world()
    clerk = world.people[Role.INSTITUTION_CLERK]

    await api(BLOCK_USER, {"id": gid(world.people[Role.SPONSOR_CLERK])}, user=clerk)
    await api(BLOCK_USER, {"id": gid(world.people[Role.SPONSOR_CLERK])})

    denied = await AuditEvent.filter(action="access.denied")
    assert [(e.actor_id, e.institution_id, e.details) for e in denied] == [
        (clerk.id, world.institution.id, {"fields": ["blockUser"]})
    ]


async def test_the_admins_see_the_refused_attempts_of_their_own_people(api: Api) -> None:
    world = await seed_world()
    await api(AUDIT_LOG, user=world.people[Role.INSTITUTION_CLERK])

    result = await api(
        AUDIT_LOG,
        {"filter": {"action": "access.denied"}},
        user=world.people[Role.INSTITUTION_ADMIN],
    )

    assert actions(result) == ["access.denied"]


def test_nothing_in_the_api_changes_or_deletes_an_entry() -> None:
    mutation = schema._schema.mutation_type
    assert mutation is not None

    touching = [name for name in mutation.fields if "audit" in name.lower()]

    assert touching == []


async def test_one_request_of_many_refused_aliases_writes_one_entry_naming_the_fields(
    api: Api,
) -> None:
    applicant = await make_user(Role.APPLICANT)
    refused = [f"a{n}: auditLog {{ edges {{ cursor }} }}" for n in range(13)]
    refused += ["s1: sponsors { edges { cursor } }", "s2: sponsors { edges { cursor } }"]

    result = await api("{ " + " ".join(refused) + " }", user=applicant)

    assert result.codes == ["FORBIDDEN"] * 15
    (denied,) = await AuditEvent.filter(action="access.denied")
    assert denied.details == {"fields": ["auditLog", "sponsors"]}
    assert denied.actor_id == applicant.id
