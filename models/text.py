"""Names as people type them: trimmed, bounded, and folded for accent-free search."""

from __future__ import annotations

import re
import unicodedata

from i18n import _
from models.errors import FieldErrorCode, Invalid

NAME_MAX_LENGTH = 200
# Lone surrogates cannot be encoded, NUL cannot be stored by PostgreSQL.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean_name(raw: str, *, max_length: int = NAME_MAX_LENGTH) -> str:
    name = " ".join(raw.split())
    if not name:
        raise Invalid(FieldErrorCode.REQUIRED, _("Enter a name."))
    if len(name) > max_length:
        raise Invalid(
            FieldErrorCode.TOO_LONG, _("At most {max_length} characters.", max_length=max_length)
        )
    return name


def folded(text: str) -> str:
    """Lower-cased without accents, so "zurich" finds "Zürich" and "Genève" finds "geneve"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_storable(text: str) -> bool:
    return UNSTORABLE.search(text) is None
