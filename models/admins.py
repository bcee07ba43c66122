"""Whether a sponsor or an institution has anyone to run it: an admin, or one on the way.

A sponsor has an admin when a `SPONSOR_ADMIN` of it is `ACTIVE`, or when someone not blocked
holds a pending invitation, not expired, that makes them one (an invited admin who may still
accept, an applicant invited to it). An institution has an admin when it has one of its own
(`INSTITUTION_ADMIN`, counted the same way) or when its sponsor has one: a sponsor's admins run
its institutions, as the last-active-admin rule counts them. Blocked admins, and invited ones
whose invitations all expired or were revoked, do not count. Withdrawn sponsors and
institutions need none: they are never "without an admin".

The rule is one condition per kind of row, evaluated as a Tortoise `Q` (the sponsors list, the
signal) and as plain SQL (the hand-written institutions list) from the same definition. The
canton hears of a place left without an admin through the audit entries `sponsor.admin_missing`
and `institution.admin_missing` (`report_missing`, `reported_if_left`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from tortoise.expressions import Q, Subquery

from models import audit, clock
from models.conditions import AllOf, AnyOf, Condition, Not
from models.institution import Institution
from models.invitation import Invitation, InvitationStatus
from models.role import Role
from models.scope import NOT_WITHDRAWN, SPONSOR_NOT_WITHDRAWN
from models.sponsor import Sponsor
from models.user import User, UserStatus


@dataclass(frozen=True, slots=True)
class AdminAt:
    """The row's `column` names a place where someone holds `role`, or is about to: an active
    holder, or a pending invitation of someone not blocked that has not expired at `now`.
    `place` is the column of `user` and `invitation` that names the place. Never NULL in SQL,
    so `Not` may turn it round. In Python, the row says so under `has_admin` (a check on a
    loaded row never counts on it)."""

    column: str
    role: Role
    place: str
    now: datetime

    def q(self) -> Q:
        placed = {f"{self.place}__isnull": False}
        active = User.filter(role=self.role, status=UserStatus.ACTIVE, **placed)
        not_blocked = User.exclude(status=UserStatus.BLOCKED).values("id")
        invited = Invitation.filter(
            role=self.role,
            status=InvitationStatus.PENDING,
            expires_at__gt=self.now,
            user_id__in=Subquery(not_blocked),
            **placed,
        )
        held: dict[str, Any] = {f"{self.column}__in": Subquery(active.values(self.place))}
        coming: dict[str, Any] = {f"{self.column}__in": Subquery(invited.values(self.place))}
        named: dict[str, Any] = {f"{self.column}__isnull": False}
        return Q(Q(**named), Q(Q(**held), Q(**coming), join_type="OR"), join_type="AND")

    def sql(self, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        column = f'{alias}."{self.column}"' if alias else f'"{self.column}"'
        place = f'"{self.place}"'
        # The placeholders in the order of the text: SQLite binds `?` by position.
        active = (
            f'SELECT a.{place} FROM "user" a WHERE a."role" = {next(mark)} '  # noqa: S608
            f'AND a."status" = {next(mark)} AND a.{place} IS NOT NULL'
        )
        invited = (
            f'SELECT v.{place} FROM "invitation" v WHERE v."role" = {next(mark)} '  # noqa: S608
            f'AND v."status" = {next(mark)} AND v."expires_at" > {next(mark)} '
            f"AND v.{place} IS NOT NULL "
            f'AND v."user_id" IN (SELECT b."id" FROM "user" b WHERE b."status" <> {next(mark)})'
        )
        text = f"{column} IS NOT NULL AND ({column} IN ({active}) OR {column} IN ({invited}))"
        role, active_status = self.role.value, UserStatus.ACTIVE.value
        pending, blocked = InvitationStatus.PENDING.value, UserStatus.BLOCKED.value
        return text, [role, active_status, role, pending, self.now, blocked]

    def holds(self, row: Mapping[str, Any]) -> bool:
        return bool(row.get("has_admin"))


def sponsor_has_admin(now: datetime) -> Condition:
    """Sponsor rows (`id`)."""
    return AdminAt("id", Role.SPONSOR_ADMIN, "sponsor_id", now)


def institution_has_admin(now: datetime) -> Condition:
    """Institution rows (`id`, `sponsor_id`): its own admin, or its sponsor's."""
    return AnyOf(
        (
            AdminAt("id", Role.INSTITUTION_ADMIN, "institution_id", now),
            AdminAt("sponsor_id", Role.SPONSOR_ADMIN, "sponsor_id", now),
        )
    )


