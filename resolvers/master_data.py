"""Activating an institution and updating its master data."""

from __future__ import annotations

from typing import Annotated

import strawberry

from engine.context import Info
from models import errors, master_data
from schema.types import ids
from schema.types.arguments import InstitutionId
from schema.types.errors import InstitutionAlreadyActive, InvalidInput, NotFound, StaleData
from schema.types.institution import with_sponsor
from schema.types.master_data import (
    ActivateInstitutionResult,
    ActivateInstitutionSuccess,
    MasterDataInput,
    UpdateInstitutionMasterDataResult,
    UpdateInstitutionMasterDataSuccess,
)

MasterData = Annotated[
    MasterDataInput, strawberry.argument(description="The whole master data, not a patch.")
]


async def activate_institution(
    info: Info,
    id: InstitutionId,
    input: Annotated[MasterDataInput, strawberry.argument(description="The whole master data.")],
) -> ActivateInstitutionResult | None:
    institution_id, form = ids.decode(id, "Institution"), input.to_form()
    try:
        row = await master_data.activate(
            by=info.context.actor, institution_id=institution_id, form=form
        )
    except errors.InstitutionAlreadyActive as error:
        return InstitutionAlreadyActive.from_error(error)
    except errors.InvalidInput as error:
        return InvalidInput.from_error(error)
    except errors.NotFound as error:
        return NotFound.from_error(error)
    except errors.StaleData as error:
        return StaleData.from_error(error)
    return ActivateInstitutionSuccess(institution=await with_sponsor(row))


async def update_institution_master_data(
    info: Info,
    id: InstitutionId,
    input: Annotated[MasterDataInput, strawberry.argument(description="The whole master data.")],
) -> UpdateInstitutionMasterDataResult | None:
    institution_id, form = ids.decode(id, "Institution"), input.to_form()
    try:
        row = await master_data.update(
            by=info.context.actor, institution_id=institution_id, form=form
        )
    except errors.InvalidInput as error:
        return InvalidInput.from_error(error)
    except errors.NotFound as error:
        return NotFound.from_error(error)
    except errors.StaleData as error:
        return StaleData.from_error(error)
    return UpdateInstitutionMasterDataSuccess(institution=await with_sponsor(row))
