"""The invitation mail ("Einladung zur Mitarbeit / Invitation à coopérer"), German and French."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from mailer import outbox
from mailer.outbox import OutboxMessage

BOTH = ("DE", "FR")
SUBJECTS = {
    ("DE",): "kiBon – Einladung zur Mitarbeit",
    ("FR",): "kiBon – Invitation à coopérer",
    BOTH: "kiBon – Einladung zur Mitarbeit / Invitation à coopérer",
}
ROLE_LABELS = {
    "SUPER_ADMIN": {"DE": "Superadministrator/in", "FR": "super-administrateur/trice"},
    "CANTON_ADMIN": {"DE": "Administrator/in Kanton", "FR": "administrateur/trice du canton"},
    "CANTON_CLERK": {"DE": "Sachbearbeiter/in Kanton", "FR": "collaborateur/trice du canton"},
    "SPONSOR_ADMIN": {
        "DE": "Administrator/in der Trägerschaft",
        "FR": "administrateur/trice de l'organisme responsable",
    },
    "SPONSOR_CLERK": {
        "DE": "Sachbearbeiter/in der Trägerschaft",
        "FR": "collaborateur/trice de l'organisme responsable",
    },
    "INSTITUTION_ADMIN": {
        "DE": "Administrator/in der Institution",
        "FR": "administrateur/trice de l'institution",
    },
    "INSTITUTION_CLERK": {
        "DE": "Sachbearbeiter/in der Institution",
        "FR": "collaborateur/trice de l'institution",
    },
    "APPLICANT": {"DE": "Gesuchsteller/in", "FR": "requérant-e"},
}
SWISS_TIME = ZoneInfo("Europe/Zurich")

_templates = Environment(
    loader=PackageLoader("mailer", "templates"),
    autoescape=select_autoescape(["html", "html.j2"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class InvitationMail:
    email: str
    role: str
    sponsor: str | None
    institution: str | None
    inviter: str
    link: str
    valid_until: datetime
    language: str | None  # "DE", "FR", or None for both


def one_line(value: str) -> str:
    """What others typed stays in its slot: no line of its own in the text part, whatever an
    older row holds."""
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())


def render(mail: InvitationMail) -> tuple[str, str, str]:
    """Subject, text and HTML of the mail."""
    languages = (mail.language,) if mail.language in BOTH else BOTH
    values = {
        "languages": languages,
        "inviter": one_line(mail.inviter),
        "role_labels": ROLE_LABELS[mail.role],
        "place": mail.institution or mail.sponsor,
        "institution": mail.institution,
        "email": mail.email,
        "link": mail.link,
        "valid_until": mail.valid_until.astimezone(SWISS_TIME).strftime("%d.%m.%Y %H:%M"),
    }
    subject = SUBJECTS[languages]
    text = _templates.get_template("invitation.txt.j2").render(values)
    html = _templates.get_template("invitation.html.j2").render(values)
    return subject, text, html


async def queue(mail: InvitationMail) -> OutboxMessage:
    subject, text, html = render(mail)
    return await outbox.enqueue(recipient=mail.email, subject=subject, text=text, html=html)
