"""What an invitation tells: who sent it, how often and when, when it was accepted or revoked,
how long it lives; and what a person who never accepted sees on signing in."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from models import clock
from models.invitation import Invitation
from models.role import Role
from models.user import User
from tests.support.api import Api
from tests.support.builders import make_institution, make_user
from tests.support.user_admin import gid

INVITE = """
mutation ($input: InviteUserInput!) {
  inviteUser(input: $input) {
    __typename
    ... on InviteUserSuccess {
      invitation { id expiresAt sentCount lastSentAt acceptedAt revokedAt invitedBy { email } }
    }
    ... on InvalidInput { fieldErrors { field code } }
  }
}
"""
DETAILS = """
query ($id: ID!) {
  node(id: $id) {
    ... on Invitation { sentCount lastSentAt revokedAt acceptedAt invitedBy { email } }
  }
}
"""
RESEND = "mutation ($id: ID!) { resendInvitation(id: $id) { __typename } }"
REVOKE = "mutation ($id: ID!) { revokeInvitation(id: $id) { __typename } }"
ME = "{ me { user { id } pendingInvitation { role status invitedByName institutionName } } }"


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def invited(api: Api, by: User, **extra: object) -> dict[str, object]:
    kita = await make_institution(name="Kita Sonne")
    values = {"email": "neu@kita.ch", "role": "INSTITUTION_ADMIN", "institutionId": gid(kita)}
    result = await api(INVITE, {"input": values | extra}, user=by)
    answer: dict[str, object] = result.ok()["inviteUser"]
    return answer


async def test_an_invitation_lives_the_days_asked_for(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)

    answer = await invited(api, canton, validForDays=3)

    expires = when(answer["invitation"]["expiresAt"])  # type: ignore[index]
    assert abs(expires - (clock.now() + timedelta(days=3))) < timedelta(minutes=1)


@pytest.mark.parametrize("days", [0, 31])
async def test_fewer_than_1_or_more_than_30_days_are_refused_and_nobody_is_invited(
    api: Api, days: int
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)

    answer = await invited(api, canton, validForDays=days)

    assert answer == {
        "__typename": "InvalidInput",
        "fieldErrors": [{"field": "validForDays", "code": "OUT_OF_RANGE"}],
    }
    assert not await User.exists(email_key="neu@kita.ch")


async def test_sent_count_and_last_sent_follow_the_resends_and_name_the_resender(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_ADMIN, email="chefin@kanton.ch")
    other = await make_user(Role.CANTON_ADMIN, email="kollege@kanton.ch")
    first = (await invited(api, canton))["invitation"]
    invitation_id = first["id"]  # type: ignore[index]

    await api(RESEND, {"id": invitation_id}, user=other)
    resent = (await api(DETAILS, {"id": invitation_id}, user=canton)).ok()["node"]
    await api(REVOKE, {"id": invitation_id}, user=canton)
    revoked = (await api(DETAILS, {"id": invitation_id}, user=canton)).ok()["node"]

    assert (first["sentCount"], first["invitedBy"]) == (1, {"email": "chefin@kanton.ch"})  # type: ignore[index]
    assert (first["acceptedAt"], first["revokedAt"]) == (None, None)  # type: ignore[index]
    assert resent["sentCount"] == 2
    assert when(resent["lastSentAt"]) > when(first["lastSentAt"])  # type: ignore[index]
    assert resent["invitedBy"] == {"email": "kollege@kanton.ch"}
    assert revoked["revokedAt"] is not None


async def test_the_inviter_is_null_for_a_caller_who_may_not_see_that_person(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    answer = await invited(api, canton)
    invitation = await Invitation.get(email="neu@kita.ch").prefetch_related("institution")
    colleague = await make_user(Role.INSTITUTION_ADMIN, institution=invitation.institution)

    seen = (await api(DETAILS, {"id": answer["invitation"]["id"]}, user=colleague)).ok()  # type: ignore[index]

    assert seen["node"]["invitedBy"] is None
    assert seen["node"]["sentCount"] == 1


async def test_a_person_whose_invitation_was_revoked_sees_it_and_whom_to_ask(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)  # "Anna Muster"
    answer = await invited(api, canton)
    await api(REVOKE, {"id": answer["invitation"]["id"]}, user=canton)  # type: ignore[index]

    me = await api(ME, token=api.idp.token(email="neu@kita.ch", subject="neu"))

    assert me.ok()["me"] == {
        "user": None,
        "pendingInvitation": {
            "role": "INSTITUTION_ADMIN",
            "status": "REVOKED",
            "invitedByName": "Anna Muster",
            "institutionName": "Kita Sonne",
        },
    }


async def test_an_expired_invitation_shows_as_expired_and_a_nameless_canton_inviter_as_the_canton(
    api: Api,
) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    await invited(api, canton, validForDays=1)
    await User.filter(id=canton.id).update(first_name="", last_name="")  # a sign-in without names

    with clock.travel(timedelta(days=2)):
        me = await api(ME, token=api.idp.token(email="neu@kita.ch", subject="neu"))

    pending = me.ok()["me"]["pendingInvitation"]
    assert (pending["status"], pending["invitedByName"]) == ("EXPIRED", "Kanton Bern")
