"""The filters of the staff lists, each written into the list's one statement: they narrow the
page, its order and `totalCount` alike, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models import audit, clock
from models.invitation import Invitation, InvitationStatus, hash_token
from models.role import Role
from models.sponsor import SponsorStatus
from models.user import User
from tests.support.api import Api
from tests.support.builders import make_sponsor, make_user, unique


async def invited(address: str, *, status: InvitationStatus, expires_in: timedelta) -> None:
    person = await make_user(Role.SPONSOR_CLERK, email=address, bound=False)
    await Invitation.create(
        user=person,
        email=address,
        role=Role.SPONSOR_CLERK,
        sponsor=await make_sponsor(),
        token_hash=hash_token(unique("token")),
        status=status,
        expires_at=clock.now() + expires_in,
    )


INVITATIONS = """query ($status: InvitationStatus, $search: String) {
  invitations(first: 100, filter: {status: $status, search: $search}) {
    totalCount edges { node { email status } } } }"""


async def test_invitations_by_status_tell_pending_from_expired_by_the_clock(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    await invited("open@example.ch", status=InvitationStatus.PENDING, expires_in=timedelta(days=1))
    await invited("late@example.ch", status=InvitationStatus.PENDING, expires_in=-timedelta(1))
    await invited("gone@example.ch", status=InvitationStatus.REVOKED, expires_in=timedelta(1))

    async def emails(**variables: str) -> tuple[list[tuple[str, str]], int]:
        found = (await api(INVITATIONS, variables, user=canton)).ok()["invitations"]
        listed = [(e["node"]["email"], e["node"]["status"]) for e in found["edges"]]
        return listed, found["totalCount"]

    assert await emails(status="PENDING") == ([("open@example.ch", "PENDING")], 1)
    assert await emails(status="EXPIRED") == ([("late@example.ch", "EXPIRED")], 1)
    assert await emails(status="REVOKED") == ([("gone@example.ch", "REVOKED")], 1)
    assert await emails(search="LATE@") == ([("late@example.ch", "EXPIRED")], 1)


AUDIT = """query ($filter: AuditLogFilter) {
  auditLog(first: 100, filter: $filter) { totalCount edges { node { action } } } }"""


async def test_the_audit_log_between_two_moments_and_by_action(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    for hours, action in [(0, "a.early"), (1, "b.middle"), (2, "c.late"), (3, "b.middle")]:
        entry = await audit.record(action, actor=canton)
        entry.at = start + timedelta(hours=hours)
        await entry.save()

    async def actions(**wanted: str) -> tuple[list[str], int]:
        found = (await api(AUDIT, {"filter": wanted}, user=canton)).ok()["auditLog"]
        return [e["node"]["action"] for e in found["edges"]], found["totalCount"]

    since, until = (
        (start + timedelta(hours=1)).isoformat(),
        (start + timedelta(hours=3)).isoformat(),
    )
    assert await actions(since=since, until=until) == (["c.late", "b.middle"], 2)
    assert await actions(since=since, action="b.middle") == (["b.middle", "b.middle"], 2)
    # A moment without its zone is UTC.
    assert await actions(until=(start + timedelta(hours=1)).replace(tzinfo=None).isoformat()) == (
        ["a.early"],
        1,
    )


SPONSORS = """query ($search: String, $status: SponsorStatus) {
  sponsors(first: 100, search: $search, status: $status) { totalCount edges { node { name } } } }"""


async def test_sponsors_are_searched_without_case_and_accents_and_by_status(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    for name in ("Verein Zürichsee", "Stiftung ZURICH Nord", "Kita Bern"):
        await make_sponsor(name=name)
    withdrawn = await make_sponsor(name="Alt Zürich")
    withdrawn.status = SponsorStatus.WITHDRAWN
    await withdrawn.save()

    async def names(**variables: str) -> tuple[list[str], int]:
        found = (await api(SPONSORS, variables, user=canton)).ok()["sponsors"]
        return [e["node"]["name"] for e in found["edges"]], found["totalCount"]

    searched, total = await names(search="zurich")
    assert searched == ["Alt Zürich", "Stiftung ZURICH Nord", "Verein Zürichsee"]
    assert total == 3
    assert await names(search="zurich", status="WITHDRAWN") == (["Alt Zürich"], 1)


async def test_a_person_filter_never_reaches_past_the_scope(api: Api) -> None:
    sponsor = await make_sponsor()
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    await make_user(Role.SPONSOR_CLERK, email="outside@example.ch", sponsor=await make_sponsor())
    query = """{ users(first: 100, filter: {search: "outside"}) { totalCount edges { cursor } } }"""

    found = (await api(query, user=admin)).ok()["users"]

    assert (found["edges"], found["totalCount"]) == ([], 0)
    assert await User.filter(email="outside@example.ch").exists()