def sponsors_where(*, without_admin: bool) -> Condition:
    """Sponsors that are not withdrawn and have no admin now (or, `False`, have one)."""
    has = sponsor_has_admin(clock.now())
    return AllOf((SPONSOR_NOT_WITHDRAWN, Not(has) if without_admin else has))


def institutions_where(*, without_admin: bool) -> Condition:
    """Institutions that are not withdrawn and have no admin now (or, `False`, have one)."""
    has = institution_has_admin(clock.now())
    return AllOf((NOT_WITHDRAWN, Not(has) if without_admin else has))


class Holder(Protocol):
    """A role at a place: an account, or an invitation to one."""

    @property
    def role(self) -> Role: ...
    @property
    def sponsor_id(self) -> int | None: ...
    @property
    def institution_id(self) -> int | None: ...


def places_run_by(holder: Holder) -> tuple[set[int], set[int]]:
    """The sponsors and institutions whose admins `holder` counts among (or would, for an
    invitation): (sponsor ids, institution ids). Clerks run nothing."""
    if holder.role == Role.SPONSOR_ADMIN and holder.sponsor_id is not None:
        return {holder.sponsor_id}, set()
    if holder.role == Role.INSTITUTION_ADMIN and holder.institution_id is not None:
        return set(), {holder.institution_id}
    return set(), set()


async def run_now(
    sponsor_ids: Collection[int], institution_ids: Collection[int]
) -> tuple[set[int], set[int]]:
    """Those of these sponsors and institutions that have an admin now."""
    sponsors = await _ids_of(Sponsor, sponsors_where(without_admin=False), sponsor_ids)
    institutions = await _ids_of(
        Institution, institutions_where(without_admin=False), institution_ids
    )
    return sponsors, institutions


async def _ids_of(
    model: type[Sponsor | Institution], where: Condition, ids: Collection[int]
) -> set[int]:
    if not ids:
        return set()
    found = model.filter(where.q(), id__in=list(ids)).values_list("id", flat=True)
    return set(await found)  # type: ignore[arg-type]  # flat: ids, not tuples


@asynccontextmanager
async def reported_if_left(*, by: User | None, holder: Holder) -> AsyncIterator[None]:
    """Around a change to `holder`, in the caller's transaction: `report_missing` for the
    places it ran that had an admin before the change (a place already without one was
    without one before, and is not "left" by it)."""
    sponsor_ids, institution_ids = await run_now(*places_run_by(holder))
    yield
    await report_missing(by=by, sponsor_ids=sponsor_ids, institution_ids=institution_ids)


async def report_missing(
    *, by: User | None, sponsor_ids: Collection[int], institution_ids: Collection[int] = ()
) -> int:
    """In the caller's transaction, after a change that may have taken the last admin away:
    one `sponsor.admin_missing` entry for each of these sponsors left without an admin (with
    its institutions left without one), one `institution.admin_missing` for each of these
    institutions left without one that no sponsor entry lists. Returns how many."""
    if not sponsor_ids and not institution_ids:
        return 0
    written, listed = 0, set()
    left_alone = sponsors_where(without_admin=True).q()
    for found in await Sponsor.filter(left_alone, id__in=list(sponsor_ids)).order_by("id"):
        theirs = Institution.filter(institutions_where(without_admin=True).q(), sponsor_id=found.id)
        alone = [row.id for row in await theirs.order_by("id").only("id")]
        listed.update(alone)
        await audit.record(
            "sponsor.admin_missing",
            actor=by,
            subject=found,
            sponsor_id=found.id,
            details={"name": found.name, "institutions": list(alone)},
        )
        written += 1
    asked = [i for i in institution_ids if i not in listed]
    alone_q = institutions_where(without_admin=True).q()
    for place in await Institution.filter(alone_q, id__in=asked).order_by("id"):
        await audit.record(
            "institution.admin_missing",
            actor=by,
            subject=place,
            institution_id=place.id,
            sponsor_id=place.sponsor_id,
            details={"name": place.name},
        )
        written += 1
    return written


async def report_left_by(*, by: User | None, person: User) -> int:
    """`report_missing` for the places `person` ran, once it no longer runs them."""
    sponsor_ids, institution_ids = places_run_by(person)
    return await report_missing(by=by, sponsor_ids=sponsor_ids, institution_ids=institution_ids)
