"""Per-request DataLoaders: relations resolve in one query per level, never one per row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from mailer.outbox import OutboxMessage
from models.institution import Institution
from models.sponsor import Sponsor
from models.user import User

M = TypeVar("M", bound=Model)


def _by_id(model: type[M]) -> DataLoader[int, M | None]:
    async def load(ids: Sequence[int]) -> list[M | None]:
        rows = {row.pk: row for row in await model.filter(pk__in=list(ids))}
        return [rows.get(i) for i in ids]

    return DataLoader(load_fn=load)


class Loaders:
    def __init__(self) -> None:
        self.sponsor = _by_id(Sponsor)
        self.institution = _by_id(Institution)
        self.user = _by_id(User)
        self.message = _by_id(OutboxMessage)
