"""The message catalogue: every message the code marks has a German and a French translation
with the same placeholders, and the reader's language is negotiated as the contract says."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from i18n import LANGUAGES, Language, Named, _, translate
from i18n.negotiation import negotiate

ROOT = Path(__file__).parent.parent
SKIPPED = re.compile(r"(^|/)(\.|node_modules|tests|bench|var|build)")


def marked_messages() -> set[str]:
    """What `make messages` extracts: every `_("…")` of the code."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    found = set()
    for path, _line, message, _comments, _context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        directory_filter=lambda folder: (
            not SKIPPED.search(Path(folder).relative_to(ROOT).as_posix())
        ),
    ):
        if not SKIPPED.search(path):
            found.add(message if isinstance(message, str) else message[0])
    return found


def catalogue(language: Language) -> dict[str, tuple[str, bool]]:
    with (ROOT / "i18n" / language.value / "LC_MESSAGES" / "messages.po").open("rb") as po:
        read = read_po(po, locale=language.value)
    return {m.id: (str(m.string), m.fuzzy) for m in read if m.id and isinstance(m.id, str)}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_the_code_has_a_translation_with_the_same_placeholders(
    language: Language,
) -> None:
    marked, translated = marked_messages(), catalogue(language)

    assert len(marked) > 100  # the extraction found the code
    missing = sorted(m for m in marked if not translated.get(m, ("", False))[0])
    fuzzy = sorted(m for m in marked if translated.get(m, ("", False))[1])
    wrong = sorted(
        m for m in marked if m in translated and placeholders(translated[m][0]) != placeholders(m)
    )
    assert missing == [], f"no {language.value} translation (run `make messages`, fill msgstr)"
    assert fuzzy == [], f"{language.value} translations marked fuzzy"
    assert wrong == [], f"{language.value} translations with other placeholders"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_holds_no_message_the_code_no_longer_has(language: Language) -> None:
    assert sorted(set(catalogue(language)) - marked_messages()) == []


def test_a_message_is_said_in_each_language_with_its_parameters_translated_too() -> None:
    role = _("as canton administrator")
    text = _("Your access to kiBon {role_as} has been blocked.", role_as=role)

    assert (
        translate(text, Language.DE)
        == "Ihr Zugang zu kiBon als Administrator/in des Kantons wurde gesperrt."
    )
    assert translate(text, Language.FR) == (
        "Votre accès à kiBon en tant qu'administrateur/-trice du canton a été bloqué."
    )
    assert str(text) == "Your access to kiBon as canton administrator has been blocked."


def test_a_name_with_a_german_and_a_french_form_is_said_in_each() -> None:
    canton = Named.parse("Kanton Bern / Canton de Berne")
    text = _("kiBon, {canton}", canton=canton)

    assert translate(text, Language.DE) == "kiBon, Kanton Bern"
    assert translate(text, Language.FR) == "kiBon, Canton de Berne"
    assert Named.parse("Kanton Bern") == Named("Kanton Bern", "Kanton Bern")


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("fr-CH", Language.FR),
        ("fr", Language.FR),
        ("fr-CH, fr;q=0.9, en;q=0.8", Language.FR),
        ("en-GB, fr;q=0.5, de;q=0.4", Language.FR),
        ("de-CH", Language.DE),
        ("fr;q=0.3, de;q=0.7", Language.DE),
        ("it-CH, en", Language.DE),
        ("fr;q=0", Language.DE),
        ("*", Language.DE),
        ("", Language.DE),
        (None, Language.DE),
        ("fr;q=banana", Language.DE),
    ],
)
def test_accept_language_is_negotiated_over_german_and_french(
    header: str | None, language: Language
) -> None:
    assert negotiate(header) is language
