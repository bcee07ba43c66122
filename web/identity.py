"""Who is calling: the identity provider's bearer tokens (BE-Login, OIDC), checked once a request.

Signatures are checked against the provider's JWKS (RS256 or ES256 only), then issuer, audience,
expiry and `email_verified`. The development issuer signs its own tokens with a key made at
start-up and is checked by exactly the same code.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from joserfc import jws, jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import ECKey, KeySet

from models import email, text
from models.sign_in import Identity

ALGORITHMS = ["RS256", "ES256"]
LEEWAY_SECONDS = 30
DEV_ISSUER = "urn:kibon:dev-login"
DEV_AUDIENCE = "kibon-portal"
DEV_TOKEN_LIFETIME_SECONDS = 8 * 3600
# An unknown `kid` may mean the provider rotated its keys; the JWKS is fetched at most once per
# interval, whether the last fetch worked or not, so a flood of forged `kid`s (or a provider in
# trouble) cannot turn us into a load generator against the provider.
JWKS_REFETCH_INTERVAL_SECONDS = 10.0
JWKS_FETCH_TIMEOUT_SECONDS = 5.0
# A token check waits at most this long for a fetch in flight; keys already known never wait.
JWKS_WAIT_SECONDS = 2.0
# A checked token is trusted again without a new check for at most this long (see TokenVerifier).
REMEMBER_SECONDS = 60.0
REMEMBERED_TOKENS = 10_000

log = logging.getLogger("kibon.auth")


class InvalidToken(Exception):
    """The token cannot be trusted; the reason is for the operator's log, not for the client."""


class KeysUnavailable(Exception):
    """The provider's keys cannot be fetched now: the token cannot be judged (HTTP 503, not a
    401 that would sign the person out)."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"JWKS unavailable; next fetch in {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class RemoteKeys:
    """The provider's JWKS: fetched in one task that every waiting check shares (never under a
    lock that known keys would wait for), at most once per interval, failures included."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._keys: KeySet | None = None
        self._last_fetch_failed = False
        self._attempted_at: float | None = None
        self._fetching: asyncio.Task[None] | None = None

    async def get(self, *, refresh: bool = False) -> KeySet:
        if self._keys is not None and not refresh:
            return self._keys
        if self._fetching is None and self._retry_after() == 0:
            self._attempted_at = time.monotonic()
            self._fetching = asyncio.create_task(self._fetch_keys())
        if self._fetching is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._fetching), JWKS_WAIT_SECONDS)
        if self._keys is None or (refresh and (self._last_fetch_failed or self._fetching)):
            raise KeysUnavailable(max(self._retry_after(), 1))
        return self._keys

    def _retry_after(self) -> int:
        """Seconds until the next fetch may start."""
        if self._attempted_at is None:
            return 0
        waited = time.monotonic() - self._attempted_at
        return max(math.ceil(JWKS_REFETCH_INTERVAL_SECONDS - waited), 0)

    async def _fetch_keys(self) -> None:
        try:
            self._keys = KeySet.import_key_set(await self._fetch())
            self._last_fetch_failed = False
        except (httpx.HTTPError, OSError, ValueError, TypeError, JoseError) as error:
            log.warning("the JWKS could not be fetched: %s", type(error).__name__)
            self._last_fetch_failed = True
        finally:
            self._fetching = None

    async def _fetch(self) -> Any:
        if self.url.startswith("file://"):
            path = Path(self.url.removeprefix("file://"))
            return json.loads(await asyncio.to_thread(path.read_text))
        async with httpx.AsyncClient(timeout=JWKS_FETCH_TIMEOUT_SECONDS) as client:
            response = await client.get(self.url)
            response.raise_for_status()
            return response.json()


class LocalKeys:
    def __init__(self, keys: KeySet) -> None:
        self._keys = keys

    async def get(self, *, refresh: bool = False) -> KeySet:
        return self._keys


KeySource = RemoteKeys | LocalKeys


@dataclass(frozen=True)
class TrustedIssuer:
    issuer: str
    audience: str
    keys: KeySource


