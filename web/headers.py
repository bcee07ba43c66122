"""The headers on every answer (`web.perimeter` writes them): no referrer leaves a page of ours
(a GraphiQL URL can carry a query with variables), no content sniffing, no framing, no caching
of answers that hold personal data. Answers that bring their own Content-Security-Policy (the
GraphiQL page) keep it."""

from __future__ import annotations

from collections.abc import Iterable

API_POLICY = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
Header = tuple[bytes, bytes]
ALWAYS: tuple[Header, ...] = (
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
)
UNLESS_SET: tuple[Header, ...] = (
    (b"content-security-policy", API_POLICY),
    (b"cache-control", b"no-store"),
)
REPLACED = frozenset(name for name, _ in ALWAYS)


def size_of(headers: Iterable[Header]) -> int:
    """The bytes of headers' names and values."""
    return sum(len(name) + len(value) for name, value in headers)


def secured(headers: Iterable[Header]) -> list[Header]:
    """An answer's headers with ours: each of `ALWAYS` in place of any of its name, each of
    `UNLESS_SET` where the answer has none of its name."""
    kept = [(name, value) for name, value in headers if name.lower() not in REPLACED]
    present = {name.lower() for name, _ in kept}
    kept += ALWAYS
    kept += (header for header in UNLESS_SET if header[0] not in present)
    return kept
