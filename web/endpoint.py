"""The GraphQL endpoint: authenticate once, then hand the request to Strawberry.

A token that is present but cannot be trusted (bad signature, expired, blocked account, ended
sign-in) gets HTTP 401 before any resolver runs; no token at all is an anonymous caller.
"""

from __future__ import annotations

import logging
from typing import Any

from cross_web import AsyncHTTPRequestAdapter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from engine.context import Caller, Context
from engine.errors import SIGN_IN_NOT_VALID, UNAVAILABLE, Code
from i18n import Language, translate
from models import audit, sign_in
from models.errors import DomainError
from settings import Settings
from web import answers, response_cache
from web.graphiql import page as graphiql
from web.graphql_view import GraphQLOverHTTP
from web.identity import InvalidToken, KeysUnavailable, TokenVerifier
from web.language import language_of
from web.persisted_queries import PersistedQueries
from web.response_cache import PublicResponseCache

log = logging.getLogger("kibon.auth")


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
    # KeysUnavailable goes on: the token cannot be judged now, which is no reason to sign out.
    return Caller(identity, signed_in.user, signed_in.pending_invitation)


def keys_unavailable_response(
    unavailable: KeysUnavailable, accept: str | None, language: Language
) -> Response:
    return answers.refusal(
        503,
        UNAVAILABLE,
        language=language,
        code=Code.SERVICE_UNAVAILABLE,
        accept=accept,
        headers={"Retry-After": str(unavailable.retry_after_seconds)},
    )


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
    def __init__(
        self,
        schema: Any,
        *,
        settings: Settings,
        verifier: TokenVerifier,
        cache: PublicResponseCache | None = None,
        documents: PersistedQueries | None = None,
    ) -> None:
        super().__init__(schema, settings=settings.http, documents=documents)
        self.settings = settings
        self.verifier = verifier
        self.cache = cache or PublicResponseCache()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive)
            try:
                caller = await authenticate(self.verifier, request.headers.get("authorization"))
            except SignInRefused as refused:
                log.info("sign-in refused: %s", refused)
                await unauthenticated_response(language_of(scope))(scope, receive, send)
                return
            except KeysUnavailable as unavailable:
                log.warning("token not checked: %s", unavailable)
                answer = keys_unavailable_response(
                    unavailable, request.headers.get("accept"), language_of(scope)
                )
                await answer(scope, receive, send)
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

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Marks what an anonymous caller's public query answered as an answer to keep."""
        result = await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )
        if context.identity is None and response_cache.keeps(request_data, result):
            response_cache.mark_kept(request.scope.setdefault("state", {}))
        elif request_data.query and response_cache.may_write(request_data.query):
            # The write has committed; its answer is not sent yet. Dropping the entries here
            # makes this process's very next answer fresh, before the notification arrives.
            self.cache.invalidate()
        return result

    def should_render_graphql_ide(self, request: Any) -> bool:
        return graphiql.wanted(request, by_default=super().should_render_graphql_ide(request))

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.page(self.schema, dev_login=self.settings.dev_login)
