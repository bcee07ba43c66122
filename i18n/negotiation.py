"""The reader's language from `Accept-Language`: German or French, German when neither."""

from __future__ import annotations

import functools

from i18n.catalogue import Language

DEFAULT = Language.DE
MAX_RANGES = 20  # a header is the client's; only its first ranges count


@functools.lru_cache(maxsize=128)  # clients send a handful of distinct headers
def negotiate(accept_language: str | None) -> Language:
    """The most preferred of `de` and `fr` (`fr-CH` is `fr`); `de` when neither is asked for.
    Ranges with equal weight keep the order the client gave."""
    ranges = []
    for position, part in enumerate((accept_language or "").split(",")[:MAX_RANGES]):
        tag, _, weight = part.strip().partition(";")
        ranges.append((-_quality(weight), position, tag.strip().split("-")[0].lower()))
    for quality, _position, primary in sorted(ranges):
        if quality < 0 and primary in {"de", "fr"}:
            return Language(primary)
    return DEFAULT


def _quality(weight: str) -> float:
    name, _, value = weight.strip().partition("=")
    if name.strip().lower() != "q":
        return 1.0
    try:
        return min(max(float(value), 0.0), 1.0)
    except ValueError:
        return 0.0
