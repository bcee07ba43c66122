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
        description="For people: what happened, in the request's language (`Accept-Language`: "
        "German or French). Programs switch on `__typename` instead."
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

    @strawberry.field(description="For people: what is wrong, in the request's language.")
    def message(self, info: Info) -> str:
        return info.context.say(self.text)


@strawberry.type
class InvalidInput(Error):
    field_errors: list[FieldError]

    @classmethod
    def from_error(cls, error: errors.InvalidInput) -> InvalidInput:
        return cls(
            text=error.text,
            field_errors=[
                FieldError(field=name, code=problem.code, text=problem.text)
                for name, problem in error.field_errors.items()
            ],
        )


@strawberry.type
class NotFound(Error):
    @classmethod
    def from_error(cls, error: errors.NotFound) -> NotFound:
        return cls(text=error.text)


@strawberry.type
class EmailAlreadyInUse(Error):
    @classmethod
    def from_error(cls, error: errors.EmailAlreadyInUse) -> EmailAlreadyInUse:
        return cls(text=error.text)


@strawberry.type(description="The data changed since the given `version` was read.")
class StaleData(Error):
    current_version: int

    @classmethod
    def from_error(cls, error: errors.StaleData) -> StaleData:
        return cls(text=error.text, current_version=error.current_version)


@strawberry.type(description="Activation happens once; an active institution is updated.")
class InstitutionAlreadyActive(Error):
    @classmethod
    def from_error(cls, error: errors.InstitutionAlreadyActive) -> InstitutionAlreadyActive:
        return cls(text=error.text)


@strawberry.type
class InvitationNotOpen(Error):
    @classmethod
    def from_error(cls, error: errors.InvitationNotOpen) -> InvitationNotOpen:
        return cls(text=error.text)


@strawberry.type(
    description="Too many failed attempts or invitation mails in a short time; nothing was "
    "done. Try again after `retryAfterSeconds`."
)
class TooManyAttempts(Error):
    retry_after_seconds: int

    @classmethod
    def from_error(cls, error: errors.TooManyAttempts) -> TooManyAttempts:
        return cls(text=error.text, retry_after_seconds=error.retry_after_seconds)
