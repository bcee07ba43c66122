"""Names as people type them: trimmed, bounded, and folded for accent-free search."""

from __future__ import annotations

import re
import unicodedata

from i18n import _
from models.errors import FieldErrorCode, Invalid

NAME_MAX_LENGTH = 200
PERSON_NAME_MAX_LENGTH = 100
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


def person_name(raw: str) -> str:
    """A person's name as an identity provider sends it, made fit for one line of a mail: no
    control or format characters (line breaks, NUL, bidi overrides), whitespace collapsed, at
    most 100 characters. Never refused: the provider, not the person, wrote it."""
    visible = "".join(c for c in raw if unicodedata.category(c)[0] != "C" or c in "\t\n\r")
    return " ".join(visible.split())[:PERSON_NAME_MAX_LENGTH]


def folded(text: str) -> str:
    """Lower-cased without accents, so "zurich" finds "Zürich" and "Genève" finds "geneve"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_storable(text: str) -> bool:
    return UNSTORABLE.search(text) is None
