"""What an operation would do with the rows at hand, decided once for both of its readers.

Each operation that acts on one row (block, unblock, change a role, delete, resend, revoke,
withdraw, save master data, invite into an institution) has one function that returns a
`Verdict` for an actor and that row: go ahead, refuse with a domain error, or answer success and
change nothing. The operation raises the refusal or acts; the API's `viewerCan` fields show
`allowed`. So what a portal offers and what the operation accepts cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.errors import DomainError


@dataclass(frozen=True, slots=True)
class Verdict:
    refusal: DomainError | None = None  # what the operation raises
    unchanged: bool = False  # it answers success as things are, and writes nothing

    @property
    def allowed(self) -> bool:
        """The operation would go through and change something."""
        return self.refusal is None and not self.unchanged

    def proceed(self) -> bool:
        """For the operation: raises the refusal; False when there is nothing to do."""
        if self.refusal is not None:
            raise self.refusal
        return not self.unchanged


GO = Verdict()
UNCHANGED = Verdict(unchanged=True)


def refused(error: DomainError) -> Verdict:
    return Verdict(refusal=error)
