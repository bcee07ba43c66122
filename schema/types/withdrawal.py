"""Withdrawing what was registered by mistake, and restoring it (canton staff)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.types.errors import InvalidInput, NotFound
from schema.types.institution import Institution, Sponsor

Reason = Annotated[
    str | None,
    strawberry.argument(description="Why, for the audit log; at most 500 characters."),
]


@strawberry.type(description="The institution is withdrawn (or already was: nothing changed).")
class WithdrawInstitutionSuccess:
    institution: Institution = strawberry.field(description="The institution, `WITHDRAWN`.")


@strawberry.type(description="The sponsor and its institutions are withdrawn.")
class WithdrawSponsorSuccess:
    sponsor: Sponsor = strawberry.field(description="The sponsor, `WITHDRAWN`.")


@strawberry.type(description="The institution is back in the status it had before.")
class RestoreInstitutionSuccess:
    institution: Institution = strawberry.field(description="The institution as it is now.")


@strawberry.type(
    description="The sponsor is back, with the institutions that were withdrawn with it."
)
class RestoreSponsorSuccess:
    sponsor: Sponsor = strawberry.field(description="The sponsor, `ACTIVE`.")


WithdrawInstitutionResult = Annotated[
    WithdrawInstitutionSuccess | NotFound | InvalidInput,
    strawberry.union(
        "WithdrawInstitutionResult",
        description="What `withdrawInstitution` answers (`InvalidInput`: the reason is too long).",
    ),
]
WithdrawSponsorResult = Annotated[
    WithdrawSponsorSuccess | NotFound | InvalidInput,
    strawberry.union(
        "WithdrawSponsorResult",
        description="What `withdrawSponsor` answers (`InvalidInput`: the reason is too long).",
    ),
]
RestoreInstitutionResult = Annotated[
    RestoreInstitutionSuccess | NotFound | InvalidInput,
    strawberry.union(
        "RestoreInstitutionResult",
        description="What `restoreInstitution` answers (`InvalidInput` on `id`: its sponsor is "
        "withdrawn; restore the sponsor).",
    ),
]
RestoreSponsorResult = Annotated[
    RestoreSponsorSuccess | NotFound | InvalidInput,
    strawberry.union(
        "RestoreSponsorResult",
        description="What `restoreSponsor` answers (`InvalidInput` on `name`: another sponsor "
        "took its name meanwhile; rename one of them).",
    ),
]
