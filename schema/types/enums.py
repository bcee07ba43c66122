"""The domain's enums, registered with the API (the domain's classes are the API's types), each
value described for client developers."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

import strawberry

from mailer.outbox import DeliveryStatus
from models.errors import FieldErrorCode, WarningCode
from models.institution import CareType, InstitutionStatus, Weekday
from models.invitation import InvitationStatus
from models.role import Role
from models.sponsor import SponsorStatus
from models.user import Language, UserStatus


def described(enum: type[Enum], description: str, values: Mapping[Enum, str]) -> None:
    """Registers a domain enum with a description for the type and for every value (a value
    without one fails here, when the schema is built)."""
    strawberry.enum(enum, description=description)
    for value in enum.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = values[enum(value.value)]


described(
    Role,
    "What a person may do, and where: canton roles everywhere, sponsor roles in one sponsor and "
    "its institutions, institution roles in one institution, `APPLICANT` only in the family "
    "portal.",
    {
        Role.SUPER_ADMIN: "Everything, including granting every role.",
        Role.CANTON_ADMIN: "Every sponsor, institution and person; registers, corrects and "
        "grants canton roles and the first admin roles of sponsors and institutions.",
        Role.CANTON_CLERK: "Reads everything; registers sponsors and institutions.",
        Role.SPONSOR_ADMIN: "One sponsor and all its institutions, with their people; invites "
        "and manages sponsor and institution roles there.",
        Role.SPONSOR_CLERK: "One sponsor and its institutions, without user administration.",
        Role.INSTITUTION_ADMIN: "One institution and its people; invites and manages "
        "institution roles there.",
        Role.INSTITUTION_CLERK: "One institution, without user administration.",
        Role.APPLICANT: "A parent (Gesuchsteller/in): only the family portal and their own "
        "account.",
    },
)
described(
    UserStatus,
    "Where an account stands.",
    {
        UserStatus.INVITED: "Created for an invitation that has not been accepted yet.",
        UserStatus.ACTIVE: "Signed in and working.",
        UserStatus.BLOCKED: "Refused at every request until unblocked.",
    },
)
described(
    Language,
    "The language of a person's mails; without one, mails are in German and French.",
    {Language.DE: "German.", Language.FR: "French."},
)
described(
    CareType,
    "The kind of childcare (Betreuungsangebot / offre de prise en charge).",
    {
        CareType.DAYCARE_CENTER: "Day-care centre (Kita / crèche).",
        CareType.DAY_FAMILY: "Day-family organisation (Tagesfamilienorganisation / organisation "
        "de familles de jour).",
        CareType.DAY_SCHOOL: "Day school (Tagesschule / école à journée continue).",
        CareType.HOLIDAY_CARE: "Holiday care (Ferieninsel / vacances).",
    },
)
described(
    InstitutionStatus,
    "Where an institution stands.",
    {
        InstitutionStatus.INVITED: "Registered; its admin has not entered complete master data "
        "yet. Parents see its name, type and sponsor.",
        InstitutionStatus.ACTIVE: "Master data complete; parents also see its address and contact.",
        InstitutionStatus.WITHDRAWN: "Registered by mistake and withdrawn by the canton: out of "
        "the family portal, seen by canton staff only, until it is restored.",
    },
)
described(
    SponsorStatus,
    "Whether a sponsor is in use.",
    {
        SponsorStatus.ACTIVE: "Registered and in use.",
        SponsorStatus.WITHDRAWN: "Registered by mistake and withdrawn by the canton, with all "
        "its institutions; seen by canton staff only, its name free for another registration.",
    },
)
described(
    Weekday,
    "A day of the week, for opening days.",
    {
        Weekday.MONDAY: "Monday.",
        Weekday.TUESDAY: "Tuesday.",
        Weekday.WEDNESDAY: "Wednesday.",
        Weekday.THURSDAY: "Thursday.",
        Weekday.FRIDAY: "Friday.",
        Weekday.SATURDAY: "Saturday.",
        Weekday.SUNDAY: "Sunday.",
    },
)
described(
    InvitationStatus,
    "Where an invitation stands.",
    {
        InvitationStatus.PENDING: "Sent and waiting; its link works until `expiresAt`.",
        InvitationStatus.ACCEPTED: "Accepted; the link no longer works.",
        InvitationStatus.REVOKED: "Withdrawn by an admin or by a role change; the link no "
        "longer works.",
        InvitationStatus.EXPIRED: "Not accepted in time; it can be resent.",
    },
)
described(
    DeliveryStatus,
    "Whether the invitation mail reached the mail server.",
    {
        DeliveryStatus.PENDING: "Queued; the delivery worker has not handed it over yet (it "
        "retries for hours when the mail server is down).",
        DeliveryStatus.SENT: "Accepted by the mail server.",
        DeliveryStatus.FAILED: "Given up: the mail server refused it for good.",
    },
)

described(
    FieldErrorCode,
    "Why a field of the input is not valid. Stable: frontends switch on it (and may show their "
    "own text); `FieldError.message` says it for people.",
    {
        FieldErrorCode.REQUIRED: "The field must be filled in.",
        FieldErrorCode.TOO_LONG: "The text is longer than the field allows.",
        FieldErrorCode.INVALID_FORMAT: "The value does not have the form the field expects (a "
        "time of day, a role that fits the sponsor or institution given).",
        FieldErrorCode.INVALID_EMAIL: "Not an e-mail address.",
        FieldErrorCode.INVALID_IBAN: "Not a valid IBAN of a Swiss or Liechtenstein account "
        "(check digits, country, QR-IBAN).",
        FieldErrorCode.INVALID_PHONE: "Not a valid Swiss or Liechtenstein phone number.",
        FieldErrorCode.INVALID_POSTAL_CODE: "Not a Swiss or Liechtenstein postal code (four "
        "digits).",
        FieldErrorCode.INVALID_URL: "Not a web address starting with https:// or http://.",
        FieldErrorCode.OUT_OF_RANGE: "A number or a date outside the range the field allows.",
        FieldErrorCode.INVALID_RANGE: "An end before its start (closing time, end of the voucher "
        "period).",
        FieldErrorCode.IN_THE_PAST: "A date that may not lie in the past (today in Europe/Zurich).",
        FieldErrorCode.NOT_ALLOWED_FOR_CARE_TYPE: "The field does not apply to this care type "
        "(places of a day-family organisation).",
        FieldErrorCode.ALREADY_EXISTS: "Another record already has this value (a sponsor's name).",
        FieldErrorCode.WITHDRAWN: "The field names a withdrawn sponsor or institution.",
    },
)
described(
    WarningCode,
    "What a warning is about. Stable: frontends switch on it; `Warning.message` says it for "
    "people.",
    {
        WarningCode.SHARED_MAILBOX: "The address looks like a shared mailbox (info@, kontakt@, "
        "…); accounts are personal, so a person who leaves can be blocked.",
    },
)

__all__ = [
    "CareType",
    "DeliveryStatus",
    "FieldErrorCode",
    "InstitutionStatus",
    "InvitationStatus",
    "Language",
    "Role",
    "SponsorStatus",
    "UserStatus",
    "WarningCode",
    "Weekday",
]
