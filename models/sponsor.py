"""Sponsors (Trägerschaften): the organisations that run institutions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models import text
from models.role import is_canton

# A user belongs to a sponsor and a sponsor's rules take the acting user: the two models name
# each other. Only the annotations need `User` (the foreign keys name it as a string).
if TYPE_CHECKING:
    from models.user import User


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


def visible_to(actor: User) -> QuerySet[Sponsor]:
    if is_canton(actor.role):
        return Sponsor.all()
    if actor.sponsor_id is not None:
        return Sponsor.filter(id=actor.sponsor_id)
    if actor.institution_id is not None:
        return Sponsor.filter(institutions__id=actor.institution_id)
    return Sponsor.filter(id__in=[])
