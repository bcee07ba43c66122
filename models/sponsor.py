"""Sponsors (Trägerschaften): the organisations that run institutions."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models import text
from models.scope import Scope


class SponsorStatus(StrEnum):
    ACTIVE = "ACTIVE"
    WITHDRAWN = "WITHDRAWN"


# Starts a withdrawn sponsor's `name_key`, followed by its id. Python counts U+001F as white
# space, which `text.clean_name` collapses: a set-aside key never meets a sponsor's name.
SET_ASIDE = "\x1f"


class Sponsor(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=text.NAME_MAX_LENGTH)
    # Unique among sponsors that are not withdrawn: a withdrawn one's key is set aside.
    name_key = fields.CharField(max_length=text.NAME_MAX_LENGTH, unique=True)
    search_name = fields.CharField(max_length=text.NAME_MAX_LENGTH, db_index=True)
    status = fields.CharEnumField(SponsorStatus, max_length=10, default=SponsorStatus.ACTIVE)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "sponsor"

    def set_name(self, name: str) -> None:
        self.name = name
        self.search_name = text.folded(name)
        self.name_key = self._name_key()

    def _name_key(self) -> str:
        if self.status == SponsorStatus.WITHDRAWN:
            return f"{SET_ASIDE}{self.id}"
        return self.search_name

    def set_status(self, status: SponsorStatus) -> None:
        """A withdrawn sponsor's name is free for another registration."""
        self.status = status
        self.name_key = self._name_key()


def visible_to(scope: Scope) -> QuerySet[Sponsor]:
    return Sponsor.filter(scope.sponsors().q())
