"""Each request as operators follow it (`web.perimeter` puts these in place): a request id (the
client's `X-Request-Id` when it is one we can keep, else a new one) in every log line, audit
entry and answer, and one access-log line with fields.

The access line carries the path without its query string: a GET's `variables` may hold
personal data."""

from __future__ import annotations

import logging
import random
import re

from starlette.datastructures import Headers
from starlette.types import Scope

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


def log(scope: Scope, status: int, seconds: float) -> None:
    """The request's access line; `status` 0 when no answer was started."""
    if not access.isEnabledFor(logging.INFO):
        return
    milliseconds = seconds * 1000
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
