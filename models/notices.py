"""Notices to the people concerned, queued in the transaction of the change they report:
a block, another role, their institution moved to another sponsor or withdrawn."""

from __future__ import annotations

from mailer import notice_mail
from mailer.notice_mail import Reader
from models.institution import Institution
from models.sponsor import Sponsor
from models.user import User, UserStatus, reading


async def reader(user: User) -> Reader:
    sponsor = await Sponsor.get_or_none(id=user.sponsor_id) if user.sponsor_id else None
    place = await Institution.get_or_none(id=user.institution_id) if user.institution_id else None
    return Reader(
        email=user.email,
        language=reading(user.language),
        role=user.role.value,
        sponsor=sponsor.name if sponsor else None,
        institution=place.name if place else None,
    )


async def blocked(user: User) -> None:
    """Only for a person who had access: an invitation never accepted has nothing to end."""
    if user.status_before_block == UserStatus.ACTIVE:
        person = await reader(user)
        await notice_mail.send(notice_mail.blocked(person), person)


async def role_changed(user: User, *, before: Reader) -> None:
    person = await reader(user)
    await notice_mail.send(notice_mail.role_changed(person, before=before), person)


async def institution_moved(institution: Institution, *, before: Sponsor | None) -> int:
    """To the institution's active staff; returns how many were told."""
    sponsor = await Sponsor.get(id=institution.sponsor_id)
    told = 0
    for person in await _staff_of(institution):
        letter = notice_mail.institution_moved(
            person,
            institution=institution.name,
            sponsor=sponsor.name,
            before=before.name if before else None,
        )
        await notice_mail.send(letter, person)
        told += 1
    return told


async def institution_withdrawn(institution: Institution) -> int:
    """The hook of withdrawing: call it in the withdrawal's transaction, before the accounts
    tied to the institution are blocked or deleted. Returns how many were told."""
    sponsor = (
        await Sponsor.get_or_none(id=institution.sponsor_id) if institution.sponsor_id else None
    )
    told = 0
    for person in await _staff_of(institution):
        letter = notice_mail.institution_withdrawn(
            person, institution=institution.name, sponsor=sponsor.name if sponsor else None
        )
        await notice_mail.send(letter, person)
        told += 1
    return told


async def _staff_of(institution: Institution) -> list[Reader]:
    active = User.filter(institution_id=institution.id, status=UserStatus.ACTIVE)
    return [await reader(person) for person in await active.order_by("id")]
