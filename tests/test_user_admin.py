"""Flow 7 and 8: admins invite colleagues with a role they may grant, where they may grant it."""

from __future__ import annotations

import asyncio

import pytest

from mailer.outbox import OutboxMessage
from models import user_admin
from models.audit import AuditEvent
from models.errors import EmailAlreadyInUse
from models.invitation import Invitation, InvitationStatus
from models.role import Role
from models.user import User, UserStatus
from schema.types import ids
from tests.support import database
from tests.support.api import Api
from tests.support.builders import make_institution, make_user
from tests.support.flows import POLICY
from tests.support.user_admin import INVITE_USER, MAY_GRANT, World, gid, seed_world


def invite_input(world: World, role: Role, **overrides: object) -> dict[str, object]:
    values = {"email": "Neu.Person@Heim.ch", "role": role.value} | world.scope_of(role)
    return {"input": values | overrides}


async def nothing_was_written(users_before: int) -> bool:
    return (
        await User.all().count() == users_before
        and await Invitation.all().count() == 0
        and await OutboxMessage.all().count() == 0
        and not await AuditEvent.filter(action="user.invited").exists()
    )


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("granter", list(Role))
async def test_each_role_grants_exactly_what_the_contract_table_says(
    api: Api, granter: Role, role: Role
) -> None:
    world = await seed_world()
    users_before = await User.all().count()

    result = await api(INVITE_USER, invite_input(world, role), user=world.people[granter])

    if role in MAY_GRANT.get(granter, set()):
        assert result.ok()["inviteUser"]["__typename"] == "InviteUserSuccess"
        invited = await User.get(email_key="neu.person@heim.ch")
        assert (invited.role, invited.status) == (role, UserStatus.INVITED)
        assert await OutboxMessage.filter(recipient="Neu.Person@Heim.ch").count() == 1
    else:
        assert result.codes == ["FORBIDDEN"]
        assert result.data == {"inviteUser": None}
        assert await nothing_was_written(users_before)


async def test_an_invitation_creates_an_invited_account_its_mail_and_an_audit_entry(
    api: Api,
) -> None:
    world = await seed_world()
    admin = world.people[Role.SPONSOR_ADMIN]

    result = await api(
        INVITE_USER,
        invite_input(world, Role.INSTITUTION_CLERK, firstName=" Nora ", lastName="Neu"),
        user=admin,
    )

    payload = result.ok()["inviteUser"]
    assert payload["__typename"] == "InviteUserSuccess"
    assert payload["user"] | {"id": None} == {
        "id": None,
        "email": "Neu.Person@Heim.ch",
        "role": "INSTITUTION_CLERK",
        "status": "INVITED",
        "firstName": "Nora",
        "lastName": "Neu",
        "sponsor": None,
        "institution": {"name": "Kita Heim"},
    }
    assert payload["invitation"]["status"] == "PENDING"
    assert payload["invitation"]["institution"] == {"name": "Kita Heim"}
    assert payload["warnings"] == []
    invitation = await Invitation.get()
    assert invitation.invited_by_id == admin.id
    event = await AuditEvent.get(action="user.invited")
    assert (event.actor_id, event.subject_type) == (admin.id, "User")
    assert (event.institution_id, event.sponsor_id) == (world.institution.id, world.sponsor.id)
    assert event.details == {
        "email": "n***@heim.ch",
        "role": "INSTITUTION_CLERK",
        "invitation": invitation.id,
    }


@pytest.mark.parametrize(
    ("inviter", "role", "where"),
    [
        (Role.SPONSOR_ADMIN, Role.SPONSOR_CLERK, "other_sponsor"),
        (Role.SPONSOR_ADMIN, Role.INSTITUTION_CLERK, "other_institution"),
        (Role.INSTITUTION_ADMIN, Role.INSTITUTION_CLERK, "other_institution"),
    ],
)
async def test_inviting_outside_ones_own_scope_is_forbidden(
    api: Api, inviter: Role, role: Role, where: str
) -> None:
    world = await seed_world()
    field = "sponsorId" if where == "other_sponsor" else "institutionId"
    users_before = await User.all().count()

    result = await api(
        INVITE_USER,
        {"input": {"email": "x@heim.ch", "role": role.value, field: gid(getattr(world, where))}},
        user=world.people[inviter],
    )

    assert result.codes == ["FORBIDDEN"]
    assert await nothing_was_written(users_before)
    assert await AuditEvent.filter(action="access.denied").count() == 1


