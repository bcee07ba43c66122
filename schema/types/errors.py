"""Typed errors: expected outcomes a client switches on by `__typename`.

Each holds what the domain said (a `Text`); `message` says it in the request's language.
"""

from __future__ import annotations

import strawberry

from engine.context import Info
from i18n import Text
from models import errors
from schema.types.enums import FieldErrorCode


@strawberry.interface(description="Something the caller may do, but that cannot be done now.")
class Error:
    text: strawberry.Private[Text]

    @strawberry.field(
        description="What happened, for the person, in a sentence in the request's language "
        "(`Accept-Language`: German or French). Programs switch on `__typename` instead."
    )
    def message(self, info: Info) -> str:
        return info.context.say(self.text)


@strawberry.type(description="One field of the input that is not valid, and why.")
class FieldError:
    field: str = strawberry.field(
        description="Path of the field in the input, e.g. `address.postalCode`."
    )
    code: FieldErrorCode = strawberry.field(
        description="Why the field is not valid: stable, for frontends to switch on."
    )
    text: strawberry.Private[Text]

    @strawberry.field(
        description="What is wrong with it, for the person, in the request's language."
    )
    def message(self, info: Info) -> str:
        return info.context.say(self.text)


@strawberry.type(description="Some fields of the input are not valid; nothing was changed.")
class InvalidInput(Error):
    field_errors: list[FieldError] = strawberry.field(
        description="One entry per field that is not valid, to show beside that field."
    )

    @classmethod
    def from_error(cls, error: errors.InvalidInput) -> InvalidInput:
        return cls(
            text=error.text,
            field_errors=[
                FieldError(field=name, code=problem.code, text=problem.text)
                for name, problem in error.field_errors.items()
            ],
        )


@strawberry.type(
    description="There is no such object, or the caller may not see it (the same answer)."
)
class NotFound(Error):
    @classmethod
    def from_error(cls, error: errors.NotFound) -> NotFound:
        return cls(text=error.text)


@strawberry.type(
    description="The address belongs to another account already (compared without case)."
)
class EmailAlreadyInUse(Error):
    @classmethod
    def from_error(cls, error: errors.EmailAlreadyInUse) -> EmailAlreadyInUse:
        return cls(text=error.text)


@strawberry.type(description="The data changed since the given `version` was read.")
class StaleData(Error):
    current_version: int = strawberry.field(
        description="The version saved now: reload, reapply the change, send this version."
    )

    @classmethod
    def from_error(cls, error: errors.StaleData) -> StaleData:
        return cls(text=error.text, current_version=error.current_version)


@strawberry.type(description="Activation happens once; an active institution is updated.")
class InstitutionAlreadyActive(Error):
    @classmethod
    def from_error(cls, error: errors.InstitutionAlreadyActive) -> InstitutionAlreadyActive:
        return cls(text=error.text)


@strawberry.type(description="The invitation is no longer open (accepted, revoked or expired).")
class InvitationNotOpen(Error):
    @classmethod
    def from_error(cls, error: errors.InvitationNotOpen) -> InvitationNotOpen:
        return cls(text=error.text)


@strawberry.type(
    description="Too many failed attempts or invitation mails in a short time; nothing was "
    "done. Try again after `retryAfterSeconds`."
)
class TooManyAttempts(Error):
    retry_after_seconds: int = strawberry.field(
        description="Seconds to wait before the next attempt can succeed."
    )

    @classmethod
    def from_error(cls, error: errors.TooManyAttempts) -> TooManyAttempts:
        return cls(text=error.text, retry_after_seconds=error.retry_after_seconds)
