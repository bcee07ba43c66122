"""The `search` argument of every list: part of a name or an address, bounded like any input."""

from __future__ import annotations

from engine.errors import BadUserInput
from i18n import _

MAX_SEARCH_LENGTH = 100  # longer than any name or address we store


def search_term(raw: str | None) -> str | None:
    """The trimmed term, or None to list everything; an overlong one is the client's error."""
    if raw is None or not raw.strip():
        return None
    term = raw.strip()
    if len(term) > MAX_SEARCH_LENGTH:
        raise BadUserInput(_("`search` has at most {most} characters.", most=MAX_SEARCH_LENGTH))
    return term