async def test_an_institution_admin_may_not_invite_into_a_sister_institution(api: Api) -> None:
    world = await seed_world()
    sister = await make_institution(sponsor=world.sponsor)

    result = await api(
        INVITE_USER,
        {
            "input": {
                "email": "x@heim.ch",
                "role": "INSTITUTION_CLERK",
                "institutionId": gid(sister),
            }
        },
        user=world.people[Role.INSTITUTION_ADMIN],
    )

    assert result.codes == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("role", "scope", "fields"),
    [
        (Role.INSTITUTION_CLERK, "sponsor", {"sponsorId", "institutionId"}),
        (Role.SPONSOR_CLERK, "institution", {"sponsorId", "institutionId"}),
        (Role.SPONSOR_ADMIN, "both", {"institutionId"}),
        (Role.CANTON_CLERK, "institution", {"institutionId"}),
        (Role.APPLICANT, "sponsor", {"sponsorId"}),
    ],
)
async def test_a_role_must_fit_its_kind_of_scope(
    api: Api, role: Role, scope: str, fields: set[str]
) -> None:
    world = await seed_world()
    given = {
        "sponsor": {"sponsorId": gid(world.sponsor)},
        "institution": {"institutionId": gid(world.institution)},
        "both": {"sponsorId": gid(world.sponsor), "institutionId": gid(world.institution)},
    }[scope]
    users_before = await User.all().count()

    result = await api(
        INVITE_USER,
        {"input": {"email": "x@heim.ch", "role": role.value} | given},
        user=world.people[Role.SUPER_ADMIN],
    )

    payload = result.ok()["inviteUser"]
    assert payload["__typename"] == "InvalidInput"
    assert {e["field"] for e in payload["fieldErrors"]} == fields
    assert await nothing_was_written(users_before)


async def test_every_invalid_field_is_reported_at_once(api: Api) -> None:
    world = await seed_world()

    result = await api(
        INVITE_USER,
        {"input": {"email": "nope", "role": "INSTITUTION_CLERK", "lastName": "x" * 101}},
        user=world.people[Role.SUPER_ADMIN],
    )

    payload = result.ok()["inviteUser"]
    assert {e["field"] for e in payload["fieldErrors"]} == {"email", "lastName", "institutionId"}


async def test_an_unknown_scope_is_not_found_and_a_malformed_id_is_bad_input(api: Api) -> None:
    world = await seed_world()
    admin = world.people[Role.CANTON_ADMIN]

    unknown = await api(
        INVITE_USER,
        invite_input(world, Role.SPONSOR_ADMIN, sponsorId=ids.encode("Sponsor", 999_999)),
        user=admin,
    )
    malformed = await api(
        INVITE_USER, invite_input(world, Role.INSTITUTION_ADMIN, institutionId="bad"), user=admin
    )
    wrong_type = await api(
        INVITE_USER,
        invite_input(world, Role.INSTITUTION_ADMIN, institutionId=gid(world.sponsor)),
        user=admin,
    )

    assert unknown.ok()["inviteUser"]["__typename"] == "NotFound"
    assert malformed.codes == ["BAD_USER_INPUT"]
    assert wrong_type.codes == ["BAD_USER_INPUT"]
    assert await Invitation.all().count() == 0


@pytest.mark.parametrize("status", list(UserStatus))
@pytest.mark.parametrize("holder_role", [Role.SPONSOR_CLERK, Role.CANTON_ADMIN])
async def test_an_address_held_by_staff_is_refused_whatever_its_case_and_status(
    api: Api, holder_role: Role, status: UserStatus
) -> None:
    world = await seed_world()
    await make_user(holder_role, email="Anna.Muster@Heim.ch", status=status)
    users_before = await User.all().count()

    result = await api(
        INVITE_USER,
        invite_input(world, Role.SPONSOR_CLERK, email="  ANNA.muster@heim.CH "),
        user=world.people[Role.SPONSOR_ADMIN],
    )

    assert result.ok()["inviteUser"]["__typename"] == "EmailAlreadyInUse"
    assert await nothing_was_written(users_before)


