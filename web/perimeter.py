"""The one layer every request and answer passes through, outermost of the app's own:
- headers larger than `MAX_HEADER_BYTES` in all are refused (431) before anything reads them;
- the request gets its id, its trace context and its reader's language (`web.access`,
  `web.trace_context`, `web.language`);
- a browser's request goes through CORS, for the configured portals only; any other answer
  says that it varies by `Origin`, as CORS's own answers do;
- every answer's headers are written once, when it starts: the language, the request id, the
  trace, then the security headers (`web.headers`);
- the request's access line is written and it is counted (`web.metrics`).

One layer, not one per concern: each layer an answer passes costs a coroutine and a wrapped
`send`, and five of them cost a request more than a kept answer's own work
(docs/performance.md). Each concern stays in its module; this one only puts them in order.
"""

from __future__ import annotations

import time

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models import audit
from settings import HttpSettings
from web import access, header_limit, language, trace_context
from web.headers import secured
from web.metrics import RequestMetrics

CORS_MAX_AGE_SECONDS = 600
VARY_ORIGIN = (b"Origin",)


class Perimeter:
    """`traced`: an OpenTelemetry span is current when a request arrives here (tracing on, its
    middleware outside this one), whose trace the request's lines and answer carry."""

    def __init__(
        self, app: ASGIApp, *, settings: HttpSettings, routes: list[BaseRoute], traced: bool
    ) -> None:
        self.app = app
        # An explicit list of origins, never a pattern or `*`, and no credentials: the portals
        # send bearer tokens, not cookies.
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
            expose_headers=["X-Request-Id", "Retry-After"],
            allow_credentials=False,
            max_age=CORS_MAX_AGE_SECONDS,
        )
        self.metrics = RequestMetrics(routes)
        self.traced = traced

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if header_limit.exceeded(scope):
            await header_limit.refusal(scope)(scope, receive, _securing(send))
            return
        headers = Headers(scope=scope)
        request_id = access.request_id_of(headers)
        trace = (trace_context.of_current_span() if self.traced else None) or (
            trace_context.continued(headers.get("traceparent"))
        )
        reader = language.negotiated(scope, headers)
        ours = [(b"x-request-id", request_id.encode())]
        if trace is not None:
            ours.append((b"traceparent", trace.traceparent().encode()))
        origin = headers.get("origin")
        varies_by = () if origin is not None else VARY_ORIGIN  # CORS says so when it answers
        status = 0

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                told = language.telling(message.get("headers", ()), reader, also=varies_by)
                message["headers"] = secured(told + ours)
            await send(message)

        marks = audit.request_id.set(request_id), trace_context.current.set(trace)
        started = time.perf_counter()
        try:
            await (self.app if origin is None else self.cors)(scope, receive, answer)
        finally:
            seconds = time.perf_counter() - started
            access.log(scope, status, seconds)
            self.metrics.count(scope, status, seconds)
            audit.request_id.reset(marks[0])
            trace_context.current.reset(marks[1])


def _securing(send: Send) -> Send:
    async def with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = secured(message.get("headers", ()))
        await send(message)

    return with_headers
