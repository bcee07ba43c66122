"""Domain errors, named as facts. Each carries what to say (a `Text` of the catalogue); the API
translates it into the reader's language and maps the error to a typed result or a code."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from i18n import Text, _


class FieldErrorCode(StrEnum):
    """Why a field is not valid, for frontends to switch on (the schema describes each)."""

    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_FORMAT = "INVALID_FORMAT"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_IBAN = "INVALID_IBAN"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_POSTAL_CODE = "INVALID_POSTAL_CODE"
    INVALID_URL = "INVALID_URL"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    INVALID_RANGE = "INVALID_RANGE"
    IN_THE_PAST = "IN_THE_PAST"
    NOT_ALLOWED_FOR_CARE_TYPE = "NOT_ALLOWED_FOR_CARE_TYPE"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    WITHDRAWN = "WITHDRAWN"


class WarningCode(StrEnum):
    """Done, but worth a second look."""

    SHARED_MAILBOX = "SHARED_MAILBOX"


WARNING_TEXTS = {
    WarningCode.SHARED_MAILBOX: _(
        "This looks like a shared mailbox. Accounts are personal: use the person's own "
        "address, so the account can be blocked when the person leaves."
    ),
}


@dataclass(frozen=True)
class FieldProblem:
    code: FieldErrorCode
    text: Text


class Invalid(ValueError):
    """A value that cannot be taken, raised by the functions that clean input."""

    def __init__(self, code: FieldErrorCode, text: Text) -> None:
        super().__init__(str(text))
        self.problem = FieldProblem(code, text)


class DomainError(Exception):
    text: Text = _("The operation cannot be done.")

    def __init__(self, text: Text | None = None) -> None:
        self.text = text or type(self).text
        super().__init__(str(self.text))


class AccountBlocked(DomainError):
    """Sign-in refused: the account is blocked (the API's UNAUTHENTICATED)."""

    text = _("This account is blocked.")


class SignedOut(DomainError):
    """Sign-in refused: the token is older than the account's last sign-out."""

    text = _("This sign-in has ended; please sign in again.")


class NotAllowed(DomainError):
    """The actor's role or scope does not allow the operation (the API's FORBIDDEN)."""

    text = _("You are not allowed to do this.")


class BlockedByCanton(NotAllowed):
    """Unblocking refused: the canton imposed the block (the API's FORBIDDEN)."""

    text = _("The canton blocked this account; only canton staff can unblock it.")


class BlockedByWithdrawal(NotAllowed):
    """Unblocking or a role change refused: the account's institution or sponsor is withdrawn
    (FORBIDDEN)."""

    text = _(
        "This account was blocked when its institution or sponsor was withdrawn; only "
        "restoring it lifts the block."
    )


class NotFound(DomainError):
    text = _("Not found.")


class InvalidInput(DomainError):
    text = _("The input is not valid.")

    def __init__(self, field_errors: dict[str, FieldProblem]) -> None:
        super().__init__()
        self.field_errors = field_errors


class EmailAlreadyInUse(DomainError):
    text = _("This e-mail address already belongs to another account.")


class StaleData(DomainError):
    text = _("Someone else changed this in the meantime; reload and try again.")

    def __init__(self, current_version: int) -> None:
        super().__init__()
        self.current_version = current_version


class InstitutionAlreadyActive(DomainError):
    text = _("This institution is already active; update its master data instead.")


class InvitationNotFound(DomainError):
    text = _("This invitation link is not valid.")


class InvitationExpired(DomainError):
    text = _("This invitation has expired; ask for a new one.")


class InvitationAlreadyUsed(DomainError):
    text = _("This invitation has already been accepted.")


class InvitationRevoked(DomainError):
    text = _("This invitation has been withdrawn.")


class InvitationEmailMismatch(DomainError):
    text = _("You signed in with another e-mail address than the one that was invited.")

    def __init__(self, invited_email_hint: str) -> None:
        super().__init__()
        self.invited_email_hint = invited_email_hint


class InvitationNotOpen(DomainError):
    text = _("This invitation is no longer open.")


class CannotBlockYourself(DomainError):
    text = _("You cannot block your own account.")


class CannotChangeYourOwnRole(DomainError):
    text = _("You cannot change your own role; ask another admin.")


class LastActiveAdmin(DomainError):
    text = _("This would leave the sponsor or institution without an active admin.")


class UserHasHistory(DomainError):
    text = _(
        "This account has accepted an invitation or signed in, so it cannot be deleted; "
        "block it instead."
    )


class TooManyAttempts(DomainError):
    text = _("Too many attempts in a short time; please try again later.")

    def __init__(self, retry_after_seconds: int, text: Text | None = None) -> None:
        super().__init__(text)
        self.retry_after_seconds = retry_after_seconds
