"""Sponsors (Trägerschaften) as the API shows them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from engine.context import Info
from models import sponsor
from schema.types import ids
from schema.types import keyset as pagination
from schema.types.nodes import Node, visible_nodes
from schema.types.pagination import Connection, connection

if TYPE_CHECKING:
    from schema.types.institution import Institution

ORDER = ("search_name", "id")


@strawberry.type(description="A sponsor organisation (Trägerschaft) that runs institutions.")
class Sponsor(Node):
    pk: strawberry.Private[int]
    name: str

    @classmethod
    def from_model(cls, row: sponsor.Sponsor) -> Sponsor:
        return cls(id=ids.encode("Sponsor", row.id), pk=row.id, name=row.name)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: list[str]) -> list[Sponsor | None]:
        return await visible_nodes(sponsor.visible_to(info.context.actor), node_ids, cls.from_model)

    @strawberry.field(description="Its institutions that the caller may see.")
    async def institutions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated[Institution, strawberry.lazy("schema.types.institution")]]:
        from schema.types.institution import Institution

        size = pagination.check_page_size(first)
        start = tuple(pagination.decode_cursor(after, ORDER)) if after is not None else None
        rows = await info.context.loaders.institutions_per_sponsor.load((self.pk, size, start))
        page = pagination.page_of(rows, size=size, after=after, order=ORDER)
        return connection(page, lambda row: Institution.from_model(row, sponsor=self))


async def sponsor_of(info: Info, sponsor_id: int | None) -> Sponsor | None:
    """The sponsor a visible row refers to; seeing the row implies seeing its sponsor."""
    if sponsor_id is None:
        return None
    row = await info.context.loaders.sponsor.load(sponsor_id)
    return Sponsor.from_model(row) if row else None
