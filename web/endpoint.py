"""The GraphQL endpoint: authenticate once, then hand the request to Strawberry.

A token that is present but cannot be trusted (bad signature, expired, blocked account, ended
sign-in) gets HTTP 401 before any resolver runs; no token at all is an anonymous caller.
"""

from __future__ import annotations

import logging
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from engine.context import Caller, Context
from engine.errors import SIGN_IN_NOT_VALID, UNAVAILABLE, Code
from i18n import Language, translate
from models import audit, sign_in
from models.errors import DomainError
from settings import Settings
from web import answers, media, response_cache
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

    async def run(
        self, request: Request | WebSocket, context: Any = UNSET, root_value: Any = UNSET
    ) -> Any:
        kept = await self._kept_answer(request) if isinstance(request, Request) else None
        if kept is not None:
            return kept
        return await super().run(request, context, root_value)

    async def _kept_answer(self, request: Request) -> Response | None:
        """An anonymous caller's public query, answered with the body the same operation got
        before. Reached only by a request that passed every check (transport, body, deadline,
        sign-in); its parameters are checked here as Strawberry's view checks them, and a
        request they refuse takes the view's way to be refused as always."""
        if not self.cache.listening or getattr(request.state, "caller", None) is not None:
            return None
        adapter = self.request_adapter_class(request)
        if self.should_render_graphql_ide(adapter):
            return None
        try:
            key = response_cache.key_of(await self.parse_http_body(adapter))
        except (HTTPException, ValueError, KeyError):  # what the view's own parsing refuses
            return None
        body = None if key is None else self.cache.get(key)
        if body is None:
            return None
        answer_media = media.preferred(request.headers.get("accept"))
        return Response(body, status_code=200, media_type=media.content_type(answer_media))

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Keeps what an anonymous caller's public query answered, for the next one."""
        key = response_cache.key_of(request_data) if context.identity is None else None
        generation = self.cache.generation
        result = await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )
        if key is not None and sub_response.status_code in (None, 200):
            body = self.encode_json(await self.process_result(request, result))
            self.cache.keep(key, result, body, generation=generation)
        elif request_data.query and response_cache.may_write(request_data.query):
            # The write has committed; its answer is not sent yet. Dropping the entries here
            # makes this process's very next answer fresh, before the notification arrives.
            self.cache.invalidate()
        return result

    def should_render_graphql_ide(self, request: Any) -> bool:
        return graphiql.wanted(request, by_default=super().should_render_graphql_ide(request))

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.page(self.schema, dev_login=self.settings.dev_login)
