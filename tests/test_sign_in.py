"""Sign-in: really signed tokens, checked claims, and accounts found by issuer + subject."""

from __future__ import annotations

import asyncio
import time

from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from models.audit import AuditEvent
from models.role import Role
from models.user import User, UserStatus
from tests.support.api import Api
from tests.support.builders import make_user
from tests.support.idp import ISSUER
from web.identity import LEEWAY_SECONDS

ME = "{ me { user { email role status firstName lastName } pendingInvitation { role } } }"


async def test_me_without_a_token_is_anonymous(api: Api) -> None:
    result = await api(ME)

    assert result.ok() == {"me": {"user": None, "pendingInvitation": None}}


async def test_an_unknown_identity_becomes_an_applicant_on_its_first_request(api: Api) -> None:
    token = api.idp.token(email="Eva.Meier@Example.ch", subject="idp-eva")

    result = await api(ME, token=token)

    assert result.ok()["me"]["user"] == {
        "email": "Eva.Meier@Example.ch",
        "role": "APPLICANT",
        "status": "ACTIVE",
        "firstName": "Anna",
        "lastName": "Muster",
    }
    account = await User.get(email_key="eva.meier@example.ch")
    assert (account.issuer, account.subject) == (ISSUER, "idp-eva")


async def test_the_second_request_finds_the_same_account(api: Api) -> None:
    token = api.idp.token(email="eva@example.ch", subject="idp-eva")

    await api(ME, token=token)
    await api(ME, token=token)

    assert await User.filter(email_key="eva@example.ch").count() == 1


async def test_an_es256_token_is_accepted(api: Api) -> None:
    token = api.idp.token(email="ec@example.ch", key=api.idp.ec)

    result = await api(ME, token=token)

    assert result.ok()["me"]["user"]["email"] == "ec@example.ch"


async def test_an_expired_token_gets_401_unauthenticated(api: Api) -> None:
    token = api.idp.token(email="old@example.ch", exp=int(time.time()) - 120)

    result = await api(ME, token=token)

    assert result.status == 401
    assert result.codes == ["UNAUTHENTICATED"]
    assert await User.filter(email_key="old@example.ch").count() == 0


async def test_a_remembered_token_is_refused_once_it_expires(api: Api) -> None:
    # Accepted for two more seconds (the leeway covers clocks that differ a little).
    expires = int(time.time()) - LEEWAY_SECONDS + 2
    token = api.idp.token(email="brief@example.ch", exp=expires)
    assert (await api(ME, token=token)).status == 200

    while time.time() < expires + LEEWAY_SECONDS:
        await asyncio.sleep(0.1)
    result = await api(ME, token=token)

    assert (result.status, result.codes) == (401, ["UNAUTHENTICATED"])


async def test_a_remembered_token_vouches_for_no_other_string(api: Api) -> None:
    token = api.idp.token(email="kept@example.ch")
    assert (await api(ME, token=token)).status == 200
    header, payload, signature = token.split(".")
    forged_payload = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB")

    for forged in (f"{header}.{forged_payload}.{signature}", f"{token}x", f"{header}.{payload}."):
        assert (await api(ME, token=forged)).status == 401


async def test_a_remembered_token_of_a_blocked_account_is_refused_at_once(api: Api) -> None:
    token = api.idp.token(email="leaver@example.ch")
    assert (await api(ME, token=token)).status == 200

    await User.filter(email_key="leaver@example.ch").update(status=UserStatus.BLOCKED)

    assert (await api(ME, token=token)).status == 401


async def test_a_token_for_another_audience_is_refused(api: Api) -> None:
    result = await api(ME, token=api.idp.token(email="x@example.ch", aud="another-client"))

    assert (result.status, result.codes) == (401, ["UNAUTHENTICATED"])


async def test_a_token_from_an_unknown_issuer_is_refused(api: Api) -> None:
    result = await api(ME, token=api.idp.token(email="x@example.ch", iss="https://evil.example"))

    assert (result.status, result.codes) == (401, ["UNAUTHENTICATED"])


async def test_an_unverified_email_is_refused(api: Api) -> None:
    result = await api(ME, token=api.idp.token(email="x@example.ch", email_verified=False))

    assert (result.status, result.codes) == (401, ["UNAUTHENTICATED"])


