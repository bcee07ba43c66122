"""The reader's language, negotiated once per request from `Accept-Language` (German or French,
by `web.perimeter`), kept in the request's state for everything that writes to people, and told
on every answer: `Content-Language` says which it is, `Vary: Accept-Language` tells caches that
it depends on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import Scope

from i18n import Language
from i18n.negotiation import DEFAULT, negotiate
from web.headers import Header

STATE_KEY = "language"
TOLD = frozenset((b"content-language", b"vary"))


def language_of(scope: Scope) -> Language:
    """The request's language (German outside a request that went through `ReadersLanguage`)."""
    language = scope.get("state", {}).get(STATE_KEY, DEFAULT)
    return language if isinstance(language, Language) else DEFAULT


def negotiated(scope: Scope, headers: Headers) -> Language:
    """The language `Accept-Language` asks for, kept in the request's state."""
    language = negotiate(headers.get("accept-language"))
    scope.setdefault("state", {})[STATE_KEY] = language
    return language


def telling(
    headers: Iterable[Header], language: Language, *, also: Iterable[bytes] = ()
) -> list[Header]:
    """An answer's headers with `Content-Language` in place of any it had, and
    `Accept-Language` (and the names in `also`) added to whatever `Vary` it had, in one
    header."""
    headers = list(headers)
    vary = [value for name, value in headers if name.lower() == b"vary"]
    told = [(name, value) for name, value in headers if name.lower() not in TOLD]
    told.append((b"content-language", language.value.encode()))
    told.append((b"vary", b", ".join([*vary, b"Accept-Language", *also])))
    return told
