"""Registration mutations: canton staff register and correct sponsors and institutions."""

from __future__ import annotations

from typing import Annotated

import strawberry

from engine.context import Info
from models import correction, errors, registration
from models.invitation import Policy
from schema.types import ids
from schema.types.arguments import InstitutionId, SponsorId
from schema.types.errors import EmailAlreadyInUse, InvalidInput, NotFound, TooManyAttempts
from schema.types.institution import Sponsor, with_sponsor
from schema.types.invitation import Invitation
from schema.types.registration import (
    RegisterInstitutionInput,
    RegisterInstitutionResult,
    RegisterInstitutionSuccess,
    RegisterSponsorInput,
    RegisterSponsorResult,
    RegisterSponsorSuccess,
    UpdateInstitutionInput,
    UpdateInstitutionResult,
    UpdateInstitutionSuccess,
    UpdateSponsorInput,
    UpdateSponsorResult,
    UpdateSponsorSuccess,
    Warning,
)


def policy(info: Info) -> Policy:
    settings = info.context.settings
    return Policy(
        portal_url=settings.portal_url,
        ttl_days=settings.invitation_ttl_days,
        mail_limit=settings.rate_limits.invitation_mails,
    )


async def register_sponsor(
    info: Info,
    input: Annotated[RegisterSponsorInput, strawberry.argument(description="The new sponsor.")],
) -> RegisterSponsorResult:
    try:
        done = await registration.register_sponsor(
            by=info.context.actor,
            name=input.name,
            admin_email=input.admin_email,
            language=input.language,
            policy=policy(info),
        )
    except errors.InvalidInput as error:
        return InvalidInput.from_error(error)
    except errors.EmailAlreadyInUse as error:
        return EmailAlreadyInUse.from_error(error)
    assert done.sponsor is not None
    return RegisterSponsorSuccess(
        sponsor=Sponsor.from_model(done.sponsor),
        invitation=Invitation.from_model(done.invitation),
        warnings=Warning.list_of(done.warnings),
    )


async def register_institution(
    info: Info,
    input: Annotated[
        RegisterInstitutionInput, strawberry.argument(description="The new institution.")
    ],
) -> RegisterInstitutionResult:
    sponsor_id = ids.decode_optional(input.sponsor_id, "Sponsor", argument="sponsorId")
    try:
        done = await registration.register_institution(
            by=info.context.actor,
            name=input.name,
            care_type=input.care_type,
            vouchers_from=input.vouchers_from,
            vouchers_until=input.vouchers_until,
            admin_email=input.admin_email,
            sponsor_id=sponsor_id,
            language=input.language,
            policy=policy(info),
        )
    except errors.InvalidInput as error:
        return InvalidInput.from_error(error)
    except errors.EmailAlreadyInUse as error:
        return EmailAlreadyInUse.from_error(error)
    except errors.NotFound as error:
        return NotFound.from_error(error)
    except errors.TooManyAttempts as error:
        return TooManyAttempts.from_error(error)
    assert done.institution is not None
    return RegisterInstitutionSuccess(
        institution=await with_sponsor(done.institution),
        invitation=Invitation.from_model(done.invitation),
        warnings=Warning.list_of(done.warnings),
    )


async def update_sponsor(
    info: Info,
    id: SponsorId,
    input: Annotated[UpdateSponsorInput, strawberry.argument(description="The correction.")],
) -> UpdateSponsorResult:
    try:
        sponsor = await correction.update_sponsor(
            by=info.context.actor, sponsor_id=ids.decode(id, "Sponsor"), name=input.name
        )
    except errors.InvalidInput as error:
        return InvalidInput.from_error(error)
    except errors.NotFound as error:
        return NotFound.from_error(error)
    return UpdateSponsorSuccess(sponsor=Sponsor.from_model(sponsor))


async def update_institution(
    info: Info,
    id: InstitutionId,
    input: Annotated[UpdateInstitutionInput, strawberry.argument(description="What to correct.")],
) -> UpdateInstitutionResult:
    change = correction.InstitutionCorrection(
        name=input.name,
        care_type=input.care_type,
        vouchers_from=input.vouchers_from,
        sponsor_id=ids.decode_optional(input.sponsor_id, "Sponsor", argument="sponsorId"),
        vouchers_until=correction.UNCHANGED
        if input.vouchers_until is strawberry.UNSET
        else input.vouchers_until,
    )
    try:
        found = await correction.update_institution(
            by=info.context.actor, institution_id=ids.decode(id, "Institution"), change=change
        )
    except errors.InvalidInput as error:
        return InvalidInput.from_error(error)
    except errors.NotFound as error:
        return NotFound.from_error(error)
    return UpdateInstitutionSuccess(institution=await with_sponsor(found))
