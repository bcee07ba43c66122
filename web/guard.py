"""In front of the GraphQL endpoint: refuse what must not reach it, bound what does.

Runs before authentication and before GraphQL, so a refused request costs no database work:
- POST only with `Content-Type: application/json` (415), so a cross-site HTML form (text/plain,
  urlencoded, multipart) can never submit an operation;
- the body at most `max_body_bytes` (413), checked from Content-Length before reading and
  counted while reading, so a chunked body cannot slip past;
- the whole request, body included, within `request_timeout_seconds` (504);
- the operations in flight together within `max_nodes_in_flight` objects (`engine.admission`:
  an operation waits, within the deadline, until its cost fits);
- a database that cannot be reached becomes 503, any other escaped exception a masked 500.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine import deadline
from engine.admission import Admission
from engine.errors import UNAVAILABLE, UNEXPECTED, Code
from i18n import Language, _
from models.outage import is_database_unavailable
from settings import HttpSettings
from web import answers
from web.language import language_of

log = logging.getLogger("kibon.http")

JSON = "application/json"
RETRY_AFTER_SECONDS = "5"
TIMER_GRACE_SECONDS = 0.5


class BodyTooLarge(Exception):
    pass


def content_type_refusal(scope: Scope, headers: Headers) -> Response | None:
    if scope["method"] != "POST":
        return None
    given = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if given == JSON:
        return None
    return answers.refusal(
        415,
        _("Send the operation as JSON with `Content-Type: application/json`."),
        language=language_of(scope),
        code=Code.BAD_USER_INPUT,
        accept=headers.get("accept"),
    )


def declared_length(headers: Headers) -> int | None:
    try:
        return int(headers["content-length"])
    except (KeyError, ValueError):
        return None


async def read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying(messages: list[Message], then: Receive) -> Receive:
    """The messages read already, handed on in order; then `then` (the client's own stream,
    which reports a disconnect)."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await then()

    return replayed


class RequestGuard:
    def __init__(self, app: ASGIApp, settings: HttpSettings) -> None:
        self.app = app
        self.settings = settings
        self.admission = Admission(settings.max_nodes_in_flight)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        seconds = self.settings.request_timeout_seconds
        # The executor stops at the deadline itself, between objects, and leaves nothing
        # half-started; the timer is the backstop for an await that outlasts it.
        timer = None
        try:
            with deadline.within(seconds) as left:  # less, inside a deadline set outside
                timer = asyncio.timeout(left + TIMER_GRACE_SECONDS)
                async with timer, self.admission.ticket():
                    await self._admit(scope, receive, watched, headers)
        except ClientDisconnect:
            return
        except (Exception, deadline.DeadlinePassed) as error:
            if started:
                raise
            expired = bool(timer and timer.expired()) or isinstance(error, deadline.DeadlinePassed)
            answer = self._failure(error, headers, expired=expired, language=language_of(scope))
            await answer(scope, receive, send)

    async def _admit(self, scope: Scope, receive: Receive, send: Send, headers: Headers) -> None:
        refused = content_type_refusal(scope, headers)
        if refused is None and scope["method"] == "POST":
            receive, refused = await self._bounded_body(receive, headers, language_of(scope))
        if refused is not None:
            await refused(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _bounded_body(
        self, receive: Receive, headers: Headers, language: Language
    ) -> tuple[Receive, Response | None]:
        limit = self.settings.max_body_bytes
        length = declared_length(headers)
        if length is not None and length > limit:
            return receive, self._too_large(headers, language)
        try:
            body = await read_body(receive, limit)
        except BodyTooLarge:
            return receive, self._too_large(headers, language)
        whole = {"type": "http.request", "body": body, "more_body": False}
        return replaying([whole], receive), None

    def _too_large(self, headers: Headers, language: Language) -> Response:
        most = self.settings.max_body_bytes
        return answers.refusal(
            413,
            _("The request body is larger than {most} bytes.", most=most),
            language=language,
            code=Code.BAD_USER_INPUT,
            accept=headers.get("accept"),
            headers={"Connection": "close"},
        )

    def _failure(
        self, error: BaseException, headers: Headers, *, expired: bool, language: Language
    ) -> Response:
        accept = headers.get("accept")
        if expired:
            log.warning("request stopped after %ss", self.settings.request_timeout_seconds)
            seconds = f"{self.settings.request_timeout_seconds:g}"
            message = _(
                "The request took longer than {seconds} seconds and was stopped.", seconds=seconds
            )
            return answers.refusal(
                504, message, language=language, code=Code.TIMEOUT, accept=accept
            )
        if is_database_unavailable(error):
            log.error("the database is unavailable: %s", type(error).__name__)
            return answers.refusal(
                503,
                UNAVAILABLE,
                language=language,
                code=Code.SERVICE_UNAVAILABLE,
                accept=accept,
                headers={"Retry-After": RETRY_AFTER_SECONDS},
            )
        log.error("unexpected error outside GraphQL", exc_info=error)
        return answers.refusal(500, UNEXPECTED, language=language, code=None, accept=accept)
