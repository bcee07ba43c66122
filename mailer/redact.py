"""What of a message may reach a log or the `last_error` column: never a body or a link."""

from __future__ import annotations

import re

MAX_REASON = 200
_URL = re.compile(r"\w+://\S+")


def mask(address: str) -> str:
    """`anna@kita-sonne.ch` → `a***@kita-sonne.ch`."""
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def reason(text: str) -> str:
    """A short, single-line reason. Links are cut out because a server may quote parts of the
    message in its reply, and our links carry secret tokens."""
    single_line = " ".join(_URL.sub("<link>", text).split())
    return single_line[:MAX_REASON]
