"""Sponsors (Trägerschaften): the organisations that run institutions."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models import text
from models.scope import Scope


class Sponsor(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=text.NAME_MAX_LENGTH)
    name_key = fields.CharField(max_length=text.NAME_MAX_LENGTH, unique=True)
    search_name = fields.CharField(max_length=text.NAME_MAX_LENGTH, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "sponsor"

    def set_name(self, name: str) -> None:
        self.name = name
        self.name_key = text.folded(name)
        self.search_name = text.folded(name)


def visible_to(scope: Scope) -> QuerySet[Sponsor]:
    return Sponsor.filter(scope.sponsors().q())
