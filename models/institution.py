"""Institutions (Kitas, day families, day schools, holiday care) and their master data."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import connections, fields
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models import text
from models.role import INSTITUTION_ROLES, SPONSOR_ROLES, is_canton
from models.sponsor import Sponsor

if TYPE_CHECKING:
    from models.user import User


class CareType(StrEnum):
    DAYCARE_CENTER = "DAYCARE_CENTER"
    DAY_FAMILY = "DAY_FAMILY"
    DAY_SCHOOL = "DAY_SCHOOL"
    HOLIDAY_CARE = "HOLIDAY_CARE"


class Weekday(StrEnum):
    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class InstitutionStatus(StrEnum):
    INVITED = "INVITED"
    ACTIVE = "ACTIVE"


class Institution(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=text.NAME_MAX_LENGTH)
    search_name = fields.CharField(max_length=text.NAME_MAX_LENGTH, db_index=True)
    care_type = fields.CharEnumField(CareType, max_length=20)
    status = fields.CharEnumField(
        InstitutionStatus, max_length=10, default=InstitutionStatus.INVITED
    )
    vouchers_from = fields.DateField(db_index=True)
    sponsor: fields.ForeignKeyNullableRelation[Sponsor] = fields.ForeignKeyField(
        "models.Sponsor", related_name="institutions", null=True, on_delete=fields.RESTRICT
    )
    sponsor_id: int | None

    # Master data (Stammdaten); all empty until an admin enters them.
    organisation = fields.CharField(max_length=200, null=True)
    street = fields.CharField(max_length=200, null=True)
    house_number = fields.CharField(max_length=20, null=True)
    postal_code = fields.CharField(max_length=4, null=True)
    town = fields.CharField(max_length=100, null=True)
    contact_email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=20, null=True)
    website = fields.CharField(max_length=500, null=True)
    opening_days = fields.JSONField[list[str]](null=True)
    opening_time = fields.TimeField(null=True)
    closing_time = fields.TimeField(null=True)
    iban = fields.CharField(max_length=34, null=True)
    account_holder = fields.CharField(max_length=200, null=True)
    places = fields.IntField(null=True)

    version = fields.IntField(default=1)
    activated_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "institution"

    def set_name(self, name: str) -> None:
        self.name = name
        self.search_name = text.folded(name)


def visible_to(actor: User) -> QuerySet[Institution]:
    if is_canton(actor.role):
        return Institution.all()
    if actor.sponsor_id is not None:
        return Institution.filter(sponsor_id=actor.sponsor_id)
    if actor.institution_id is not None:
        return Institution.filter(id=actor.institution_id)
    return Institution.filter(id__in=[])


def is_run_by(actor: User, institution: Institution) -> bool:
    """The institution's own staff, or the staff of its sponsor (admins and clerks)."""
    if actor.role in SPONSOR_ROLES:
        return institution.sponsor_id is not None and actor.sponsor_id == institution.sponsor_id
    return actor.role in INSTITUTION_ROLES and actor.institution_id == institution.id


def listed_publicly(
    *, available_on: date, care_type: CareType | None = None, search: str | None = None
) -> QuerySet[Institution]:
    """The family portal: every registered institution that accepts vouchers on that date."""
    rows = Institution.filter(vouchers_from__lte=available_on)
    if care_type is not None:
        rows = rows.filter(care_type=care_type)
    if search and search.strip():
        rows = rows.filter(search_name__contains=text.folded(search.strip()))
    return rows


async def pages_per_sponsor(
    actor: User, sponsor_ids: Sequence[int], *, size: int, after: Sequence[Any] | None
) -> dict[int, list[Institution]]:
    """The first `size + 1` visible institutions of each sponsor after a (name, id) key, in ONE
    statement (a window function), so a page of sponsors with their institutions costs one
    query per level whatever the page size."""
    db = connections.get("default")
    mark = _placeholders(db.capabilities.dialect)
    params: list[Any] = list(sponsor_ids)
    conditions = [f'"sponsor_id" IN ({", ".join(next(mark) for _ in sponsor_ids)})']
    if after is not None:
        conditions.append(f'("search_name", "id") > ({next(mark)}, {next(mark)})')
        params += list(after)
    if actor.role in INSTITUTION_ROLES:  # they see their sponsor, but of it only their own
        conditions.append(f'"id" = {next(mark)}')
        params.append(actor.institution_id)
    # Every value is a bound parameter; only placeholders and the int `size` are formatted in.
    ranked = (
        'SELECT *, ROW_NUMBER() OVER (PARTITION BY "sponsor_id" ORDER BY "search_name", "id") '  # noqa: S608
        f'AS "_rank" FROM "institution" WHERE {" AND ".join(conditions)}'
    )
    rows = await db.execute_query_dict(
        f'SELECT * FROM ({ranked}) AS "ranked" WHERE "_rank" <= {int(size) + 1} '  # noqa: S608
        'ORDER BY "sponsor_id", "_rank"',
        params,
    )
    pages: dict[int, list[Institution]] = {sponsor_id: [] for sponsor_id in sponsor_ids}
    for row in rows:
        row.pop("_rank")
        pages[row["sponsor_id"]].append(Institution._init_from_db(**row))
    return pages


def _placeholders(dialect: str) -> Iterator[str]:
    if dialect == "postgres":
        return (f"${n}" for n in itertools.count(1))
    return itertools.repeat("?")
