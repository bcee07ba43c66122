"""Relay's `node(id:)`: any object by global ID, within the caller's scope."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from engine.context import Info
from engine.errors import BadUserInput
from i18n import _
from schema.types import ids
from schema.types.institution import Institution, Sponsor
from schema.types.invitation import Invitation
from schema.types.nodes import Node
from schema.types.user import User

NODE_TYPES: dict[str, type[Sponsor | Institution | User | Invitation]] = {
    "Sponsor": Sponsor,
    "Institution": Institution,
    "User": User,
    "Invitation": Invitation,
}


async def node(
    info: Info,
    id: Annotated[
        strawberry.ID,
        strawberry.argument(
            description="The global ID of a sponsor, institution, user or invitation."
        ),
    ],
) -> Node | None:
    try:
        global_id = relay.GlobalID.from_id(id)
        node_id = str(int(global_id.node_id))
    except (ValueError, TypeError):
        raise BadUserInput(_("`id` is not a valid ID.")) from None
    node_type = NODE_TYPES.get(global_id.type_name)
    if node_type is None or info.context.user is None or not ids.is_row_id(int(node_id)):
        return None
    found = await node_type.resolve_nodes(info=info, node_ids=[node_id])
    return found[0]
