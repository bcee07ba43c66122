"""Each request as operators follow it: a request id (the client's `X-Request-Id` when it is
one we can keep, else a new one) in every log line, audit entry and answer; the caller's trace
context continued; and one access-log line with fields.

The access line carries the path without its query string: a GET's `variables` may hold
personal data."""

from __future__ import annotations

import logging
import random
import re
import time

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models import audit
from web import trace_context

# Fits the audit column (64) and cannot break a log line or a header.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:@-]{1,64}")
access = logging.getLogger("kibon.access")


def request_id_of(headers: Headers) -> str:
    given = headers.get("x-request-id", "")
    return given if REQUEST_ID.fullmatch(given) else new_request_id()


def new_request_id() -> str:
    """128 random bits as 32 hex digits, as `uuid4().hex` writes them, without its system call
    per request: an id finds a request's lines and entries, it guards nothing."""
    return f"{random.getrandbits(128):032x}"


def user_id_of(scope: Scope) -> int | None:
    caller = scope.get("state", {}).get("caller")
    user = getattr(caller, "user", None)
    return getattr(user, "id", None)


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = request_id_of(headers)
        trace = trace_context.of_current_span() or trace_context.continued(
            headers.get("traceparent")
        )
        marks = audit.request_id.set(request_id), trace_context.current.set(trace)
        started, status = time.perf_counter(), 0

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                added = message.setdefault("headers", [])
                added.append((b"x-request-id", request_id.encode()))
                if trace is not None:
                    added.append((b"traceparent", trace.traceparent().encode()))
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            self._log(scope, status, milliseconds=(time.perf_counter() - started) * 1000)
            audit.request_id.reset(marks[0])
            trace_context.current.reset(marks[1])

    def _log(self, scope: Scope, status: int, *, milliseconds: float) -> None:
        fields = {
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": round(milliseconds, 1),
            "user_id": user_id_of(scope),
        }
        access.info(
            "%s %s %s %.1fms", scope["method"], scope["path"], status, milliseconds, extra=fields
        )
