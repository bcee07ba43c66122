"""What of a message may reach a log or the `last_error` column: no body, link or full address."""

from __future__ import annotations

import re

MAX_REASON = 200
_URL = re.compile(r"\w+://\S+")
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask(address: str) -> str:
    """`anna@kita-sonne.ch` → `a***@kita-sonne.ch`."""
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def reason(text: str) -> str:
    """A short, single-line reason. Links are cut out because a server may quote parts of the
    message in its reply, and our links carry secret tokens; addresses are masked because
    refusals usually repeat the recipient, and the reason is logged."""
    without_links = _URL.sub("<link>", text)
    masked = _ADDRESS.sub(lambda found: mask(found.group()), without_links)
    return " ".join(masked.split())[:MAX_REASON]
