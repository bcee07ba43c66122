"""The housekeeping removes accounts that never accepted, `KIBON_INVITED_RETENTION_DAYS` after
their last invitation ended: audited, the address free again, and the canton told when that
leaves a sponsor or an institution without an admin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from models import clock, housekeeping, invitation
from models.audit import AuditEvent
from models.invitation import Invitation, InvitationStatus
from models.role import Role
from models.user import User, UserStatus
from schema.types import ids
from settings import Retention, Settings
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.flows import POLICY, registered_institution, registered_sponsor
from tests.support.user_admin import INVITE_USER, gid

RETENTION = Retention(invited_days=30)
JOB = "forget_never_accepted"
AUDIT_LOG = """
query ($action: String) {
  auditLog(first: 100, filter: { action: $action }) {
    edges { node { action actorId actorEmail subjectType subjectId details } }
  }
}
"""


async def ended(invitation_id: int, *, days_ago: int) -> None:
    """The invitation expired that many days ago, and was made (with its account) before."""
    expired = clock.now() - timedelta(days=days_ago)
    made = expired - timedelta(days=POLICY.ttl_days)
    await Invitation.filter(id=invitation_id).update(expires_at=expired, created_at=made)
    sent = await Invitation.get(id=invitation_id)
    await User.filter(id=sent.user_id, created_at__gt=made).update(created_at=made)


async def run() -> int:
    return (await housekeeping.run_once(RETENTION))[JOB]


async def audit_log(api: Api, by: User, action: str) -> list[dict[str, Any]]:
    result = await api(AUDIT_LOG, {"action": action}, user=by)
    return [edge["node"] for edge in result.ok()["auditLog"]["edges"]]


async def test_an_invited_account_stays_through_the_retention_and_goes_after_it() -> None:
    done = await registered_institution(admin_email="jana.meir@kita-sonne.ch")
    invited = done.invitation.user_id
    valid_for = timedelta(days=POLICY.ttl_days)

    with clock.travel(valid_for + timedelta(days=29)):
        kept = await run()
    with clock.travel(valid_for + timedelta(days=31)):
        removed = await run()

    assert kept == 0
    assert removed == 1
    assert not await User.exists(id=invited)
    assert not await Invitation.exists(id=done.invitation.id)


async def test_after_the_clean_up_the_address_can_be_invited_again(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    kita = await make_institution()
    invite = {"email": "Jana.Meier@Kita-Sonne.ch", "role": "INSTITUTION_ADMIN"}
    first = await api(INVITE_USER, {"input": invite | {"institutionId": gid(kita)}}, user=canton)
    first_invitation = ids.decode(first.ok()["inviteUser"]["invitation"]["id"], "Invitation")
    await ended(first_invitation, days_ago=31)

    removed = await run()
    again = await api(INVITE_USER, {"input": invite | {"institutionId": gid(kita)}}, user=canton)

    assert removed == 1
    assert again.ok()["inviteUser"]["__typename"] == "InviteUserSuccess"
    (account,) = await User.filter(email_key="jana.meier@kita-sonne.ch")
    new_invitation = ids.decode(again.ok()["inviteUser"]["invitation"]["id"], "Invitation")
    assert [sent.id for sent in await Invitation.filter(user_id=account.id)] == [new_invitation]
    assert not await Invitation.exists(id=first_invitation)


async def test_accounts_with_history_stay_however_old_their_invitations_are() -> None:
    kita = await make_institution()
    accepted = await make_user(Role.INSTITUTION_ADMIN, institution=kita)
    signed_in = await make_user(Role.INSTITUTION_CLERK, institution=kita, status=UserStatus.INVITED)
    applicant = await make_user(Role.APPLICANT)
    for person in (accepted, signed_in, applicant):
        sent = await invitation.issue(
            user=person,
            role=Role.INSTITUTION_CLERK,
            sponsor=None,
            institution=kita,
            by=None,
            language=None,
            policy=POLICY,
        )
        await ended(sent.id, days_ago=400)

    removed = await run()

    assert removed == 0
    assert await User.filter(id__in=[accepted.id, signed_in.id, applicant.id]).count() == 3


async def test_a_still_valid_invitation_keeps_an_account_whose_older_one_expired_long_ago() -> None:
    done = await registered_institution()
    person = await User.get(id=done.invitation.user_id)
    await ended(done.invitation.id, days_ago=100)
    await invitation.issue(
        user=person,
        role=person.role,
        sponsor=None,
        institution=done.institution,
        by=None,
        language=None,
        policy=POLICY,
    )

    removed = await run()

    assert removed == 0
    assert await User.exists(id=person.id)


async def test_a_revoked_invitation_counts_from_its_revocation_not_from_its_expiry() -> None:
    recently = await registered_institution()  # expired long ago, revoked since
    long_ago = await registered_institution()
    before_expiry = await registered_institution()  # its link would have worked 6 days more
    for done, expired, revoked in ((recently, 60, 29), (long_ago, 60, 31), (before_expiry, 25, 31)):
        await ended(done.invitation.id, days_ago=expired)
        await Invitation.filter(id=done.invitation.id).update(
            status=InvitationStatus.REVOKED, revoked_at=clock.now() - timedelta(days=revoked)
        )

    removed = await run()

    assert removed == 2
    assert await User.exists(id=recently.invitation.user_id)
    assert not await User.exists(id=long_ago.invitation.user_id)
    assert not await User.exists(id=before_expiry.invitation.user_id)


async def test_a_blocked_invited_account_goes_too_and_a_retention_of_its_own_is_honoured() -> None:
    done = await registered_institution()
    await User.filter(id=done.invitation.user_id).update(
        status=UserStatus.BLOCKED, status_before_block=UserStatus.INVITED
    )
    await ended(done.invitation.id, days_ago=10)

    kept = (await housekeeping.run_once(RETENTION))[JOB]
    removed = (await housekeeping.run_once(Retention(invited_days=9)))[JOB]

    assert (kept, removed) == (0, 1)


async def test_each_removal_is_audited_without_an_actor_in_the_scope_of_the_account(
    api: Api,
) -> None:
    sponsor = await make_sponsor()
    kita = await make_institution(sponsor=sponsor)
    sponsor_admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    kita_admin = await make_user(Role.INSTITUTION_ADMIN, institution=kita)
    canton = await make_user(Role.CANTON_CLERK)
    invite = {"email": "neu@kita.ch", "role": "INSTITUTION_CLERK", "institutionId": gid(kita)}
    sent = await api(INVITE_USER, {"input": invite}, user=kita_admin)
    await ended(ids.decode(sent.ok()["inviteUser"]["invitation"]["id"], "Invitation"), days_ago=31)
    removed_id = sent.ok()["inviteUser"]["user"]["id"]

    await run()
    seen = {
        who.role: await audit_log(api, who, "user.expired_removed")
        for who in (sponsor_admin, kita_admin, canton)
    }

    expected = {
        "action": "user.expired_removed",
        "actorId": None,
        "actorEmail": None,
        "subjectType": "User",
        "subjectId": removed_id,
        "details": {"email": "n***@kita.ch", "role": "INSTITUTION_CLERK", "retentionDays": 30},
    }
    assert seen == {role: [expected] for role in seen}
    assert not await AuditEvent.filter(action__endswith=".admin_missing").exists()


async def test_the_canton_hears_of_a_sponsor_the_clean_up_leaves_without_an_admin(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_CLERK)
    done = await registered_sponsor(name="Kitas Tippfehler")
    sponsor = done.sponsor
    assert sponsor is not None
    run_by_sponsor = await make_institution(sponsor=sponsor)
    own_admin = await make_institution(sponsor=sponsor)
    await make_user(Role.INSTITUTION_ADMIN, institution=own_admin)
    await ended(done.invitation.id, days_ago=31)

    await run()
    entries = await audit_log(api, canton, "sponsor.admin_missing")

    assert entries == [
        {
            "action": "sponsor.admin_missing",
            "actorId": None,
            "actorEmail": None,
            "subjectType": "Sponsor",
            "subjectId": gid(sponsor),
            "details": {"name": "Kitas Tippfehler", "institutions": [run_by_sponsor.id]},
        }
    ]
    (entry,) = await AuditEvent.filter(action="sponsor.admin_missing")
    assert entry.sponsor_id == sponsor.id


async def test_an_institution_left_without_any_admin_is_reported_and_one_with_another_is_not(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    alone = await registered_institution(name="Kita Allein")
    covered = await registered_institution()
    assert covered.institution is not None
    await make_user(Role.INSTITUTION_ADMIN, institution=covered.institution)
    for done in (alone, covered):
        await ended(done.invitation.id, days_ago=31)

    removed = await run()
    entries = await audit_log(api, canton, "institution.admin_missing")

    assert removed == 2
    assert alone.institution is not None
    assert [(e["subjectId"], e["details"]) for e in entries] == [
        (gid(alone.institution), {"name": "Kita Allein"})
    ]


def test_the_retention_is_kibon_invited_retention_days_and_30_by_default() -> None:
    dev = {"KIBON_DEV_LOGIN": "on"}
    assert Settings.from_env(dev).retention.invited_days == 30
    set_apart = Settings.from_env(dev | {"KIBON_INVITED_RETENTION_DAYS": "12"})
    assert set_apart.retention.invited_days == 12
