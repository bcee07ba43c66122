"""Relay global IDs in arguments: a malformed one is the client's error (`BAD_USER_INPUT`)."""

from __future__ import annotations

import functools
from base64 import b64encode

import strawberry
from strawberry import relay

from engine.errors import BadUserInput
from i18n import _
from models.placement import ScopeIds

# Rows have 32-bit integer keys; a larger number cannot name one and would fail in the driver.
MAX_ID = 2**31 - 1


def is_row_id(value: int) -> bool:
    return 0 <= value <= MAX_ID


def decode(global_id: str, type_name: str, *, argument: str = "id") -> int:
    try:
        decoded = relay.GlobalID.from_id(global_id)
        node_id = int(decoded.node_id)
    except (ValueError, TypeError):
        raise BadUserInput(_("`{argument}` is not a valid ID.", argument=argument)) from None
    if not is_row_id(node_id):
        raise BadUserInput(_("`{argument}` is not a valid ID.", argument=argument))
    if decoded.type_name != type_name:
        raise BadUserInput(
            _("`{argument}` must be the ID of a {type}.", argument=argument, type=type_name)
        )
    return node_id


def decode_any(global_id: str, *, argument: str) -> tuple[str, int]:
    """The type name and the number of an ID of any type."""
    try:
        decoded = relay.GlobalID.from_id(global_id)
        return decoded.type_name, int(decoded.node_id)
    except (ValueError, TypeError):
        raise BadUserInput(_("`{argument}` is not a valid ID.", argument=argument)) from None


def decode_optional(global_id: str | None, type_name: str, *, argument: str) -> int | None:
    return None if global_id is None else decode(global_id, type_name, argument=argument)


@functools.lru_cache(maxsize=1 << 16)  # the rows in demand: a lookup instead of base64
def encode(type_name: str, node_id: int) -> strawberry.ID:
    """Relay's format, base64 of `Type:id`, written out: done for every row of every page, and
    Strawberry's general-purpose encoder costs a multiple of this."""
    return strawberry.ID(b64encode(f"{type_name}:{node_id}".encode()).decode())


def decode_scope(sponsor_id: str | None, institution_id: str | None) -> ScopeIds:
    """The `sponsorId` and `institutionId` of an input or filter, as row ids."""
    return ScopeIds(
        sponsor_id=decode_optional(sponsor_id, "Sponsor", argument="sponsorId"),
        institution_id=decode_optional(institution_id, "Institution", argument="institutionId"),
    )


def scope_filter(sponsor_id: str | None, institution_id: str | None) -> dict[str, int]:
    """Only the scope a filter names: `{}` when it names none."""
    decoded = decode_scope(sponsor_id, institution_id)
    named = {"sponsor_id": decoded["sponsor_id"], "institution_id": decoded["institution_id"]}
    return {column: value for column, value in named.items() if value is not None}
