"""The reader's language, negotiated once per request from `Accept-Language` (German or French),
kept in the request's state for everything that writes to people, and told on every answer:
`Content-Language` says which it is, `Vary: Accept-Language` tells caches that it depends on it.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from i18n import Language
from i18n.negotiation import DEFAULT, negotiate

STATE_KEY = "language"


def language_of(scope: Scope) -> Language:
    """The request's language (German outside a request that went through `ReadersLanguage`)."""
    language = scope.get("state", {}).get(STATE_KEY, DEFAULT)
    return language if isinstance(language, Language) else DEFAULT


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
                headers = MutableHeaders(scope=message)
                headers["Content-Language"] = language.value
                headers.add_vary_header("Accept-Language")
            await send(message)

        await self.app(scope, receive, telling_the_language)