async def test_an_applicants_address_may_be_invited_and_the_same_account_is_reused(
    api: Api,
) -> None:
    world = await seed_world()
    applicant = await make_user(Role.APPLICANT, email="eva@heim.ch")

    result = await api(
        INVITE_USER,
        invite_input(world, Role.INSTITUTION_CLERK, email="Eva@Heim.ch"),
        user=world.people[Role.INSTITUTION_ADMIN],
    )

    payload = result.ok()["inviteUser"]
    assert payload["__typename"] == "InviteUserSuccess"
    assert payload["user"]["id"] == gid(applicant)
    assert payload["user"]["role"] == "INSTITUTION_CLERK"  # as the invitation describes it
    assert payload["invitation"]["role"] == "INSTITUTION_CLERK"
    assert await User.filter(email_key="eva@heim.ch").count() == 1
    assert (await User.get(id=applicant.id)).role == Role.APPLICANT  # until acceptance


async def test_a_shared_mailbox_is_invited_with_a_warning(api: Api) -> None:
    world = await seed_world()

    result = await api(
        INVITE_USER,
        invite_input(world, Role.INSTITUTION_CLERK, email="Kontakt@heim.ch"),
        user=world.people[Role.INSTITUTION_ADMIN],
    )

    payload = result.ok()["inviteUser"]
    assert payload["__typename"] == "InviteUserSuccess"
    assert [w["code"] for w in payload["warnings"]] == ["SHARED_MAILBOX"]


async def test_the_full_address_appears_nowhere_in_the_audit_trail(api: Api) -> None:
    world = await seed_world()

    await api(
        INVITE_USER, invite_input(world, Role.SPONSOR_CLERK), user=world.people[Role.SPONSOR_ADMIN]
    )

    entries = await AuditEvent.all()
    assert entries
    assert all("neu.person@heim.ch" not in str(e.details).lower() for e in entries)
    assert all("neu.person" not in (e.actor_email or "") for e in entries)


postgres_only = pytest.mark.skipif(
    not database.is_postgres(), reason="concurrent writers need PostgreSQL"
)
SPELLINGS = [
    "anna@heim.ch",
    "Anna@heim.ch",
    "ANNA@HEIM.CH",
    "anna@Heim.ch",
    "aNNa@heim.ch",
    "Anna@Heim.Ch",
    " anna@heim.ch ",
    "ANNA@heim.ch",
    "anna@HEIM.ch",
    "AnNa@hEiM.cH",
]


@postgres_only
async def test_ten_simultaneous_invitations_of_one_address_give_exactly_one_account() -> None:
    world = await seed_world()
    admin = world.people[Role.SPONSOR_ADMIN]

    outcomes = await asyncio.gather(
        *(
            user_admin.invite(
                by=admin,
                address=address,
                role=Role.SPONSOR_CLERK,
                sponsor_id=world.sponsor.id,
                institution_id=None,
                language=None,
                policy=POLICY,
            )
            for address in SPELLINGS
        ),
        return_exceptions=True,
    )

    assert sum(isinstance(o, user_admin.Invited) for o in outcomes) == 1
    assert sum(isinstance(o, EmailAlreadyInUse) for o in outcomes) == 9
    assert await User.filter(email_key="anna@heim.ch").count() == 1
    assert await Invitation.filter(status=InvitationStatus.PENDING).count() == 1
    assert await OutboxMessage.all().count() == 1
    assert await AuditEvent.filter(action="user.invited").count() == 1


@postgres_only
async def test_ten_simultaneous_requests_get_one_success_and_nine_typed_refusals(
    api: Api,
) -> None:
    world = await seed_world()
    admin = world.people[Role.CANTON_ADMIN]

    results = await asyncio.gather(
        *(
            api(INVITE_USER, {"input": {"email": address, "role": "CANTON_CLERK"}}, user=admin)
            for address in SPELLINGS
        )
    )

    typenames = sorted(r.ok()["inviteUser"]["__typename"] for r in results)
    assert typenames == ["EmailAlreadyInUse"] * 9 + ["InviteUserSuccess"]
    assert await User.filter(email_key="anna@heim.ch").count() == 1
