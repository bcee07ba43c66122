"""GraphQL over HTTP as the specification has it, on top of Strawberry's ASGI view.

- Answers in `application/graphql-response+json` when the client asks for it, with the
  specification's status codes: 400 for a request that never reached execution (syntax,
  validation, variables), 200 once execution began. `application/json` clients keep the
  legacy behaviour: 200 with `errors`.
- A request that never reached execution has no `data` entry (GraphQL spec, "Response").
- Mutations over GET are refused with 405 and `Allow: POST`.
- Malformed parameters and bodies are a 400 in the shape of a GraphQL response, never a crash.
- A database outage is a 503; a fault that escaped the schema's error policy is masked.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from engine.errors import UNEXPECTED, Code, code_of
from i18n import Language, Text, _, translate
from models import audit
from settings import HttpSettings
from web import answers, graphql_params, media
from web.language import language_of

log = logging.getLogger("kibon.graphql")

ContextT = TypeVar("ContextT")
RootT = TypeVar("RootT")
RETRY_AFTER_SECONDS = "5"


class Refused(HTTPException):
    """An HTTP refusal of ours: `text` is said in the reader's language."""

    def __init__(self, status: int, text: Text) -> None:
        super().__init__(status, str(text))
        self.text = text


class MutationOverGet(Refused):
    def __init__(self) -> None:
        super().__init__(405, _("Mutations must be sent with POST."))


def escaped_fault(error: GraphQLError) -> bool:
    """An exception the schema's error policy never saw (raised outside the operation)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError) and not code_of(error)


def is_request_error(result: ExecutionResult) -> bool:
    """Execution never began: every error is about the request, none about a field."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(e.path is None for e in errors)


def status_for(result: ExecutionResult, answer_media: str) -> int:
    errors = result.errors or []
    if any(code_of(error) == Code.SERVICE_UNAVAILABLE for error in errors):
        return 503
    if any(escaped_fault(error) for error in errors):
        return 500
    if answer_media == media.GRAPHQL_RESPONSE and is_request_error(result):
        return 400
    return 200


def _client_error(error: GraphQLError, language: Language) -> object:
    if not escaped_fault(error):
        return error.formatted
    log.error("unexpected error before execution", exc_info=error.original_error)
    message = translate(UNEXPECTED, language)
    return {"message": message, "extensions": {"requestId": audit.request_id.get()}}


class GraphQLOverHTTP(GraphQL[ContextT, RootT]):
    def __init__(self, schema: Any, *, settings: HttpSettings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
        )
        self.transport = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self.run(request)
        except HTTPException as refused:
            response = self._refusal(request, refused)
        await response(scope, receive, send)

    def _refusal(self, request: Request, refused: HTTPException) -> Response:
        headers = {}
        if refused.status_code == 405:
            headers["Allow"] = "POST" if isinstance(refused, MutationOverGet) else "GET, POST"
        return answers.refusal(
            refused.status_code,
            refused.text if isinstance(refused, Refused) else refused.reason,
            language=language_of(request.scope),
            code=Code.BAD_USER_INPUT if refused.status_code < 500 else None,
            accept=request.headers.get("accept"),
            headers=headers,
        )

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return super().parse_json(data)
        except (HTTPException, RecursionError, UnicodeDecodeError) as error:  # HTTPException:
            # Strawberry's own refusal of malformed JSON, in English; ours says it for people.
            raise Refused(400, _("The body is not JSON this server can read.")) from error

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if request.method == "GET":
            query_string = graphql_params.from_query_string(request.query_params)
            params = self.parse_query_params(query_string)  # type: ignore[arg-type]
        else:
            params = self.parse_json(await request.get_body())
        try:
            return graphql_params.request_data(params)
        except graphql_params.InvalidParameters as invalid:
            raise Refused(400, invalid.text) from None

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = media.preferred(request.headers.get("accept"))
        return sub_response

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: ContextT,
        root_value: RootT | None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            result = await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except HTTPException as refused:
            if isinstance(refused.__cause__, InvalidOperationTypeError):
                raise MutationOverGet() from refused
            raise
        sub_response.status_code = status_for(result, sub_response.media_type or media.JSON)
        if sub_response.status_code == 503:
            sub_response.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return result

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        answer = process_result(result)
        if result.errors:
            language = language_of(request.scope)
            answer["errors"] = [_client_error(error, language) for error in result.errors]
        if is_request_error(result):
            answer.pop("data", None)
        return answer

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = Response(
            self.encode_json(response_data),
            status_code=sub_response.status_code or 200,
            media_type=media.content_type(sub_response.media_type or media.JSON),
        )
        response.headers.raw.extend(
            (name, value) for name, value in sub_response.headers.raw if name != b"content-type"
        )
        response.background = sub_response.background
        return response
