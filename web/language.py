"""The reader's language, negotiated once per request from `Accept-Language` (German or French),
kept in the request's state for everything that writes to people, and told on every answer:
`Content-Language` says which it is, `Vary: Accept-Language` tells caches that it depends on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from i18n import Language
from i18n.negotiation import DEFAULT, negotiate
from web.headers import Header

STATE_KEY = "language"
TOLD = frozenset((b"content-language", b"vary"))


def language_of(scope: Scope) -> Language:
    """The request's language (German outside a request that went through `ReadersLanguage`)."""
    language = scope.get("state", {}).get(STATE_KEY, DEFAULT)
    return language if isinstance(language, Language) else DEFAULT


def telling(headers: Iterable[Header], language: Language) -> list[Header]:
    """An answer's headers with `Content-Language` in place of any it had, and
    `Accept-Language` added to whatever `Vary` it had, in one header."""
    headers = list(headers)
    vary = [value for name, value in headers if name.lower() == b"vary"]
    told = [(name, value) for name, value in headers if name.lower() not in TOLD]
    told.append((b"content-language", language.value.encode()))
    told.append((b"vary", b", ".join([*vary, b"Accept-Language"])))
    return told


class ReadersLanguage:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        language = negotiate(Headers(scope=scope).get("accept-language"))
        scope.setdefault("state", {})[STATE_KEY] = language

        async def telling_the_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = telling(message.get("headers", ()), language)
            await send(message)

        await self.app(scope, receive, telling_the_language)
