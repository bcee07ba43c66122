"""Deleting an account that never accepted an invitation (a mistyped address)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.types.errors import Error, NotFound


@strawberry.type(description="The account and its invitations are gone; the address is free.")
class DeleteUserSuccess:
    id: strawberry.ID = strawberry.field(description="The ID the deleted account had.")


@strawberry.type(
    description="The account accepted an invitation or signed in: it has a history, so it "
    "cannot be deleted. Block it instead."
)
class UserHasHistory(Error):
    pass


DeleteUserResult = Annotated[
    DeleteUserSuccess | NotFound | UserHasHistory,
    strawberry.union("DeleteUserResult", description="What `deleteUser` answers."),
]
