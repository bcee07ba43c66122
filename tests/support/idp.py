"""A test identity provider: real RSA and EC keys, a JWKS served over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from uuid import uuid4

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ISSUER = "https://login.test.be.ch/realms/kibon"
AUDIENCE = "kibon-portal-test"


class TestIdentityProvider:
    __test__ = False

    def __init__(self) -> None:
        self.rsa = RSAKey.generate_key(
            2048, parameters={"kid": f"rsa-{uuid4().hex[:8]}"}, private=True
        )
        self.ec = ECKey.generate_key(
            "P-256", parameters={"kid": f"ec-{uuid4().hex[:8]}"}, private=True
        )
        self.published: list[RSAKey | ECKey] = [self.rsa, self.ec]
        self.jwks_requests = 0
        self.jwks_url = ""
        self.jwks_delay_seconds = 0.0  # a slow provider
        self.jwks_failing = False  # a provider in trouble: 503

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet(list(self.published)).as_dict(private=False))

    def app(self) -> Starlette:
        async def jwks(request: Request) -> JSONResponse:
            self.jwks_requests += 1
            await asyncio.sleep(self.jwks_delay_seconds)
            if self.jwks_failing:
                return JSONResponse({"error": "unavailable"}, status_code=503)
            return JSONResponse(self.jwks())

        return Starlette(routes=[Route("/jwks", jwks)])

    def claims(self, *, email: str, subject: str | None = None, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": subject or f"sub-{email.strip().lower()}",
            "email": email,
            "email_verified": True,
            "given_name": "Anna",
            "family_name": "Muster",
            "iat": now,
            "exp": now + 600,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(
        self,
        *,
        email: str,
        subject: str | None = None,
        key: Any = None,
        alg: str | None = None,
        **claims: Any,
    ) -> str:
        key = key or self.rsa
        alg = alg or ("ES256" if isinstance(key, ECKey) else "RS256")
        header = {"alg": alg, "kid": key.kid}
        return jwt.encode(header, self.claims(email=email, subject=subject, **claims), key)
