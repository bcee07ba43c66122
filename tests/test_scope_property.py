"""A property of the whole API: whatever happens to the world — institutions move, roles
change, people are blocked and unblocked, invited and accept — no answer shows anyone an
object outside their scope, and every list shows exactly what the scope allows.

Hypothesis's stateful testing drives random steps through the domain; after every step each
person who can sign in asks one deep query over every root field (and `node` for every object)
through GraphQL. The oracle is the `Model` below: the contract's scope rule written out again,
on its own, over the world as the test tracks it (the scope module under test is not used).
Public data (the family portal, `pendingInvitation`'s names) is not asked for.

`TEST_SCOPE_EXAMPLES` and `TEST_SCOPE_STEPS` run it longer (docs/user-administration.md).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
import time
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from tortoise.contrib.test import truncate_all_models

from models import acceptance, blocking, correction, errors, registration, user_admin
from models.institution import CareType
from models.invitation import Invitation, InvitationStatus
from models.role import Role
from models.sign_in import Identity
from models.user import User, UserStatus
from schema.types import ids
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.flows import POLICY, token_of
from tests.support.idp import ISSUER

T = TypeVar("T")
EXAMPLES = int(os.environ.get("TEST_SCOPE_EXAMPLES", "10"))
STEPS = int(os.environ.get("TEST_SCOPE_STEPS", "8"))
SPONSOR_ROLES = {Role.SPONSOR_ADMIN, Role.SPONSOR_CLERK}
INSTITUTION_ROLES = {Role.INSTITUTION_ADMIN, Role.INSTITUTION_CLERK}
CANTON = {Role.SUPER_ADMIN, Role.CANTON_ADMIN, Role.CANTON_CLERK}
PAGE = "(first: 100)"
NODES_PER_REQUEST = 12  # under the request limit on aliases
LISTS = f"""
  sponsors{PAGE} {{ edges {{ node {{ id institutions{PAGE} {{ edges {{ node {{ id
    sponsor {{ id }} }} }} }} }} }} }}
  institutions{PAGE} {{ edges {{ node {{ id sponsor {{ id institutions{PAGE} {{ edges {{ node {{
    id }} }} }} }} }} }} }}
  invitations{PAGE} {{ edges {{ node {{ id sponsor {{ id institutions{PAGE} {{ edges {{ node {{
    id }} }} }} }} institution {{ id sponsor {{ id }} }} }} }} }}
"""
PEOPLE = f"""
  me {{ user {{ id sponsor {{ id }} institution {{ id sponsor {{ id }} }} }} }}
  users{PAGE} {{ edges {{ node {{ id sponsor {{ id }} institution {{ id sponsor {{ id }} }} }} }} }}
"""
# Shrinking a failing run replays it many times over; ask for it when investigating one.
PHASES = [p for p in Phase if p != Phase.shrink or os.environ.get("TEST_SCOPE_SHRINK")]
steps_run = itertools.count()


@dataclass
class Person:
    role: Role
    sponsor: int | None
    institution: int | None
    status: UserStatus
    email: str
    subject: str | None
    before_block: UserStatus | None = None


@dataclass
class Model:
    """The world as the test tracks it, and the contract's scope rule over it."""

    institutions: dict[int, int | None] = field(default_factory=dict)  # id → its sponsor
    sponsors: set[int] = field(default_factory=set)
    people: dict[int, Person] = field(default_factory=dict)
    invitations: dict[int, tuple[Role, int | None, int | None, int]] = field(default_factory=dict)

    def reach(self, person: Person) -> tuple[str, int | None]:
        if person.role in CANTON:
            return "canton", None
        if person.role in SPONSOR_ROLES and person.sponsor is not None:
            return "sponsor", person.sponsor
        if person.role in INSTITUTION_ROLES and person.institution is not None:
            return "institution", person.institution
        return "self", None

    def sees_institution(self, actor: Person, institution: int | None) -> bool:
        kind, at = self.reach(actor)
        if institution is None:
            return False
        return kind == "canton" or (kind, at) in {
            ("sponsor", self.institutions[institution]),
            ("institution", institution),
        }

    def sees_sponsor(self, actor: Person, sponsor: int) -> bool:
        kind, at = self.reach(actor)
        if kind == "institution" and at is not None:
            return self.institutions[at] == sponsor
        return kind == "canton" or (kind, at) == ("sponsor", sponsor)

    def sees_invitation(self, actor: Person, invitation: int) -> bool:
        """By the scope of the role it grants, and no other."""
        role, sponsor, institution, _ = self.invitations[invitation]
        kind, at = self.reach(actor)
        if kind == "canton":
            return True
        if role in SPONSOR_ROLES:
            return (kind, at) == ("sponsor", sponsor)
        if role in INSTITUTION_ROLES and institution is not None:
            return self.sees_institution(actor, institution) and kind != "canton"
        return False

    def sees_person(self, actor_id: int, target_id: int, pending: set[int]) -> bool:
        actor, target = self.people[actor_id], self.people[target_id]
        kind, at = self.reach(actor)
        if kind == "canton" or actor_id == target_id:
            return True
        if kind == "self":
            return False
        if target.role == Role.APPLICANT:  # shown as an open invitation in scope describes it
            return any(
                self.sees_invitation(actor, i)
                for i in pending
                if self.invitations[i][3] == target_id
            )
        if kind == "sponsor":
            return target.sponsor == at or (
                target.institution is not None and self.institutions[target.institution] == at
            )
        return target.institution == at

    def allowed(self, actor_id: int, pending: set[int]) -> dict[str, set[int]]:
        actor = self.people[actor_id]
        return {
            "Sponsor": {s for s in self.sponsors if self.sees_sponsor(actor, s)},
            "Institution": {i for i in self.institutions if self.sees_institution(actor, i)},
            "Invitation": {i for i in self.invitations if self.sees_invitation(actor, i)},
            "User": {u for u in self.people if self.sees_person(actor_id, u, pending)},
        }


