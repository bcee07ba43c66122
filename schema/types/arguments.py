"""Arguments that many fields take, described once."""

from __future__ import annotations

from typing import Annotated

import strawberry

# Of every list.
First = Annotated[
    int | None,
    strawberry.argument(description="How many to return, 0 to 100; 20 when omitted."),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="The `endCursor` of the page before, for the next page; omit it for the "
        "first page."
    ),
]

# IDs: Relay global IDs of the type named; one of another type is `BAD_USER_INPUT`.
SponsorId = Annotated[strawberry.ID, strawberry.argument(description="The sponsor's ID.")]
InstitutionId = Annotated[strawberry.ID, strawberry.argument(description="The institution's ID.")]
UserId = Annotated[strawberry.ID, strawberry.argument(description="The person's ID.")]
InvitationId = Annotated[strawberry.ID, strawberry.argument(description="The invitation's ID.")]
