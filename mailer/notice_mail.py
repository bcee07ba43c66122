"""Short notices about a person's access: blocked, another role, their institution moved to
another sponsor or withdrawn. Each says what happened and what it means for the reader."""

from __future__ import annotations

from dataclasses import dataclass

from i18n import Language, _
from mailer import letters
from mailer.letters import Letter
from mailer.outbox import OutboxMessage
from mailer.roles import role_as


@dataclass(frozen=True)
class Reader:
    """Who gets the notice, and where they work."""

    email: str
    language: Language | None  # None: German and French
    role: str
    sponsor: str | None = None
    institution: str | None = None


def blocked(reader: Reader) -> Letter:
    place = role_as(reader.role, sponsor=reader.sponsor, institution=reader.institution)
    return Letter(
        subject=_("Your access has been blocked"),
        paragraphs=(
            _("Your access to kiBon {role_as} has been blocked.", role_as=place),
            _("You can no longer sign in with this account."),
            _(
                "If you think this is a mistake, please contact the administration of your "
                "sponsor or institution, or the canton."
            ),
        ),
    )


def role_changed(reader: Reader, *, before: Reader) -> Letter:
    now = role_as(reader.role, sponsor=reader.sponsor, institution=reader.institution)
    was = role_as(before.role, sponsor=before.sponsor, institution=before.institution)
    return Letter(
        subject=_("Your role has changed"),
        paragraphs=(
            _("From now on you collaborate in kiBon {role_as}.", role_as=now),
            _("Until now you collaborated {role_as}.", role_as=was),
            _("Please sign in again to continue."),
        ),
    )


def institution_moved(
    reader: Reader, *, institution: str, sponsor: str, before: str | None
) -> Letter:
    paragraphs = [
        _(
            "The institution «{institution}» now belongs to the sponsor «{sponsor}».",
            institution=institution,
            sponsor=sponsor,
        )
    ]
    if before:
        paragraphs.append(_("Until now it belonged to the sponsor «{sponsor}».", sponsor=before))
    paragraphs.append(
        _("The administration of the new sponsor can now manage the institution and its accounts.")
    )
    return Letter(
        subject=_("Your institution belongs to another sponsor"), paragraphs=tuple(paragraphs)
    )


def institution_withdrawn(reader: Reader, *, institution: str, sponsor: str | None) -> Letter:
    paragraphs = [
        _(
            "The canton has withdrawn the institution «{institution}» from kiBon: parents no "
            "longer find it in the family portal, and your access to it has ended.",
            institution=institution,
        )
    ]
    if sponsor:
        paragraphs.append(
            _(
                "The institution belonged to the sponsor «{sponsor}».",
                sponsor=sponsor,
            )
        )
    paragraphs.append(_("If you think this is a mistake, please contact the canton."))
    return Letter(subject=_("Your institution has been withdrawn"), paragraphs=tuple(paragraphs))


async def send(letter: Letter, reader: Reader) -> OutboxMessage:
    return await letters.send(letter, to=reader.email, language=reader.language)
