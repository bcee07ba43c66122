"""The GraphQL endpoint: authenticate once, then hand the request to Strawberry.

A token that is present but cannot be trusted (bad signature, expired, blocked account, ended
sign-in) gets HTTP 401 before any resolver runs; no token at all is an anonymous caller.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from uuid import uuid4

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from engine.context import Caller, Context
from engine.errors import SIGN_IN_NOT_VALID, Code
from i18n import Language, translate
from models import audit, sign_in
from models.errors import DomainError
from settings import Settings
from web.graphiql import page as graphiql
from web.graphql_view import GraphQLOverHTTP
from web.identity import InvalidToken, TokenVerifier
from web.language import language_of

log = logging.getLogger("kibon.auth")
access = logging.getLogger("kibon.access")


class SignInRefused(Exception):
    """A token that is present but cannot be trusted: the request gets HTTP 401."""


async def authenticate(verifier: TokenVerifier, authorization: str | None) -> Caller | None:
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise SignInRefused("not a bearer token")
    try:
        identity = await verifier.verify(token.strip())
        signed_in = await sign_in.sign_in(identity)
    except (InvalidToken, DomainError) as error:
        raise SignInRefused(str(error)) from None
    return Caller(identity, signed_in.user, signed_in.pending_invitation)


def unauthenticated_response(language: Language) -> Response:
    body = {
        "data": None,
        "errors": [
            {
                "message": translate(SIGN_IN_NOT_VALID, language),
                "extensions": {"code": Code.UNAUTHENTICATED, "requestId": audit.request_id.get()},
            }
        ],
    }
    return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})


class GraphQLEndpoint(GraphQLOverHTTP[Context, None]):
    def __init__(self, schema: Any, *, settings: Settings, verifier: TokenVerifier) -> None:
        super().__init__(schema, settings=settings.http)
        self.settings = settings
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive)
            try:
                caller = await authenticate(self.verifier, request.headers.get("authorization"))
            except SignInRefused as refused:
                log.info("sign-in refused: %s", refused)
                await unauthenticated_response(language_of(scope))(scope, receive, send)
                return
            scope.setdefault("state", {})["caller"] = caller
        await super().__call__(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        caller: Caller | None = getattr(request.state, "caller", None)
        return Context(
            request=request,  # type: ignore[arg-type]
            response=response,
            settings=self.settings,
            request_id=audit.request_id.get() or "",
            identity=caller.identity if caller else None,
            user=caller.user if caller else None,
            pending_invitation=caller.pending_invitation if caller else None,
            language=language_of(request.scope),
        )

    def should_render_graphql_ide(self, request: Any) -> bool:
        return graphiql.wanted(request, by_default=super().should_render_graphql_ide(request))

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.page(self.schema, dev_login=self.settings.dev_login)


class RequestId:
    """Gives every request an id: in the logs, in audit entries, and in `X-Request-Id`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid4().hex
        token = audit.request_id.set(request_id)
        started, status = time.perf_counter(), 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            access.info("%s %s %s %.1fms", scope["method"], scope["path"], status, elapsed)
            audit.request_id.reset(token)
