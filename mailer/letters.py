"""Every mail is a letter: a subject, paragraphs and at most one link to follow, all of them
`Text`s of the catalogue, laid out by the same templates with the canton's footer. A letter
goes out in the reader's language, or in German and French (German first) when it is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from i18n import LANGUAGES, Language, Text, _, translate
from mailer import letterhead as letterheads
from mailer import outbox
from mailer.letterhead import Letterhead
from mailer.outbox import OutboxMessage

_templates = Environment(
    loader=PackageLoader("mailer", "templates"),
    autoescape=select_autoescape(["html", "html.j2"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Action:
    """The one thing the letter asks the reader to open."""

    label: Text
    url: str


@dataclass(frozen=True)
class Letter:
    subject: Text
    paragraphs: tuple[Text, ...]
    action: Action | None = None
    after_action: tuple[Text, ...] = field(default=())


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def languages_for(language: Language | None) -> tuple[Language, ...]:
    return (language,) if language is not None else LANGUAGES


def render(
    letter: Letter, *, language: Language | None, letterhead: Letterhead | None = None
) -> Rendered:
    head = letterhead or letterheads.current()
    parts = [_part(letter, reader, head) for reader in languages_for(language)]
    return Rendered(
        subject=_templates.get_template("subject.txt.j2").render(parts=parts).strip(),
        text=_templates.get_template("letter.txt.j2").render(parts=parts),
        html=_templates.get_template("letter.html.j2").render(parts=parts),
    )


async def send(letter: Letter, *, to: str, language: Language | None) -> OutboxMessage:
    """Queues the letter in the caller's transaction (see `outbox.enqueue`)."""
    head = letterheads.current()
    mail = render(letter, language=language, letterhead=head)
    return await outbox.enqueue(
        recipient=to,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        domain=head.sender_domain,
    )


def _part(letter: Letter, language: Language, head: Letterhead) -> dict[str, Any]:
    def say(text: Text) -> str:
        return translate(text, language)

    return {
        "lang": language.value,
        "subject": say(letter.subject),
        "greeting": say(_("Hello")),
        "paragraphs": [say(paragraph) for paragraph in letter.paragraphs],
        "action": letter.action and {"label": say(letter.action.label), "url": letter.action.url},
        "after_action": [say(paragraph) for paragraph in letter.after_action],
        "closing": say(_("Kind regards")),
        "signature": say(_("kiBon, {canton}", canton=head.canton)),
        "support": say(support) if (support := _support(head)) else None,
        "no_reply": say(_("This e-mail was sent automatically. Please do not reply to it.")),
    }


def _support(head: Letterhead) -> Text | None:
    email, phone = head.support_email, head.support_phone
    if email and phone:
        return _("Questions? Write to {email} or call {phone}.", email=email, phone=phone)
    if email:
        return _("Questions? Write to {email}.", email=email)
    if phone:
        return _("Questions? Call {phone}.", phone=phone)
    return None