class DevIssuer:
    """The built-in development issuer behind `POST /dev/token` (only with KIBON_DEV_LOGIN)."""

    def __init__(self) -> None:
        self._key = ECKey.generate_key("P-256", parameters={"kid": uuid4().hex}, private=True)
        public = KeySet.import_key_set({"keys": [self._key.as_dict(private=False)]})
        self.trusted = TrustedIssuer(DEV_ISSUER, DEV_AUDIENCE, LocalKeys(public))

    def sign(self, *, email: str, given_name: str = "", family_name: str = "") -> str:
        now = int(time.time())
        claims = {
            "iss": DEV_ISSUER,
            "aud": DEV_AUDIENCE,
            "sub": f"dev:{email.strip().lower()}",
            "email": email.strip(),
            "email_verified": True,
            "given_name": given_name,
            "family_name": family_name,
            "iat": now,
            "exp": now + DEV_TOKEN_LIFETIME_SECONDS,
        }
        return jwt.encode({"alg": "ES256", "kid": self._key.kid}, claims, self._key)


class TokenVerifier:
    """Checks a token once and remembers the result for its next requests: a portal sends the
    same token with every request, and checking a signature is a good part of a request's CPU.
    A remembered token is the exact same string (signature included); it is forgotten when it
    expires and after `REMEMBER_SECONDS` at most, so a key the provider withdraws stops working
    within that time. Whether the account may still act is checked on every request."""

    def __init__(self, trusted: list[TrustedIssuer]) -> None:
        self._by_issuer = {entry.issuer: entry for entry in trusted}
        self._verified: OrderedDict[str, tuple[Identity, float]] = OrderedDict()

    async def verify(self, token: str) -> Identity:
        now = time.time()
        remembered = self._verified.get(token)
        if remembered is not None and now < remembered[1]:
            self._verified.move_to_end(token)
            return remembered[0]
        identity, expires_at = await self._verify(token)
        self._verified[token] = (identity, min(expires_at, now + REMEMBER_SECONDS))
        if len(self._verified) > REMEMBERED_TOKENS:
            self._verified.popitem(last=False)
        return identity

    async def _verify(self, token: str) -> tuple[Identity, float]:
        trusted = self._by_issuer.get(_unverified_issuer(token))
        if trusted is None:
            raise InvalidToken("unknown issuer")
        claims = await _verified_claims(token, trusted)
        if claims.get("email_verified") not in (True, "true"):
            raise InvalidToken("e-mail not verified")
        issued_at = claims.get("iat")
        identity = Identity(
            issuer=trusted.issuer,
            subject=_subject(claims),
            email=_email(claims),
            given_name=_name_claim(claims, "given_name"),
            family_name=_name_claim(claims, "family_name"),
            issued_at=datetime.fromtimestamp(issued_at, UTC)
            if isinstance(issued_at, int | float)
            else None,
        )
        return identity, float(claims["exp"]) + LEEWAY_SECONDS


async def _verified_claims(token: str, trusted: TrustedIssuer) -> dict[str, Any]:
    try:
        try:
            decoded = jwt.decode(token, await trusted.keys.get(), algorithms=ALGORITHMS)
        except InvalidKeyIdError:
            decoded = jwt.decode(token, await trusted.keys.get(refresh=True), algorithms=ALGORITHMS)
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": trusted.issuer},
            aud={"essential": True, "value": trusted.audience},
            sub={"essential": True},
            exp={"essential": True},
        )
        registry.validate(decoded.claims)
    except (JoseError, ValueError, TypeError) as error:
        raise InvalidToken(f"{type(error).__name__}: {error}") from None
    return dict(decoded.claims)


def _unverified_issuer(token: str) -> str:
    """Only to pick which issuer's keys to check against; nothing else trusts it."""
    try:
        payload = jws.extract_compact(token.encode()).payload
        issuer = json.loads(payload).get("iss")
    except (JoseError, ValueError, AttributeError):
        raise InvalidToken("malformed token") from None
    if not isinstance(issuer, str):
        raise InvalidToken("no issuer")
    return issuer


# Every claim that becomes part of an identity is checked here, once: a claim we cannot store
# or use is a token we cannot trust (401), never a fault further down.
SUBJECT_MAX_LENGTH = 255


def _subject(claims: dict[str, Any]) -> str:
    subject = claims.get("sub")
    if (
        not isinstance(subject, str)
        or not subject.strip()
        or len(subject) > SUBJECT_MAX_LENGTH
        or not text.is_storable(subject)
    ):
        raise InvalidToken("unusable sub claim")
    return subject


def _email(claims: dict[str, Any]) -> str:
    address = claims.get("email")
    try:
        return email.clean(address) if isinstance(address, str) else email.clean("")
    except ValueError:
        raise InvalidToken("the email claim is not an e-mail address") from None


def _name_claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    return text.person_name(value) if isinstance(value, str) else ""