def found_ids(answer: Any) -> Iterator[tuple[str, int]]:
    if isinstance(answer, dict):
        if isinstance(answer.get("id"), str):
            kind, number = base64.b64decode(answer["id"]).decode().split(":")
            yield kind, int(number)
        for value in answer.values():
            yield from found_ids(value)
    elif isinstance(answer, list):
        for value in answer:
            yield from found_ids(value)


def listed(answer: dict[str, Any], field_name: str, kind: str) -> set[int]:
    return {ids.decode(e["node"]["id"], kind) for e in answer[field_name]["edges"]}


PLACES = st.sampled_from(
    [
        (Role.SPONSOR_ADMIN, 0, None),
        (Role.SPONSOR_CLERK, 1, None),
        (Role.INSTITUTION_ADMIN, None, 0),
        (Role.INSTITUTION_CLERK, None, 1),
        (Role.INSTITUTION_CLERK, None, 2),
        (Role.CANTON_CLERK, None, None),
    ]
)


class ScopeWorld(RuleBasedStateMachine):
    """Runs each step's coroutines on the test's event loop, between the steps."""

    loop: asyncio.AbstractEventLoop
    api: Api

    def run(self, work: Awaitable[T]) -> T:
        async def done() -> T:
            return await work

        return self.loop.run_until_complete(done())

    @initialize()
    def world(self) -> None:
        self.model = Model()
        self.addresses = itertools.count()
        self.run(self._seed())

    async def _seed(self) -> None:
        await truncate_all_models()
        sponsors = [await make_sponsor(name=f"Träger {n}") for n in range(2)]
        places = [sponsors[0], sponsors[1], None]
        kitas = [await make_institution(name=f"Kita {n}", sponsor=s) for n, s in enumerate(places)]
        self.sponsor_ids = [s.id for s in sponsors]
        self.kita_ids = [k.id for k in kitas]
        self.model.sponsors = set(self.sponsor_ids)
        self.model.institutions = {k.id: k.sponsor_id for k in kitas}
        self.operator = await self._person(Role.SUPER_ADMIN, None, None)
        for role, sponsor, kita in [
            (Role.CANTON_CLERK, None, None),
            (Role.SPONSOR_ADMIN, sponsors[0], None),
            (Role.SPONSOR_CLERK, sponsors[0], None),
            (Role.SPONSOR_ADMIN, sponsors[1], None),
            (Role.INSTITUTION_ADMIN, None, kitas[0]),
            (Role.INSTITUTION_CLERK, None, kitas[1]),
            (Role.INSTITUTION_ADMIN, None, kitas[2]),
            (Role.APPLICANT, None, None),
            (Role.APPLICANT, None, None),
        ]:
            await self._person(role, sponsor, kita)
        # A reused sponsor admin invited to activate a new institution: the invitation that
        # names an institution which may move away.
        await self._register(self.sponsor_ids[0], reuse=True)

    async def _person(self, role: Role, sponsor: Any, kita: Any) -> User:
        made = await make_user(
            role, email=f"p{next(self.addresses)}@welt.ch", sponsor=sponsor, institution=kita
        )
        self.model.people[made.id] = Person(
            role, made.sponsor_id, made.institution_id, made.status, made.email, made.subject
        )
        return made

    def placed(self, place: tuple[Role, int | None, int | None]) -> dict[str, Any]:
        role, sponsor, kita = place
        return {
            "role": role,
            "sponsor_id": None if sponsor is None else self.sponsor_ids[sponsor],
            "institution_id": None if kita is None else self.kita_ids[kita],
        }

    def others(self) -> list[int]:
        return sorted(p for p in self.model.people if p != self.operator.id)

    @rule(pick=st.integers(0, 100), named=st.booleans())
    def move(self, pick: int, named: bool) -> None:
        """To the other sponsor (one without a sponsor goes to the first); `named`: one that
        an invitation names (Hypothesis favours small picks, which would always move the
        first)."""
        candidates = sorted(self.model.institutions)
        if named:
            candidates = (
                sorted({i for _, _, i, _ in self.model.invitations.values() if i}) or candidates
            )
        institution_id = candidates[pick % len(candidates)]
        first, second = self.sponsor_ids
        to = second if self.model.institutions[institution_id] == first else first
        change = correction.InstitutionCorrection(sponsor_id=to)
        self.run(
            correction.update_institution(
                by=self.operator, institution_id=institution_id, change=change
            )
        )
        self.model.institutions[institution_id] = to

    @rule(pick=st.integers(0, 100), place=PLACES)
    def change_role(self, pick: int, place: tuple[Role, int | None, int | None]) -> None:
        person_id = self.others()[pick % len(self.others())]
        if self.model.people[person_id].role == Role.APPLICANT:
            return  # an applicant takes a role by accepting an invitation
        where = self.placed(place)
        self.run(
            user_admin.change_role(by=self.operator, user_id=person_id, policy=POLICY, **where)
        )
        person = self.model.people[person_id]
        person.role, person.sponsor, person.institution = (
            where["role"],
            where["sponsor_id"],
            where["institution_id"],
        )

    @rule(pick=st.integers(0, 100))
    def block_or_unblock(self, pick: int) -> None:
        person_id = self.others()[pick % len(self.others())]
        person = self.model.people[person_id]
        if person.status == UserStatus.BLOCKED:
            self.run(blocking.unblock(by=self.operator, user_id=person_id))
            person.status, person.before_block = person.before_block or UserStatus.ACTIVE, None
        else:
            self.run(blocking.block(by=self.operator, user_id=person_id))
            person.status, person.before_block = UserStatus.BLOCKED, person.status

    @rule(applicant=st.booleans(), pick=st.integers(0, 100), place=PLACES)
    def invite(
        self, applicant: bool, pick: int, place: tuple[Role, int | None, int | None]
    ) -> None:
        parents = [p for p in self.others() if self.model.people[p].role == Role.APPLICANT]
        parents = [p for p in parents if self.model.people[p].status != UserStatus.BLOCKED]
        if applicant and parents:
            address = self.model.people[parents[pick % len(parents)]].email.upper()
        else:
            address = f"neu{next(self.addresses)}@welt.ch"
        done = self.run(
            user_admin.invite(
                by=self.operator,
                address=address,
                language=None,
                policy=POLICY,
                **self.placed(place),
            )
        )
        if done.user.id not in self.model.people:
            self.model.people[done.user.id] = Person(
                done.user.role, done.user.sponsor_id, done.user.institution_id,
                UserStatus.INVITED, address, None,
            )  # fmt: skip
        self.model.invitations[done.invitation.id] = (
            done.invitation.role,
            done.invitation.sponsor_id,
            done.invitation.institution_id,
            done.user.id,
        )

    @rule(sponsor=st.integers(0, 1), reuse=st.booleans())
    def register_institution(self, sponsor: int, reuse: bool) -> None:
        """With the sponsor's admin's address the admin is reused: an invitation to activate
        the new institution, granting the sponsor's role."""
        self.run(self._register(self.sponsor_ids[sponsor], reuse=reuse))

    async def _register(self, sponsor_id: int, *, reuse: bool) -> None:
        admins = [
            p.email for p in self.model.people.values()
            if (p.role, p.sponsor, p.status) == (Role.SPONSOR_ADMIN, sponsor_id, UserStatus.ACTIVE)
        ]  # fmt: skip
        address = admins[0] if reuse and admins else f"neu{next(self.addresses)}@welt.ch"
        done = await registration.register_institution(
            by=self.operator, name=f"Kita {next(self.addresses)}",
            care_type=CareType.DAYCARE_CENTER, vouchers_from=date.today(),
            admin_email=address, sponsor_id=sponsor_id, language=None, policy=POLICY,
        )  # fmt: skip
        assert done.institution is not None
        self.model.institutions[done.institution.id] = sponsor_id
        invitee = done.invitation.user_id
        if invitee not in self.model.people:
            self.model.people[invitee] = Person(
                Role.INSTITUTION_ADMIN, None, done.institution.id, UserStatus.INVITED, address, None
            )

    @rule(pick=st.integers(0, 100))
    def accept(self, pick: int) -> None:
        if not self.model.invitations:
            return
        invitation_id = sorted(self.model.invitations)[pick % len(self.model.invitations)]
        self.run(self._accept(invitation_id, self.model.invitations[invitation_id][3]))

    async def _accept(self, invitation_id: int, person_id: int) -> None:
        found = await Invitation.get(id=invitation_id)
        person = self.model.people[person_id]
        subject = person.subject or f"sub-welt-{person_id}"
        identity = Identity(issuer=ISSUER, subject=subject, email=found.email)
        token = await token_of(found)
        try:
            await acceptance.accept(token=token, identity=identity, caller=None)
        except errors.DomainError:
            return  # revoked, blocked, the last admin, …: nothing changed
        person.subject = subject
        person.role = found.role
        person.sponsor = found.sponsor_id
        person.institution = found.institution_id if found.sponsor_id is None else None
        if person.status == UserStatus.INVITED:
            person.status = UserStatus.ACTIVE

    @invariant()
    def the_database_holds_the_modelled_world(self) -> None:
        if not hasattr(self, "model"):
            return
        self.run(self._learn_new_invitations())
        rows: list[dict[str, Any]] = self.run(
            User.all().values("id", "role", "sponsor_id", "institution_id", "status")
        )
        stored = {
            r["id"]: (r["role"], r["sponsor_id"], r["institution_id"], r["status"]) for r in rows
        }
        modelled = {
            i: (p.role, p.sponsor, p.institution, p.status) for i, p in self.model.people.items()
        }
        assert stored == modelled

    async def _learn_new_invitations(self) -> None:
        """Invitations a step issued besides the one it asked for (a role change re-invites a
        person who never accepted): their fixed facts, as issued."""
        for row in await Invitation.exclude(id__in=list(self.model.invitations)):
            self.model.invitations[row.id] = (
                row.role, row.sponsor_id, row.institution_id, row.user_id,
            )  # fmt: skip

    @invariant()
    def nobody_sees_anything_outside_their_scope(self) -> None:
        if not hasattr(self, "model"):
            return
        self.run(self._learn_new_invitations())
        next(steps_run)
        open_ones = Invitation.filter(status=InvitationStatus.PENDING)
        pending = {row.id for row in self.run(open_ones.only("id"))}
        for actor_id, person in self.model.people.items():
            if person.status == UserStatus.BLOCKED or person.subject is None:
                continue
            self.run(self._check(actor_id, person, pending))

    async def _check(self, actor_id: int, person: Person, pending: set[int]) -> None:
        allowed = self.model.allowed(actor_id, pending)
        everything = (
            [("Sponsor", i) for i in self.model.sponsors]
            + [("Institution", i) for i in self.model.institutions]
            + [("Invitation", i) for i in self.model.invitations]
            + [("User", i) for i in self.model.people]
        )
        staff = person.role != Role.APPLICANT and self.model.reach(person)[0] != "self"
        token = self.api.idp.token(
            email=person.email, subject=person.subject, iat=int(time.time()) + 1
        )
        answer = (await self.api(f"{{ {LISTS if staff else ''} {PEOPLE} }}", token=token)).ok()
        for kind, number in found_ids(answer):
            assert number in allowed[kind], (person, kind, number)
        assert listed(answer, "users", "User") == allowed["User"], person
        if staff:
            assert listed(answer, "sponsors", "Sponsor") == allowed["Sponsor"], person
            assert listed(answer, "institutions", "Institution") == allowed["Institution"], person
            assert listed(answer, "invitations", "Invitation") == allowed["Invitation"], person
        for start in range(0, len(everything), NODES_PER_REQUEST):
            batch = tuple(everything[start : start + NODES_PER_REQUEST])
            await self._check_nodes(token, batch, allowed)

    async def _check_nodes(
        self, token: str, batch: tuple[tuple[str, int], ...], allowed: dict[str, set[int]]
    ) -> None:
        """`node` finds exactly the objects in scope, and null for every other."""
        probes = " ".join(
            f'n{n}: node(id: "{ids.encode(kind, i)}") {{ id }}' for n, (kind, i) in enumerate(batch)
        )
        answer = (await self.api(f"{{ {probes} }}", token=token)).ok()
        for n, (kind, number) in enumerate(batch):
            assert (answer[f"n{n}"] is not None) == (number in allowed[kind]), (kind, number)


@pytest.fixture
async def event_loop_now() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def test_nobody_ever_sees_anything_outside_their_scope(
    api: Api, event_loop_now: asyncio.AbstractEventLoop
) -> None:
    ScopeWorld.loop, ScopeWorld.api = event_loop_now, api
    before = next(steps_run)
    run_state_machine_as_test(
        ScopeWorld,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            phases=PHASES,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    print(f"scope property: {next(steps_run) - before - 1} checked steps")
