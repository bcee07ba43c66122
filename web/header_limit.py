"""A bound on the size of a request's headers, checked before anything reads them.

uvicorn's fast parser (httptools) accepts headers of any size and has no timeout for reading
them; the reverse proxy in front must enforce both (see docs/operations.md). What the process
can still do: refuse a request whose headers together exceed `MAX_HEADER_BYTES` before any of
its code (sign-in, logging, GraphQL) looks at them.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import Scope

from engine.errors import Code
from i18n import _
from web import answers
from web.headers import size_of
from web.language import language_of

MAX_HEADER_BYTES = 32 * 1024  # a bearer token is 1–2 KiB; nginx allows 4 × 8 KiB by default


def header_bytes(scope: Scope) -> int:
    return size_of(scope.get("headers") or ())


def exceeded(scope: Scope) -> bool:
    return header_bytes(scope) > MAX_HEADER_BYTES


def refusal(scope: Scope) -> Response:
    return answers.refusal(
        431,
        _("The request's headers are larger than {most} bytes.", most=MAX_HEADER_BYTES),
        language=language_of(scope),
        code=Code.BAD_USER_INPUT,
        accept=None,
        headers={"Connection": "close"},
    )
