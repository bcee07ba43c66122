"""Texts and their translation: one gettext catalogue per language, compiled at import."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

HERE = Path(__file__).parent


class Language(StrEnum):
    """The languages people read this service in; German is the default."""

    DE = "de"
    FR = "fr"


LANGUAGES = tuple(Language)


@dataclass(frozen=True)
class Text:
    """What to say, not yet said: a message id (the English text) and its parameters.
    A parameter may itself be a `Text` (a role's name in a sentence), translated alike."""

    id: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        """English, for logs and for developers; people get `translate`."""
        return self.id.format(**{k: _plain(v) for k, v in self.params.items()})


@dataclass(frozen=True)
class Named:
    """A name that has a German and a French form (`Kanton Bern`, `Canton de Berne`)."""

    de: str
    fr: str

    @classmethod
    def parse(cls, names: str) -> Named:
        """`Kanton Bern / Canton de Berne`, or one name for both."""
        german, _, french = names.partition(" / ")
        return cls(german.strip(), french.strip() or german.strip())

    def in_(self, language: Language) -> str:
        return self.fr if language == Language.FR else self.de

    def __str__(self) -> str:
        return self.de


def _(message_id: str, /, **params: Any) -> Text:
    """Marks a message for the catalogue (`pybabel extract` looks for `_`)."""
    return Text(message_id, params)


@cache
def _catalogue(language: Language) -> Translations:
    path = HERE / language.value / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=language.value)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def gettext(language: Language, message_id: str) -> str:
    return _catalogue(language).gettext(message_id)


def translate(text: Text, language: Language) -> str:
    params = {name: _said(value, language) for name, value in text.params.items()}
    return gettext(language, text.id).format(**params)


def _said(value: Any, language: Language) -> Any:
    if isinstance(value, Text):
        return translate(value, language)
    if isinstance(value, Named):
        return value.in_(language)
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")  # the Swiss way in both languages
    return value
