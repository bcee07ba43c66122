"""Withdrawing what was registered by mistake, and restoring it: through GraphQL, on both
databases, with the race against an acceptance on PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from models import acceptance, withdrawal
from models.audit import AuditEvent
from models.errors import InvitationNotFound, InvitationRevoked
from models.institution import Institution, InstitutionStatus
from models.invitation import Invitation, InvitationStatus
from models.role import Role
from models.sign_in import Identity
from models.sponsor import Sponsor, SponsorStatus
from models.user import User, UserStatus
from schema.types import ids
from tests.support import database
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.flows import registered_institution, registered_sponsor, token_of
from tests.support.idp import ISSUER
from tests.support.operations import REGISTER_INSTITUTION, REGISTER_SPONSOR
from tests.support.user_admin import CHANGE_USER_ROLE, INVITE_USER, UNBLOCK_USER, gid

RESULT = "__typename ... on Error { message } ... on InvalidInput { fieldErrors { field code } }"
WITHDRAW_INSTITUTION = f"""
mutation ($id: ID!, $reason: String) {{
  withdrawInstitution(id: $id, reason: $reason) {{
    {RESULT} ... on WithdrawInstitutionSuccess {{ institution {{ status }} }}
  }}
}}
"""
RESTORE_INSTITUTION = f"""
mutation ($id: ID!) {{
  restoreInstitution(id: $id) {{
    {RESULT} ... on RestoreInstitutionSuccess {{ institution {{ status }} }}
  }}
}}
"""
WITHDRAW_SPONSOR = f"""
mutation ($id: ID!, $reason: String) {{
  withdrawSponsor(id: $id, reason: $reason) {{
    {RESULT} ... on WithdrawSponsorSuccess {{ sponsor {{ name status }} }}
  }}
}}
"""
RESTORE_SPONSOR = f"""
mutation ($id: ID!) {{
  restoreSponsor(id: $id) {{ {RESULT} ... on RestoreSponsorSuccess {{ sponsor {{ status }} }} }}
}}
"""
PORTAL = "{ publicInstitutions { edges { node { name } } } }"
ONE = "query ($id: ID!) { publicInstitution(id: $id) { name } }"
STAFF_VIEW = """
query ($id: ID!, $status: InstitutionStatus) {
  institution(id: $id) { status }
  institutions(filter: {status: $status}) { edges { node { name } } }
}
"""
SPONSORS = """
query ($status: SponsorStatus) { sponsors(status: $status) { edges { node { name status } } } }
"""
UPDATE = """
mutation ($id: ID!, $input: UpdateInstitutionInput!) {
  updateInstitution(id: $id, input: $input) {
    __typename ... on Error { message } ... on InvalidInput { fieldErrors { field code } }
  }
}
"""


async def portal_names(api: Api) -> list[str]:
    return [e["node"]["name"] for e in (await api(PORTAL)).ok()["publicInstitutions"]["edges"]]


async def answer(api: Api, query: str, user: User, **variables: Any) -> dict[str, Any]:
    result = await api(query, variables, user=user)
    if result.errors:
        return {"codes": result.codes}
    (value,) = result.ok().values()
    assert isinstance(value, dict)
    return value


async def test_a_clerk_withdraws_an_institution_registered_twice_and_parents_see_it_no_more(
    api: Api,
) -> None:
    clerk = await make_user(Role.CANTON_CLERK)
    await registered_institution(name="Kita Sonne", by=clerk)
    duplicate = (await registered_institution(name="Kita Sonne ", by=clerk)).institution
    assert duplicate is not None
    before = await portal_names(api)

    done = await answer(api, WITHDRAW_INSTITUTION, clerk, id=gid(duplicate), reason="Doppelt")

    assert before == ["Kita Sonne", "Kita Sonne"]
    assert done == {
        "__typename": "WithdrawInstitutionSuccess",
        "institution": {"status": "WITHDRAWN"},
    }
    assert await portal_names(api) == ["Kita Sonne"]
    gone = await api(ONE, {"id": ids.encode("PublicInstitution", duplicate.id)})
    assert gone.ok()["publicInstitution"] is None
    (entry,) = await AuditEvent.filter(action="institution.withdrawn")
    assert entry.details == {
        "reason": "Doppelt",
        "revokedInvitations": 1,
        "deletedAccounts": 1,
        "blockedAccounts": 0,
        "told": 0,
    }


async def test_the_invitations_go_accounts_that_never_accepted_are_deleted_the_others_blocked(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    done = await registered_institution(admin_email="Jana.Meir@kita.ch", by=canton)
    kita = done.institution
    assert kita is not None
    clerk = await make_user(Role.INSTITUTION_CLERK, institution=kita)

    await answer(api, WITHDRAW_INSTITUTION, canton, id=gid(kita))

    assert not await User.exists(email_key="jana.meir@kita.ch")
    assert not await Invitation.exists(id=done.invitation.id)
    blocked = await User.get(id=clerk.id)
    assert (blocked.status, blocked.blocked_by_withdrawal) == (UserStatus.BLOCKED, True)
    again = await registered_institution(admin_email="jana.meir@kita.ch", by=canton)
    assert again.invitation.status == InvitationStatus.PENDING  # the address is free at once


async def test_the_invitation_of_a_reused_sponsor_admin_is_revoked_and_the_admin_stays(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_CLERK)
    sponsor = await make_sponsor()
    admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor, email="admin@traeger.ch")
    done = await registered_institution(admin_email=admin.email, sponsor_id=sponsor.id, by=canton)
    assert done.institution is not None

    await answer(api, WITHDRAW_INSTITUTION, canton, id=gid(done.institution))

    assert (await Invitation.get(id=done.invitation.id)).status == InvitationStatus.REVOKED
    assert (await User.get(id=admin.id)).status == UserStatus.ACTIVE


async def test_withdrawing_a_withdrawn_one_answers_its_success_again_and_changes_nothing(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_CLERK)
    kita = await make_institution()

    first = await answer(api, WITHDRAW_INSTITUTION, canton, id=gid(kita))
    second = await answer(api, WITHDRAW_INSTITUTION, canton, id=gid(kita), reason="noch einmal")

    assert first == second
    assert await AuditEvent.filter(action="institution.withdrawn").count() == 1


async def test_a_reason_over_500_characters_is_invalid_input_and_changes_nothing(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    kita = await make_institution()
    sponsor = await make_sponsor()

    long = "x" * 501
    refused = await answer(api, WITHDRAW_INSTITUTION, canton, id=gid(kita), reason=long)
    refused_sponsor = await answer(api, WITHDRAW_SPONSOR, canton, id=gid(sponsor), reason=long)
    at_most = await answer(api, WITHDRAW_INSTITUTION, canton, id=gid(kita), reason="x" * 500)

    assert refused["fieldErrors"] == [{"field": "reason", "code": "TOO_LONG"}]
    assert refused_sponsor["fieldErrors"] == refused["fieldErrors"]
    assert at_most["__typename"] == "WithdrawInstitutionSuccess"
    assert (await Sponsor.get(id=sponsor.id)).status == SponsorStatus.ACTIVE


async def test_an_unknown_institution_or_sponsor_is_not_found(api: Api) -> None:
    canton = await make_user(Role.SUPER_ADMIN)
    kita = await make_institution()
    sponsor = await make_sponsor()
    await Institution.filter(id=kita.id).delete()
    await Sponsor.filter(id=sponsor.id).delete()

    for query, row in [
        (WITHDRAW_INSTITUTION, kita),
        (RESTORE_INSTITUTION, kita),
        (WITHDRAW_SPONSOR, sponsor),
        (RESTORE_SPONSOR, sponsor),
    ]:
        assert (await answer(api, query, canton, id=gid(row)))["__typename"] == "NotFound"


async def test_only_the_canton_sees_a_withdrawn_institution_and_can_filter_for_it(
    api: Api,
) -> None:
    sponsor = await make_sponsor()
    kita = await make_institution(name="Kita Weg", sponsor=sponsor)
    canton = await make_user(Role.CANTON_CLERK)
    sponsor_admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    await answer(api, WITHDRAW_INSTITUTION, canton, id=gid(kita))

    seen = (await api(STAFF_VIEW, {"id": gid(kita), "status": "WITHDRAWN"}, user=canton)).ok()
    hidden = (await api(STAFF_VIEW, {"id": gid(kita)}, user=sponsor_admin)).ok()

    assert seen["institution"] == {"status": "WITHDRAWN"}
    assert seen["institutions"]["edges"] == [{"node": {"name": "Kita Weg"}}]
    assert hidden == {"institution": None, "institutions": {"edges": []}}


async def test_writing_into_a_withdrawn_institution_is_not_found_or_withdrawn_for_the_canton(
    api: Api,
) -> None:
    sponsor = await make_sponsor()
    kita = await make_institution(sponsor=sponsor)
    canton = await make_user(Role.CANTON_ADMIN)
    sponsor_admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    await answer(api, WITHDRAW_INSTITUTION, canton, id=gid(kita))
    rename = {"id": gid(kita), "input": {"name": "Neu"}}
    invite = {
        "input": {"email": "neu@kita.ch", "role": "INSTITUTION_ADMIN", "institutionId": gid(kita)}
    }

    by_sponsor = await api(UPDATE, rename, user=sponsor_admin)
    by_canton = await api(UPDATE, rename, user=canton)
    invited_by_sponsor = await api(INVITE_USER, invite, user=sponsor_admin)
    invited_by_canton = await api(
        INVITE_USER.replace("field message", "field code"), invite, user=canton
    )

    assert by_sponsor.ok()["updateInstitution"]["__typename"] == "NotFound"
    assert by_canton.ok()["updateInstitution"]["fieldErrors"] == [
        {"field": "id", "code": "WITHDRAWN"}
    ]
    assert invited_by_sponsor.ok()["inviteUser"]["__typename"] == "NotFound"
    (problem,) = invited_by_canton.ok()["inviteUser"]["fieldErrors"]
    assert (problem["field"], problem["code"]) == ("institutionId", "WITHDRAWN")
    assert (await Institution.get(id=kita.id)).name != "Neu"


async def test_a_withdrawal_block_lifts_only_with_a_restore_and_revoked_invitations_stay(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    kita = await make_institution(status=InstitutionStatus.ACTIVE)
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=kita)
    blocked_before = await make_user(
        Role.INSTITUTION_CLERK, institution=kita, status=UserStatus.BLOCKED
    )
    invited = await registered_institution(by=canton)  # an unrelated open invitation stays open
    await answer(api, WITHDRAW_INSTITUTION, canton, id=gid(kita))

    unblock = await api(UNBLOCK_USER, {"id": gid(admin)}, user=canton)
    restored = await answer(api, RESTORE_INSTITUTION, canton, id=gid(kita))

    assert unblock.codes == ["FORBIDDEN"]
    assert restored == {
        "__typename": "RestoreInstitutionSuccess",
        "institution": {"status": "ACTIVE"},
    }
    assert (await User.get(id=admin.id)).status == UserStatus.ACTIVE
    assert (await User.get(id=blocked_before.id)).status == UserStatus.BLOCKED
    assert (await Invitation.get(id=invited.invitation.id)).status == InvitationStatus.PENDING
    assert "Kita" in "".join(await portal_names(api))


async def test_an_account_a_withdrawal_blocked_keeps_its_role_until_the_restore(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    sponsor = await make_sponsor()
    sponsor_admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    closed = await make_institution(sponsor=sponsor, status=InstitutionStatus.ACTIVE)
    open_one = await make_institution(sponsor=sponsor, status=InstitutionStatus.ACTIVE)
    clerk = await make_user(Role.INSTITUTION_CLERK, institution=closed)
    await answer(api, WITHDRAW_INSTITUTION, canton, id=gid(closed))
    moves = [
        await api(
            CHANGE_USER_ROLE,
            {"id": gid(clerk), "input": {"role": role.value, "institutionId": gid(open_one)}},
            user=by,
        )
        for by, role in [(sponsor_admin, Role.INSTITUTION_CLERK), (canton, Role.INSTITUTION_ADMIN)]
    ]
    restored = await answer(api, RESTORE_INSTITUTION, canton, id=gid(closed))

    # Moved away, the restore of `closed` would not find it, and nothing else lifts the block.
    assert [move.codes for move in moves] == [["FORBIDDEN"]] * 2
    assert restored["__typename"] == "RestoreInstitutionSuccess"
    back = await User.get(id=clerk.id)
    assert (back.institution_id, back.status) == (closed.id, UserStatus.ACTIVE)
    assert not await AuditEvent.filter(action="user.role_changed").exists()


async def test_a_clerk_may_withdraw_but_only_canton_admins_restore_or_withdraw_sponsors(
    api: Api,
) -> None:
    clerk = await make_user(Role.CANTON_CLERK)
    kita = await make_institution()
    sponsor = await make_sponsor()
    await answer(api, WITHDRAW_INSTITUTION, clerk, id=gid(kita))

    restore = await answer(api, RESTORE_INSTITUTION, clerk, id=gid(kita))
    withdraw_sponsor = await answer(api, WITHDRAW_SPONSOR, clerk, id=gid(sponsor))

    assert restore == withdraw_sponsor == {"codes": ["FORBIDDEN"]}


async def test_a_withdrawn_sponsor_takes_its_institutions_along_and_frees_its_name(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    done = await registered_sponsor(name="Kitas Bern", admin_email="chef@kitas-bern.ch")
    sponsor = done.sponsor
    assert sponsor is not None
    kita = await make_institution(name="Kita Bern", sponsor=sponsor)
    sponsor_admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)

    withdrawn = await answer(api, WITHDRAW_SPONSOR, canton, id=gid(sponsor), reason="falsch")
    again = await api(
        REGISTER_SPONSOR,
        {"input": {"name": "kitas bern", "adminEmail": "chef@kitas-bern.ch"}},
        user=canton,
    )
    listed = (await api(SPONSORS, {"status": "WITHDRAWN"}, user=canton)).ok()

    assert withdrawn["sponsor"] == {"name": "Kitas Bern", "status": "WITHDRAWN"}
    assert (await Institution.get(id=kita.id)).status == InstitutionStatus.WITHDRAWN
    assert await portal_names(api) == []
    assert (await User.get(id=sponsor_admin.id)).status == UserStatus.BLOCKED
    assert again.ok()["registerSponsor"]["__typename"] == "RegisterSponsorSuccess"
    assert listed["sponsors"]["edges"] == [{"node": {"name": "Kitas Bern", "status": "WITHDRAWN"}}]


async def test_registering_into_a_withdrawn_sponsor_is_refused_on_its_field(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    sponsor = await make_sponsor()
    await answer(api, WITHDRAW_SPONSOR, canton, id=gid(sponsor))
    values = {
        "name": "Kita Neu",
        "careType": "DAYCARE_CENTER",
        "vouchersFrom": "2024-08-01",
        "adminEmail": "leitung@neu.ch",
        "sponsorId": gid(sponsor),
    }

    result = await api(
        REGISTER_INSTITUTION.replace("field message", "field code message"),
        {"input": values},
        user=canton,
    )

    assert result.ok()["registerInstitution"]["fieldErrors"] == [
        {
            "field": "sponsorId",
            "code": "WITHDRAWN",
            "message": "Diese Trägerschaft wurde zurückgezogen; stellen Sie sie zuerst wieder her.",
        }
    ]


async def test_restoring_a_sponsor_brings_back_what_went_with_it_and_nothing_else(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    sponsor = await make_sponsor(name="Kitas Thun")
    alone = await make_institution(name="Allein", sponsor=sponsor)
    along = await make_institution(name="Mit", sponsor=sponsor, status=InstitutionStatus.ACTIVE)
    await answer(api, WITHDRAW_INSTITUTION, canton, id=gid(alone))
    await answer(api, WITHDRAW_SPONSOR, canton, id=gid(sponsor))

    blocked_restore = await answer(api, RESTORE_INSTITUTION, canton, id=gid(along))
    restored = await answer(api, RESTORE_SPONSOR, canton, id=gid(sponsor))

    assert blocked_restore["fieldErrors"] == [{"field": "id", "code": "WITHDRAWN"}]
    assert restored == {"__typename": "RestoreSponsorSuccess", "sponsor": {"status": "ACTIVE"}}
    assert (await Institution.get(id=along.id)).status == InstitutionStatus.ACTIVE
    assert (await Institution.get(id=alone.id)).status == InstitutionStatus.WITHDRAWN
    assert (await Sponsor.get(id=sponsor.id)).name_key == "kitas thun"


async def test_a_sponsor_whose_name_was_taken_meanwhile_is_not_restored(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    sponsor = await make_sponsor(name="Kitas Biel")
    await answer(api, WITHDRAW_SPONSOR, canton, id=gid(sponsor))
    await make_sponsor(name="Kitas Biel")

    refused = await answer(api, RESTORE_SPONSOR, canton, id=gid(sponsor))

    assert refused["fieldErrors"] == [{"field": "name", "code": "ALREADY_EXISTS"}]
    assert (await Sponsor.get(id=sponsor.id)).status == SponsorStatus.WITHDRAWN


postgres_only = pytest.mark.skipif(
    not database.is_postgres(), reason="row locks live on PostgreSQL"
)


async def withdraw_after(seconds: float, by: User, institution: Institution) -> Institution:
    await asyncio.sleep(seconds)  # each attempt starts it a little later: both orders occur
    return await withdrawal.withdraw_institution(by=by, institution_id=institution.id, reason=None)


@postgres_only
async def test_a_withdrawal_racing_an_acceptance_ends_in_one_consistent_state() -> None:
    outcomes: set[str] = set()
    for attempt in range(8):
        canton = await make_user(Role.CANTON_CLERK)
        address = f"leitung{attempt}@rennen.ch"
        done = await registered_institution(admin_email=address, by=canton)
        kita = done.institution
        assert kita is not None
        token = await token_of(done.invitation)
        person = Identity(issuer=ISSUER, subject=f"race-{attempt}", email=address)
        accepted, withdrawn = await asyncio.gather(
            acceptance.accept(token=token, identity=person, caller=None),
            withdraw_after(attempt * 0.003, canton, kita),
            return_exceptions=True,
        )
        outcomes.add(type(accepted).__name__)

        assert not isinstance(withdrawn, BaseException)
        account = await User.get_or_none(email_key=address)
        assert (await Institution.get(id=kita.id)).status == InstitutionStatus.WITHDRAWN
        if isinstance(accepted, acceptance.Accepted):  # accepted first: then blocked by it
            assert account is not None
            assert (account.status, account.blocked_by_withdrawal) == (UserStatus.BLOCKED, True)
        else:  # withdrawn first: the account never accepted, so it is gone
            assert isinstance(accepted, InvitationRevoked | InvitationNotFound)
            assert account is None
    assert "Accepted" in outcomes  # the loop met the acceptance-first order at least once
