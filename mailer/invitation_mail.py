"""The invitation mail ("Einladung zur Mitarbeit / Invitation à coopérer") and the reminder
two days before an invitation expires."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from i18n import Language, Text, _
from mailer import letterhead, letters
from mailer.letterhead import Letterhead
from mailer.letters import Action, Letter
from mailer.outbox import OutboxMessage
from mailer.roles import role_as

SWISS_TIME = ZoneInfo("Europe/Zurich")
SUBJECT = _("Invitation to collaborate")


@dataclass(frozen=True)
class Inviter:
    """Who invites: their name from the sign-in, else their role and organisation."""

    name: str | None
    role: str | None  # None: the canton itself (a command run by its operators)
    sponsor: str | None = None
    institution: str | None = None


@dataclass(frozen=True)
class InvitationMail:
    email: str
    role: str
    sponsor: str | None
    institution: str | None
    inviter: Inviter
    link: str
    valid_until: datetime
    language: Language | None  # None: German and French
    asks_for_master_data: bool


def letter(mail: InvitationMail, head: Letterhead) -> Letter:
    paragraphs = [_invites(mail, head)]
    if mail.institution and mail.sponsor and not _activates(mail):
        paragraphs.append(_belongs(mail))
    if mail.asks_for_master_data and mail.institution:
        paragraphs.append(_master_data(mail))
    paragraphs.append(
        _(
            "Open the link below and sign in with BE-Login, using exactly this e-mail "
            "address: {email}",
            email=mail.email,
        )
    )
    date, time = _when(mail.valid_until)
    return Letter(
        subject=SUBJECT,
        paragraphs=tuple(paragraphs),
        action=Action(_("Accept the invitation"), mail.link),
        after_action=(
            _("The link can be used once and is valid until {date}, {time}.", date=date, time=time),
        ),
    )


def reminder(mail: InvitationMail) -> Letter:
    """No link: the token exists only in the invitation mail (it is stored as a hash)."""
    date, time = _when(mail.valid_until)
    place = role_as(mail.role, sponsor=mail.sponsor, institution=mail.institution)
    return Letter(
        subject=_("Your invitation expires soon"),
        paragraphs=(
            _(
                "Your invitation to collaborate in kiBon {role_as} expires on {date} at {time}.",
                role_as=place,
                date=date,
                time=time,
            ),
            _(
                "To accept it, open the link in the invitation e-mail «kiBon – Invitation to "
                "collaborate» and sign in with BE-Login, using exactly this e-mail address: "
                "{email}",
                email=mail.email,
            ),
            _(
                "If you can no longer find that e-mail, ask the person who invited you to send "
                "the invitation again."
            ),
        ),
    )


async def queue(mail: InvitationMail) -> OutboxMessage:
    invitation = letter(mail, letterhead.current())
    return await letters.send(invitation, to=mail.email, language=mail.language)


async def queue_reminder(mail: InvitationMail) -> OutboxMessage:
    return await letters.send(reminder(mail), to=mail.email, language=mail.language)


def _activates(mail: InvitationMail) -> bool:
    """A sponsor's admin invited to activate one of its institutions."""
    return mail.role == "SPONSOR_ADMIN" and mail.institution is not None


def _invites(mail: InvitationMail, head: Letterhead) -> Text:
    inviter = inviter_phrase(mail.inviter, head)
    if _activates(mail):
        return _(
            "{inviter} invites you, as administrator of the sponsor «{sponsor}», to activate "
            "its new institution «{institution}» in kiBon.",
            inviter=inviter,
            sponsor=mail.sponsor,
            institution=mail.institution,
        )
    place = role_as(mail.role, sponsor=mail.sponsor, institution=mail.institution)
    return _(
        "{inviter} invites you to collaborate in kiBon {role_as}.", inviter=inviter, role_as=place
    )


def _belongs(mail: InvitationMail) -> Text:
    return _(
        "The institution «{institution}» belongs to the sponsor «{sponsor}».",
        institution=mail.institution,
        sponsor=mail.sponsor,
    )


def _master_data(mail: InvitationMail) -> Text:
    if _activates(mail):
        return _("To do so, enter its master data after signing in.")
    return _(
        "After signing in, please enter the master data of the institution «{institution}».",
        institution=mail.institution,
    )


def inviter_phrase(inviter: Inviter, head: Letterhead) -> Text | str:
    """The subject of "… invites you": a name, or the role and organisation."""
    canton = inviter.role is None or inviter.role in {"SUPER_ADMIN", "CANTON_ADMIN", "CANTON_CLERK"}
    if inviter.name:
        return (
            _("{name} ({canton})", name=inviter.name, canton=head.canton)
            if canton
            else inviter.name
        )
    if canton:
        return _("The canton administration ({canton})", canton=head.canton)
    if inviter.sponsor:
        return _("The administration of the sponsor «{sponsor}»", sponsor=inviter.sponsor)
    return _(
        "The administration of the institution «{institution}»", institution=inviter.institution
    )


def _when(moment: datetime) -> tuple[str, str]:
    local = moment.astimezone(SWISS_TIME)
    return local.strftime("%d.%m.%Y"), local.strftime("%H:%M")
