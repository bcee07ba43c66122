"""The family portal's public queries answered from memory, before routing, checks and GraphQL.

An answer of the app is a function of what the request sends (method, query string, body and
headers), its reader's language, the day (the default `availableOn` is today) and the data. So a
request that sends exactly what an earlier one sent, on the same day, with no public data
changed since, gets the earlier answer: its status, headers and body as the app sent them. The
perimeter around this layer then adds this request's own id, trace and security headers, and
logs and counts it as any other. Which answers are kept, and how long: `web.response_cache`.

A request is one the portal could send again when it has no `Authorization` and a body of a
declared length of at most `MAX_BODY_BYTES` (or none: a GET). Its headers count, but for those
that cannot change the app's answer (`IGNORED`: the perimeter reads the ones of them it needs).
Spelled differently, the same operation is another request: the app answers it and keeps that.

The body is read here, within the request's deadline (`engine.deadline`, which the guard
inside then keeps to): a body that has not come when it ends is handed on as far as it came and
never ends, and the guard, out of time too, answers 504 as to any slow body.
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine import deadline
from models import clock
from settings import HttpSettings
from web.guard import replaying
from web.header_limit import header_bytes
from web.language import language_of
from web.response_cache import Answer, PublicResponseCache, marked_kept

MAX_BODY_BYTES = 64 * 1024  # larger operations are not the family portal's
IGNORED = frozenset(
    {
        b"accept-encoding",  # no answer here is compressed
        b"accept-language",  # as the language negotiated from it
        b"cache-control",
        b"connection",
        b"content-length",  # the body is in the key
        b"dnt",
        b"forwarded",
        b"origin",  # CORS is the perimeter's
        b"pragma",
        b"priority",
        b"referer",
        b"sec-ch-ua",
        b"sec-ch-ua-mobile",
        b"sec-ch-ua-platform",
        b"sec-fetch-dest",
        b"sec-fetch-mode",
        b"sec-fetch-site",
        b"traceparent",  # the perimeter's
        b"tracestate",
        b"user-agent",
        b"x-forwarded-for",
        b"x-forwarded-proto",
        b"x-real-ip",
        b"x-request-id",  # the perimeter's
    }
)

Request = tuple[object, ...]


def sent(scope: Scope) -> tuple[Request, int | None] | None:
    """What of a request its answer can depend on, but its body, and the body's declared
    length; None for a request whose answer is not kept."""
    method = scope["method"]
    if method not in ("GET", "POST"):
        return None
    length = None
    counted = []
    for name, value in scope["headers"]:
        if name == b"authorization":
            return None
        if name == b"content-length":
            length = int(value) if value.isdigit() and len(value) < 20 else -1
        elif name not in IGNORED:
            counted.append((name, value))
    if method == "POST" and (length is None or not 0 <= length <= MAX_BODY_BYTES):
        return None
    key = (method, scope["path"], scope["query_string"], language_of(scope), *counted)
    return key, length


class KeptAnswers:
    def __init__(
        self, app: ASGIApp, *, cache: PublicResponseCache, settings: HttpSettings, path: str
    ) -> None:
        self.app = app
        self.cache = cache
        self.settings = settings
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = None
        if scope["type"] == "http" and scope["path"] == self.path and self.cache.listening:
            request = sent(scope)
        if request is None:
            await self.app(scope, receive, send)
            return
        seconds = self.settings.request_timeout_seconds
        headers, length = request
        if length:
            started = time.monotonic()
            body, receive = await _body(receive, seconds)
            seconds -= time.monotonic() - started
        else:
            body = b""
        if body is None:
            with deadline.within(seconds):  # the guard inside keeps to it
                await self.app(scope, receive, send)
            return
        key = (*headers, body, clock.today())
        kept = self.cache.get(key)
        if kept is not None:
            await _replay(kept, send)
            return
        with deadline.within(seconds):
            size = len(body) + header_bytes(scope)
            await self._answer_and_keep(key, size, scope, receive, send)

    async def _answer_and_keep(
        self, key: Request, size: int, scope: Scope, receive: Receive, send: Send
    ) -> None:
        generation = self.cache.generation
        started: Message | None = None
        chunks: list[bytes] = []

        async def recording(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = {**message, "headers": list(message.get("headers", ()))}
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, recording)
        if started is not None and started["status"] == 200 and marked_kept(scope.get("state", {})):
            answer = Answer(started["status"], started["headers"], b"".join(chunks))
            self.cache.keep(key, answer, size=size, generation=generation)


async def _replay(answer: Answer, send: Send) -> None:
    headers = list(answer.headers)  # layers outside may change the list they are given
    start = {"type": "http.response.start", "status": answer.status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": answer.body})


async def _body(receive: Receive, seconds: float) -> tuple[bytes | None, Receive]:
    """The body, read within the deadline (None if it did not come whole), and what the app
    inside receives: the messages read here, then the rest of the client's."""
    read: list[Message] = []
    size = 0
    then = receive
    try:
        async with asyncio.timeout(seconds):
            while size <= MAX_BODY_BYTES:
                message = await receive()
                read.append(message)
                size += len(message.get("body", b""))
                if message["type"] != "http.request" or not message.get("more_body", False):
                    break
    except TimeoutError:
        then = _never  # see the module's doc
    last = read[-1] if read else {}
    whole = then is receive and last.get("type") == "http.request" and not last.get("more_body")
    body = b"".join(m.get("body", b"") for m in read) if whole and size <= MAX_BODY_BYTES else None
    return body, replaying(read, then)


async def _never() -> Message:
    never: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
    return await never