async def test_a_token_signed_by_a_key_not_in_the_jwks_is_refused(api: Api) -> None:
    stranger = RSAKey.generate_key(2048, parameters={"kid": str(api.idp.rsa.kid)}, private=True)

    result = await api(ME, token=api.idp.token(email="x@example.ch", key=stranger))

    assert (result.status, result.codes) == (401, ["UNAUTHENTICATED"])


async def test_an_hs256_token_is_refused_whatever_its_secret(api: Api) -> None:
    secret = OctKey.import_key(b"0123456789abcdef0123456789abcdef")
    claims = api.idp.claims(email="x@example.ch")
    token = jwt.encode({"alg": "HS256", "kid": api.idp.rsa.kid}, claims, secret)

    result = await api(ME, token=token)

    assert (result.status, result.codes) == (401, ["UNAUTHENTICATED"])


async def test_a_token_without_signature_is_refused(api: Api) -> None:
    header, payload, _ = api.idp.token(email="x@example.ch").split(".")

    result = await api(ME, token=f"{header}.{payload}.")

    assert (result.status, result.codes) == (401, ["UNAUTHENTICATED"])


async def test_garbage_and_non_bearer_authorization_are_refused(api: Api) -> None:
    garbage = await api(ME, token="not-a-jwt")
    basic = await api.client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": "Basic dXNlcjpwdw=="}
    )

    assert (garbage.status, garbage.codes) == (401, ["UNAUTHENTICATED"])
    assert basic.status_code == 401


async def test_a_blocked_account_is_refused_with_401(api: Api) -> None:
    user = await make_user(Role.CANTON_CLERK, status=UserStatus.BLOCKED)

    result = await api(ME, user=user)

    assert (result.status, result.codes) == (401, ["UNAUTHENTICATED"])


async def test_an_account_made_by_create_admin_binds_to_the_first_matching_identity(
    api: Api,
) -> None:
    admin = await make_user(Role.SUPER_ADMIN, email="Chefin@be.ch", bound=False)

    result = await api(ME, token=api.idp.token(email="chefin@BE.ch", subject="idp-chefin"))

    assert result.ok()["me"]["user"]["role"] == "SUPER_ADMIN"
    bound = await User.get(id=admin.id)
    assert (bound.issuer, bound.subject) == (ISSUER, "idp-chefin")


async def test_a_bound_account_is_found_by_subject_not_by_email(api: Api) -> None:
    admin = await make_user(Role.CANTON_ADMIN, email="admin@be.ch")

    other_person = await api(ME, token=api.idp.token(email="admin@be.ch", subject="someone-else"))
    renamed = await api(ME, token=api.idp.token(email="new@be.ch", subject=admin.subject))

    assert other_person.ok()["me"]["user"] is None
    assert renamed.ok()["me"]["user"]["role"] == "CANTON_ADMIN"
    assert (await User.get(id=admin.id)).email == "new@be.ch"


async def test_an_invited_account_is_not_bound_by_a_plain_sign_in(api: Api) -> None:
    invited = await make_user(Role.SPONSOR_ADMIN, status=UserStatus.INVITED, bound=False)

    result = await api(ME, token=api.idp.token(email=invited.email, subject="idp-new"))

    assert result.ok()["me"]["user"] is None
    assert (await User.get(id=invited.id)).issuer is None
    assert await User.all().count() == 1


async def test_a_new_email_from_the_provider_is_taken_over_and_audited(api: Api) -> None:
    person = await make_user(Role.SPONSOR_CLERK, email="alt@traeger.ch")

    await api(ME, token=api.idp.token(email="Neu@Traeger.ch", subject=person.subject))

    updated = await User.get(id=person.id)
    assert (updated.email, updated.email_key) == ("Neu@Traeger.ch", "neu@traeger.ch")
    event = await AuditEvent.get(action="user.profile_synced", subject_id=person.id)
    assert "email" in event.details["fields"]  # type: ignore[operator]


async def test_a_new_email_taken_by_another_account_is_not_taken_over(api: Api) -> None:
    person = await make_user(Role.SPONSOR_CLERK, email="alt@traeger.ch")
    await make_user(Role.APPLICANT, email="besetzt@traeger.ch")

    result = await api(ME, token=api.idp.token(email="besetzt@traeger.ch", subject=person.subject))

    assert result.ok()["me"]["user"]["email"] == "alt@traeger.ch"
    assert (await User.get(id=person.id)).email == "alt@traeger.ch"
