"""Plain async builders with unique defaults: `await make_sponsor()`, `await make_user(...)`."""

from __future__ import annotations

import itertools
from datetime import date

from models.institution import CareType, Institution, InstitutionStatus
from models.role import Role
from models.sponsor import Sponsor
from models.user import User, UserStatus
from tests.support.idp import ISSUER

_serial = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_serial)}"


async def make_sponsor(*, name: str | None = None) -> Sponsor:
    sponsor = Sponsor()
    sponsor.set_name(name or unique("Trägerschaft"))
    await sponsor.save()
    return sponsor


async def make_institution(
    *,
    name: str | None = None,
    sponsor: Sponsor | None = None,
    care_type: CareType = CareType.DAYCARE_CENTER,
    vouchers_from: date = date(2020, 1, 1),
    vouchers_until: date | None = None,
    status: InstitutionStatus = InstitutionStatus.INVITED,
) -> Institution:
    institution = Institution(
        care_type=care_type,
        vouchers_from=vouchers_from,
        vouchers_until=vouchers_until,
        sponsor=sponsor,
        status=status,
    )
    institution.set_name(name or unique("Kita"))
    await institution.save()
    return institution


async def make_user(
    role: Role = Role.APPLICANT,
    *,
    email: str | None = None,
    sponsor: Sponsor | None = None,
    institution: Institution | None = None,
    status: UserStatus = UserStatus.ACTIVE,
    bound: bool = True,
) -> User:
    """An account; `bound` ones are tied to the test provider's identity for their e-mail."""
    address = email or f"{unique('person')}@example.ch"
    user = User(
        role=role,
        sponsor=sponsor,
        institution=institution,
        status=status,
        first_name="Anna",
        last_name="Muster",
        issuer=ISSUER if bound else None,
        subject=f"sub-{address.lower()}" if bound else None,
    )
    user.set_email(address)
    await user.save()
    return user
