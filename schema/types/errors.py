"""Typed errors: expected outcomes a client switches on by `__typename`."""

from __future__ import annotations

import strawberry

from models import errors


@strawberry.interface(description="Something the caller may do, but that cannot be done now.")
class Error:
    message: str


@strawberry.type(description="One field of the input that is not valid, and why.")
class FieldError:
    field: str = strawberry.field(
        description="Path of the field in the input, e.g. `address.postalCode`."
    )
    message: str


@strawberry.type
class InvalidInput(Error):
    field_errors: list[FieldError]

    @classmethod
    def from_error(cls, error: errors.InvalidInput) -> InvalidInput:
        return cls(
            message=error.message,
            field_errors=[FieldError(field=f, message=m) for f, m in error.field_errors.items()],
        )


@strawberry.type
class NotFound(Error):
    @classmethod
    def from_error(cls, error: errors.NotFound) -> NotFound:
        return cls(message=error.message)


@strawberry.type
class EmailAlreadyInUse(Error):
    @classmethod
    def from_error(cls, error: errors.EmailAlreadyInUse) -> EmailAlreadyInUse:
        return cls(message=error.message)


@strawberry.type(description="The data changed since the given `version` was read.")
class StaleData(Error):
    current_version: int

    @classmethod
    def from_error(cls, error: errors.StaleData) -> StaleData:
        return cls(message=error.message, current_version=error.current_version)


@strawberry.type(description="Activation happens once; an active institution is updated.")
class InstitutionAlreadyActive(Error):
    @classmethod
    def from_error(cls, error: errors.InstitutionAlreadyActive) -> InstitutionAlreadyActive:
        return cls(message=error.message)


@strawberry.type
class InvitationNotOpen(Error):
    @classmethod
    def from_error(cls, error: errors.InvitationNotOpen) -> InvitationNotOpen:
        return cls(message=error.message)


@strawberry.type(
    description="Too many failed attempts or invitation mails in a short time; nothing was "
    "done. Try again after `retryAfterSeconds`."
)
class TooManyAttempts(Error):
    retry_after_seconds: int

    @classmethod
    def from_error(cls, error: errors.TooManyAttempts) -> TooManyAttempts:
        return cls(message=error.message, retry_after_seconds=error.retry_after_seconds)
