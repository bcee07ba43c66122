"""`viewerCan` says what the mutation will do: for every flag, every staff role and a stage of
targets in every state that matters, the flag read first is true exactly when the mutation then
changes something (its audit entry is written), and false when it is refused or changes
nothing. Targets the caller cannot see count as false.

The stage: the world of `tests/support/user_admin.py` (sponsor "Heim" with "Kita Heim", sponsor
"Fremd" with "Kita Fremd", one person per role at home), plus people, institutions and
invitations in the states the rules tell apart.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from models import registration, revocation, user_admin, withdrawal
from models.audit import AuditEvent
from models.institution import Institution, InstitutionStatus
from models.invitation import Invitation, InvitationStatus
from models.role import INSTITUTION_ROLES, Role
from models.user import User, UserStatus
from tests.support.api import Api
from tests.support.builders import make_institution, make_user, unique
from tests.support.flows import POLICY
from tests.support.user_admin import MAY_GRANT, World, gid, seed_world

VIEWERS = [
    Role.SUPER_ADMIN,
    Role.CANTON_ADMIN,
    Role.CANTON_CLERK,
    Role.SPONSOR_ADMIN,
    Role.SPONSOR_CLERK,
    Role.INSTITUTION_ADMIN,
    Role.INSTITUTION_CLERK,
]

MASTER_DATA = {
    "address": {
        "organisation": "Kita GmbH",
        "street": "Weg",
        "houseNumber": "1",
        "postalCode": "3000",
        "town": "Bern",
    },
    "contactEmail": "eltern@heim.ch",
    "openingDays": ["MONDAY"],
    "openingTime": "07:00",
    "closingTime": "18:00",
    "iban": "CH9300762011623852957",
    "accountHolder": "Kita GmbH",
    "places": 10,
}


@dataclass
class Stage:
    world: World
    users: dict[str, User]
    institutions: dict[str, Institution]
    invitations: dict[str, Invitation]


async def _invite(
    world: World, role: Role, *, sponsor_id: int | None = None, institution_id: int | None = None
) -> user_admin.Invited:
    return await user_admin.invite(
        by=world.people[Role.SUPER_ADMIN],
        address=f"{unique('eingeladen')}@heim.ch",
        role=role,
        sponsor_id=sponsor_id,
        institution_id=institution_id,
        language=None,
        policy=POLICY,
    )


async def _blocked_clerk(world: World, by: Role) -> User:
    clerk = await make_user(
        Role.INSTITUTION_CLERK, institution=world.institution, status=UserStatus.BLOCKED
    )
    clerk.status_before_block, clerk.blocked_by_role = UserStatus.ACTIVE, by
    await clerk.save()
    return clerk


async def stage() -> Stage:
    world = await seed_world()
    people, home = world.people, world.institution.id
    canton_admin, canton_clerk = people[Role.CANTON_ADMIN], people[Role.CANTON_CLERK]
    closed = await make_institution(name="Kita Zu", sponsor=world.sponsor)
    left = await make_user(Role.INSTITUTION_CLERK, institution=closed)
    await withdrawal.withdraw_institution(by=canton_admin, institution_id=closed.id, reason=None)
    registered = await registration.register_institution(
        by=canton_clerk,
        name="Kita Neu",
        care_type=closed.care_type,
        vouchers_from=datetime.date(2024, 8, 1),
        admin_email="leitung@kita-neu.ch",
        sponsor_id=None,
        language=None,
        policy=POLICY,
    )
    applicant = await make_user(Role.APPLICANT, email="elternteil@heim.ch")
    invited_applicant = await user_admin.invite(
        by=people[Role.SPONSOR_ADMIN],
        address=applicant.email,
        role=Role.INSTITUTION_CLERK,
        sponsor_id=None,
        institution_id=world.institution.id,
        language=None,
        policy=POLICY,
    )
    invitee = await _invite(world, Role.INSTITUTION_CLERK, institution_id=home)
    sponsor_clerk_invited = await _invite(world, Role.SPONSOR_CLERK, sponsor_id=world.sponsor.id)
    expired = await _invite(world, Role.INSTITUTION_CLERK, institution_id=home)
    await Invitation.filter(id=expired.invitation.id).update(
        expires_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    )
    revoked = await _invite(world, Role.INSTITUTION_CLERK, institution_id=home)
    await revocation.revoke(by=people[Role.SUPER_ADMIN], invitation_id=revoked.invitation.id)
    accepted = await _invite(world, Role.INSTITUTION_CLERK, institution_id=home)
    await Invitation.filter(id=accepted.invitation.id).update(status=InvitationStatus.ACCEPTED)
    foreign = await _invite(
        world, Role.INSTITUTION_CLERK, institution_id=world.other_institution.id
    )
    users = {role.value: person for role, person in people.items() if role != Role.APPLICANT}
    users |= {
        "colleague": await make_user(Role.INSTITUTION_CLERK, institution=world.institution),
        "blocked by an admin": await _blocked_clerk(world, Role.INSTITUTION_ADMIN),
        "blocked by the canton": await _blocked_clerk(world, Role.CANTON_ADMIN),
        "blocked by withdrawal": left,
        "never accepted": invitee.user,
        "registered by the clerk": registered.invitation.user,
        "invited applicant": applicant,
        "foreign admin": world.foreign,
    }
    institutions = {
        "home": world.institution,
        "active": await make_institution(sponsor=world.sponsor, status=InstitutionStatus.ACTIVE),
        "foreign": world.other_institution,
        "withdrawn": closed,
        "registered": await Institution.get(id=registered.invitation.institution_id),
    }
    invitations = {
        "pending, institution role": invitee.invitation,
        "pending, sponsor role": sponsor_clerk_invited.invitation,
        "expired": expired.invitation,
        "revoked": revoked.invitation,
        "accepted": accepted.invitation,
        "foreign": foreign.invitation,
        "registration's": registered.invitation,
        "an applicant's": invited_applicant.invitation,
    }
    return Stage(world, users, institutions, invitations)


def new_place(stage: Stage, viewer: Role, target: User) -> dict[str, Any]:
    """A role and place the viewer may give (the contract's table, at home) that the target does
    not hold; for viewers who may give nothing, one they would be refused."""
    world = stage.world
    candidates = [
        (Role.INSTITUTION_ADMIN, {"institutionId": gid(world.institution)}),
        (Role.INSTITUTION_CLERK, {"institutionId": gid(world.institution)}),
        (Role.SPONSOR_CLERK, {"sponsorId": gid(world.sponsor)}),
        (Role.SPONSOR_ADMIN, {"sponsorId": gid(world.sponsor)}),
    ]
    for role, where in candidates:
        held = role == target.role and (
            target.institution_id == world.institution.id or target.sponsor_id == world.sponsor.id
        )
        grantable = role in MAY_GRANT.get(viewer, set())
        if viewer == Role.INSTITUTION_ADMIN:
            grantable = grantable and role in INSTITUTION_ROLES
        if grantable and not held:
            return {"role": role.value, **where}
    return {"role": Role.INSTITUTION_ADMIN.value, "institutionId": gid(world.institution)}


def mutation(document: str) -> Callable[..., Awaitable[None]]:
    async def run(api: Api, viewer: User, **variables: Any) -> None:
        await api(document, variables, user=viewer)

    return run


BLOCK = mutation("mutation ($id: ID!) { blockUser(id: $id) { __typename } }")
UNBLOCK = mutation("mutation ($id: ID!) { unblockUser(id: $id) { __typename } }")
DELETE = mutation("mutation ($id: ID!) { deleteUser(id: $id) { __typename } }")
CHANGE_ROLE = mutation(
    "mutation ($id: ID!, $input: ChangeUserRoleInput!) "
    "{ changeUserRole(id: $id, input: $input) { __typename } }"
)
RESEND = mutation("mutation ($id: ID!) { resendInvitation(id: $id) { __typename } }")
REVOKE = mutation("mutation ($id: ID!) { revokeInvitation(id: $id) { __typename } }")
WITHDRAW = mutation("mutation ($id: ID!) { withdrawInstitution(id: $id) { __typename } }")
EDIT = mutation(
    "mutation ($id: ID!, $input: MasterDataInput!) "
    "{ updateInstitutionMasterData(id: $id, input: $input) { __typename } }"
)
INVITE = mutation(
    "mutation ($input: InviteUserInput!) { inviteUser(input: $input) { __typename } }"
)


async def try_user(api: Api, stage: Stage, viewer: Role, flag: str, target: User) -> None:
    caller, id = stage.world.people[viewer], gid(target)
    if flag == "block":
        await BLOCK(api, caller, id=id)
    elif flag == "unblock":
        await UNBLOCK(api, caller, id=id)
    elif flag == "delete":
        await DELETE(api, caller, id=id)
    else:
        await CHANGE_ROLE(api, caller, id=id, input=new_place(stage, viewer, target))


async def try_institution(api: Api, stage: Stage, viewer: Role, flag: str, target: Any) -> None:
    caller, id = stage.world.people[viewer], gid(target)
    if flag == "withdraw":
        await WITHDRAW(api, caller, id=id)
    elif flag == "editMasterData":
        await EDIT(api, caller, id=id, input=MASTER_DATA)
    else:
        for role in (Role.INSTITUTION_ADMIN, Role.INSTITUTION_CLERK):
            address = f"{unique('neu')}@heim.ch"
            invite = {"email": address, "role": role.value, "institutionId": id}
            await INVITE(api, caller, input=invite)


async def try_invitation(api: Api, stage: Stage, viewer: Role, flag: str, target: Any) -> None:
    caller, id = stage.world.people[viewer], gid(target)
    await (RESEND if flag == "resend" else REVOKE)(api, caller, id=id)


Trial = Callable[[Api, Stage, Role, str, Any], Awaitable[None]]
# flag → (the type, its targets, the audit entry a change writes, the trial)
FLAGS: dict[str, tuple[str, str, str, Trial]] = {
    "block": ("User", "users", "user.blocked", try_user),
    "unblock": ("User", "users", "user.unblocked", try_user),
    "changeRole": ("User", "users", "user.role_changed", try_user),
    "delete": ("User", "users", "user.deleted", try_user),
    "editMasterData": (
        "Institution",
        "institutions",
        "institution.master_data_updated",
        try_institution,
    ),
    "withdraw": ("Institution", "institutions", "institution.withdrawn", try_institution),
    "invite": ("Institution", "institutions", "user.invited", try_institution),
    "resend": ("Invitation", "invitations", "invitation.resent", try_invitation),
    "revoke": ("Invitation", "invitations", "invitation.revoked", try_invitation),
}
LISTS = {
    "users": "users(first: 100) { edges { node { id viewerCan { %s } } } }",
    "institutions": "institutions(first: 100) { edges { node { id viewerCan { %s } } } }",
    "invitations": "invitations(first: 100) { edges { node { id viewerCan { %s } } } }",
}
SELECTIONS = {
    "User": "block unblock changeRole delete",
    "Institution": "editMasterData withdraw invite",
    "Invitation": "resend revoke",
}


async def read_flags(api: Api, stage: Stage, viewer: User, kind: str) -> dict[str, Any]:
    """Each target's viewerCan from its list, checked against the same read through `node`;
    null for a target the list does not show."""
    typename, targets = FLAGS_BY_KIND[kind], getattr(stage, kind)
    selection = SELECTIONS[typename]
    nodes = " ".join(
        f'n{i}: node(id: "{gid(row)}") {{ ... on {typename} {{ viewerCan {{ {selection} }} }} }}'
        for i, row in enumerate(targets.values())
    )
    result = await api(f"{{ {LISTS[kind] % selection} {nodes} }}", user=viewer)
    data = result.ok()
    listed = {edge["node"]["id"]: edge["node"]["viewerCan"] for edge in data[kind]["edges"]}
    flags = {}
    for i, (name, row) in enumerate(targets.items()):
        by_node = data[f"n{i}"]
        flags[name] = listed.get(gid(row))
        assert (by_node or {}).get("viewerCan") == flags[name], (name, by_node, flags[name])
    return flags


FLAGS_BY_KIND = {"users": "User", "institutions": "Institution", "invitations": "Invitation"}


@pytest.mark.parametrize("flag", list(FLAGS))
@pytest.mark.parametrize("viewer", VIEWERS, ids=[role.value for role in VIEWERS])
async def test_viewer_can_says_what_the_mutation_then_does(
    api: Api, viewer: Role, flag: str
) -> None:
    world = await stage()
    _, kind, action, trial = FLAGS[flag]
    flags = await read_flags(api, world, world.world.people[viewer], kind)

    done = {}
    for name, target in getattr(world, kind).items():
        before = await AuditEvent.filter(action=action).count()
        await trial(api, world, viewer, flag, target)
        done[name] = await AuditEvent.filter(action=action).count() > before

    said = {name: bool(shown and shown[flag]) for name, shown in flags.items()}
    assert said == done


async def test_every_flag_is_true_for_someone_and_false_for_someone(api: Api) -> None:
    world = await stage()
    seen: dict[str, set[bool]] = {flag: set() for flag in FLAGS}

    for viewer in VIEWERS:
        for kind in LISTS:
            for shown in (await read_flags(api, world, world.world.people[viewer], kind)).values():
                for flag, value in (shown or {}).items():
                    seen[flag].add(value)

    assert seen == {flag: {True, False} for flag in FLAGS}


async def test_an_invited_applicant_shown_as_its_invitation_offers_nothing_outside_the_canton(
    api: Api,
) -> None:
    world = await stage()
    applicant = world.users["invited applicant"]

    for viewer, expected in [
        (Role.SPONSOR_ADMIN, {"block": False, "unblock": False, "changeRole": False}),
        (Role.CANTON_ADMIN, {"block": True, "unblock": False, "changeRole": True}),
    ]:
        flags = await read_flags(api, world, world.world.people[viewer], "users")
        shown = flags["invited applicant"]
        assert shown is not None
        assert {flag: shown[flag] for flag in expected} == expected, viewer
    assert applicant.role == Role.APPLICANT
