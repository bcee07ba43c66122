"""Executing GraphQL as a given person, through the real app (ASGI) with really signed tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from models.user import User
from tests.support.idp import TestIdentityProvider


@dataclass
class Result:
    status: int
    body: dict[str, Any]
    headers: httpx.Headers = field(default_factory=httpx.Headers)

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    @property
    def codes(self) -> list[str | None]:
        return [e.get("extensions", {}).get("code") for e in self.errors]

    def ok(self) -> Any:
        assert self.status == 200, self.body
        assert not self.errors, self.body
        return self.data


class Api:
    def __init__(self, client: httpx.AsyncClient, idp: TestIdentityProvider) -> None:
        self.client = client
        self.idp = idp

    def token_for(self, user: User, **claims: Any) -> str:
        return self.idp.token(email=user.email, subject=user.subject, **claims)

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        user: User | None = None,
        token: str | None = None,
        language: str | None = None,
    ) -> Result:
        """`language` is sent as `Accept-Language`."""
        headers = {}
        if language is not None:
            headers["Accept-Language"] = language
        if user is not None:
            token = self.token_for(user)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        return Result(response.status_code, response.json(), response.headers)
