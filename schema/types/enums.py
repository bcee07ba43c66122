"""The domain's enums, registered with the API (the domain's classes are the API's types)."""

from __future__ import annotations

import strawberry

from mailer.outbox import DeliveryStatus
from models.institution import CareType, InstitutionStatus, Weekday
from models.invitation import InvitationStatus
from models.role import Role
from models.user import Language, UserStatus

strawberry.enum(
    Role,
    description="What a person may do, and where: canton roles everywhere, sponsor roles in one "
    "sponsor and its institutions, institution roles in one institution, `APPLICANT` only in the "
    "family portal.",
)
strawberry.enum(UserStatus, description="INVITED until the invitation is accepted.")
strawberry.enum(Language, description="Language of mails; German and French when unknown.")
strawberry.enum(CareType, description="Betreuungsangebot / offre de prise en charge.")
strawberry.enum(InstitutionStatus, description="ACTIVE once its master data is complete.")
strawberry.enum(Weekday)
strawberry.enum(InvitationStatus)
strawberry.enum(DeliveryStatus, description="Whether the invitation mail reached the mail server.")

__all__ = [
    "CareType",
    "DeliveryStatus",
    "InstitutionStatus",
    "InvitationStatus",
    "Language",
    "Role",
    "UserStatus",
    "Weekday",
]
