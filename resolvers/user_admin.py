"""Inviting colleagues."""

from __future__ import annotations

from models import errors, user_admin
from models.placement import ScopeIds
from resolvers.context import Info
from resolvers.registration import policy
from schema import ids
from schema.errors import EmailAlreadyInUse, InvalidInput, NotFound
from schema.invitation import Invitation
from schema.registration import Warning
from schema.user import User
from schema.user_admin import InviteUserInput, InviteUserResult, InviteUserSuccess


def scope_ids(input: InviteUserInput) -> ScopeIds:
    return {
        "sponsor_id": ids.decode_optional(input.sponsor_id, "Sponsor", argument="sponsorId"),
        "institution_id": ids.decode_optional(
            input.institution_id, "Institution", argument="institutionId"
        ),
    }


async def invite_user(info: Info, input: InviteUserInput) -> InviteUserResult:
    try:
        done = await user_admin.invite(
            by=info.context.actor,
            address=input.email,
            role=input.role,
            language=input.language,
            first_name=input.first_name,
            last_name=input.last_name,
            policy=policy(info),
            **scope_ids(input),
        )
    except errors.InvalidInput as error:
        return InvalidInput.from_error(error)
    except errors.EmailAlreadyInUse as error:
        return EmailAlreadyInUse.from_error(error)
    except errors.NotFound as error:
        return NotFound.from_error(error)
    return InviteUserSuccess(
        user=User.from_model(done.user),
        invitation=Invitation.from_model(done.invitation),
        warnings=Warning.list_of(done.warnings),
    )
