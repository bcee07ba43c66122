"""Domain errors, named as facts. The API maps each to a typed result or an error code."""

from __future__ import annotations


class DomainError(Exception):
    message = "The operation cannot be done."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message


class AccountBlocked(DomainError):
    """Sign-in refused: the account is blocked (the API's UNAUTHENTICATED)."""

    message = "This account is blocked."


class SignedOut(DomainError):
    """Sign-in refused: the token is older than the account's last sign-out."""

    message = "This sign-in has ended; please sign in again."


class NotAllowed(DomainError):
    """The actor's role or scope does not allow the operation (the API's FORBIDDEN)."""

    message = "You are not allowed to do this."


class BlockedByCanton(NotAllowed):
    """Unblocking refused: the canton imposed the block (the API's FORBIDDEN)."""

    message = "The canton blocked this account; only canton staff can unblock it."


class BlockedByWithdrawal(NotAllowed):
    """Unblocking refused: the account's institution or sponsor is withdrawn (FORBIDDEN)."""

    message = (
        "This account was blocked when its institution or sponsor was withdrawn; only "
        "restoring it lifts the block."
    )


class NotFound(DomainError):
    message = "Not found."


class InvalidInput(DomainError):
    message = "The input is not valid."

    def __init__(self, field_errors: dict[str, str]) -> None:
        super().__init__()
        self.field_errors = field_errors


class EmailAlreadyInUse(DomainError):
    message = "This e-mail address already belongs to another account."


class StaleData(DomainError):
    message = "Someone else changed this in the meantime; reload and try again."

    def __init__(self, current_version: int) -> None:
        super().__init__()
        self.current_version = current_version


class InstitutionAlreadyActive(DomainError):
    message = "This institution is already active; update its master data instead."


class InvitationNotFound(DomainError):
    message = "This invitation link is not valid."


class InvitationExpired(DomainError):
    message = "This invitation has expired; ask for a new one."


class InvitationAlreadyUsed(DomainError):
    message = "This invitation has already been accepted."


class InvitationRevoked(DomainError):
    message = "This invitation has been withdrawn."


class InvitationEmailMismatch(DomainError):
    message = "You signed in with another e-mail address than the one that was invited."

    def __init__(self, invited_email_hint: str) -> None:
        super().__init__()
        self.invited_email_hint = invited_email_hint


class InvitationNotOpen(DomainError):
    message = "This invitation is no longer open."


class CannotBlockYourself(DomainError):
    message = "You cannot block your own account."


class CannotChangeYourOwnRole(DomainError):
    message = "You cannot change your own role; ask another admin."


class LastActiveAdmin(DomainError):
    message = "This would leave the sponsor or institution without an active admin."


class UserHasHistory(DomainError):
    message = (
        "This account has accepted an invitation or signed in, so it cannot be deleted; "
        "block it instead."
    )


class TooManyAttempts(DomainError):
    message = "Too many attempts in a short time; please try again later."

    def __init__(self, retry_after_seconds: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
