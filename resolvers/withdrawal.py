"""Withdrawal mutations: the canton takes back what was registered by mistake, or restores it."""

from __future__ import annotations

from engine.context import Info
from models import errors, withdrawal
from schema.types import ids
from schema.types.arguments import InstitutionId, SponsorId
from schema.types.errors import InvalidInput, NotFound
from schema.types.institution import Sponsor, with_sponsor
from schema.types.withdrawal import (
    Reason,
    RestoreInstitutionResult,
    RestoreInstitutionSuccess,
    RestoreSponsorResult,
    RestoreSponsorSuccess,
    WithdrawInstitutionResult,
    WithdrawInstitutionSuccess,
    WithdrawSponsorResult,
    WithdrawSponsorSuccess,
)


async def withdraw_institution(
    info: Info, id: InstitutionId, reason: Reason = None
) -> WithdrawInstitutionResult:
    try:
        found = await withdrawal.withdraw_institution(
            by=info.context.actor, institution_id=ids.decode(id, "Institution"), reason=reason
        )
    except errors.NotFound as error:
        return NotFound.from_error(error)
    except errors.InvalidInput as error:
        return InvalidInput.from_error(error)
    return WithdrawInstitutionSuccess(institution=await with_sponsor(found))


async def withdraw_sponsor(
    info: Info, id: SponsorId, reason: Reason = None
) -> WithdrawSponsorResult:
    try:
        found = await withdrawal.withdraw_sponsor(
            by=info.context.actor, sponsor_id=ids.decode(id, "Sponsor"), reason=reason
        )
    except errors.NotFound as error:
        return NotFound.from_error(error)
    except errors.InvalidInput as error:
        return InvalidInput.from_error(error)
    return WithdrawSponsorSuccess(sponsor=Sponsor.from_model(found))


async def restore_institution(info: Info, id: InstitutionId) -> RestoreInstitutionResult:
    try:
        found = await withdrawal.restore_institution(
            by=info.context.actor, institution_id=ids.decode(id, "Institution")
        )
    except errors.NotFound as error:
        return NotFound.from_error(error)
    except errors.InvalidInput as error:
        return InvalidInput.from_error(error)
    return RestoreInstitutionSuccess(institution=await with_sponsor(found))


async def restore_sponsor(info: Info, id: SponsorId) -> RestoreSponsorResult:
    try:
        found = await withdrawal.restore_sponsor(
            by=info.context.actor, sponsor_id=ids.decode(id, "Sponsor")
        )
    except errors.NotFound as error:
        return NotFound.from_error(error)
    except errors.InvalidInput as error:
        return InvalidInput.from_error(error)
    return RestoreSponsorSuccess(sponsor=Sponsor.from_model(found))
