"""Institutions (Kitas, day families, day schools, holiday care) and their master data."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from typing import Any, NamedTuple

from tortoise import connections, fields
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models import raw_sql, reading, text
from models.conditions import (
    EVERYTHING,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Contains,
    Equals,
    IsNull,
    like_escaped,
)
from models.scope import NOT_WITHDRAWN, Scope, institution_row
from models.sponsor import Sponsor, SponsorStatus


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
    WITHDRAWN = "WITHDRAWN"


class Institution(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=text.NAME_MAX_LENGTH)
    search_name = fields.CharField(max_length=text.NAME_MAX_LENGTH, db_index=True)
    care_type = fields.CharEnumField(CareType, max_length=20)
    status = fields.CharEnumField(
        InstitutionStatus, max_length=10, default=InstitutionStatus.INVITED
    )
    status_before_withdrawal = fields.CharEnumField(InstitutionStatus, max_length=10, null=True)
    withdrawn_with_sponsor = fields.BooleanField(default=False)  # a sponsor's restore brings it
    vouchers_from = fields.DateField(db_index=True)
    vouchers_until = fields.DateField(null=True)  # inclusive; null: open-ended
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
    search_town = fields.CharField(max_length=100, null=True)  # `town`, folded; kept by `save`
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

    async def save(self, *args: Any, **kwargs: Any) -> None:
        """Every save keeps the folded town the family portal filters on, whichever path
        wrote `town`."""
        self.search_town = town_key(self.town) if self.town else None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "town" in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_town"]
        await super().save(*args, **kwargs)


def town_key(town: str) -> str:
    """How towns compare: without case, accents and extra spaces ("biel" is "Biel ")."""
    return text.folded(" ".join(town.split()))


def needs_master_data(institution: Institution) -> bool:
    """Until its first complete save: only then are people asked to enter master data."""
    return institution.status != InstitutionStatus.ACTIVE


def visible_to(scope: Scope) -> QuerySet[Institution]:
    return Institution.filter(scope.institutions().q())


class PublicColumns(NamedTuple):
    """An institution as the family portal shows it, with its sort key (`search_name`): a
    page of them read without the rest of the rows (`reading.select_joined`'s `shape`)."""

    id: int
    search_name: str
    name: str
    care_type: CareType
    status: InstitutionStatus
    vouchers_from: date
    vouchers_until: date | None
    sponsor_id: int | None
    organisation: str | None
    street: str | None
    house_number: str | None
    postal_code: str | None
    town: str | None
    contact_email: str | None
    phone: str | None
    website: str | None


class SponsorName(NamedTuple):
    id: int
    name: str


def sponsor_names() -> reading.ColumnsOf[SponsorName]:
    """Every sponsor's name, by id: what the family portal shows of an institution's sponsor."""
    return reading.ColumnsOf(Sponsor, SponsorName, EVERYTHING)


class MasterDataColumns(NamedTuple):
    """An institution's master data, with what decides who sees it in full (`id`,
    `sponsor_id`, `status`): what `Institution.masterData` shows, read without the rest of
    the row (`reading.ColumnsOf`)."""

    id: int
    sponsor_id: int | None
    status: InstitutionStatus
    organisation: str | None
    street: str | None
    house_number: str | None
    postal_code: str | None
    town: str | None
    contact_email: str | None
    phone: str | None
    website: str | None
    opening_days: list[str] | None
    opening_time: time | None
    closing_time: time | None
    iban: str | None
    account_holder: str | None
    places: int | None


def master_data_of(where: Condition) -> reading.ColumnsOf[MasterDataColumns]:
    """The master data of the institutions that meet `where`."""
    return reading.ColumnsOf(Institution, MasterDataColumns, where)


def in_scope(scope: Scope, institution: Institution | MasterDataColumns) -> bool:
    return scope.institutions().holds(
        institution_row(
            id=institution.id, sponsor_id=institution.sponsor_id, status=institution.status
        )
    )


class Listed(NamedTuple):
    """An institution as lists show it: its own columns and its sponsor's name, no master data.
    A tuple: a page makes one per row, and a tuple is the cheapest record to make."""

    id: int
    name: str
    search_name: str
    care_type: CareType
    status: InstitutionStatus
    vouchers_from: date
    vouchers_until: date | None
    version: int
    sponsor_id: int | None
    sponsor_name: str | None
    sponsor_status: SponsorStatus | None


@dataclass(frozen=True)
class ListFilter:
    care_type: CareType | None = None
    status: InstitutionStatus | None = None
    sponsor_id: int | None = None
    search: str | None = None
    # Computed where the list is built (`models/admins.institutions_where`): the rule needs
    # the people and invitations, which this module cannot import.
    admin: Condition | None = None


_LISTED_OWN = (
    "id",
    "name",
    "search_name",
    "care_type",
    "status",
    "vouchers_from",
    "vouchers_until",
    "version",
    "sponsor_id",
)


def _listed_columns(institution: str, sponsor: str) -> list[str]:
    """An institution as lists show it (`Listed`): its own columns, its sponsor's name and
    status (the aliases of the two tables)."""
    return [
        *(f'{institution}."{column}"' for column in _LISTED_OWN),
        f'{sponsor}."name"',
        f'{sponsor}."status"',
    ]


def _with_sponsor(institution: str, sponsor: str) -> str:
    return f'LEFT JOIN "sponsor" {sponsor} ON {sponsor}."id" = {institution}."sponsor_id"'


_LISTED_COLUMNS = ", ".join(_listed_columns("i", "s"))
_WITH_SPONSOR = _with_sponsor("i", "s")


def _to_listed(rows: Sequence[Sequence[Any]]) -> list[Listed]:
    to_date = Institution._meta.fields_map["vouchers_from"].to_python_value
    care_types, statuses = CareType._value2member_map_, InstitutionStatus._value2member_map_
    sponsor_statuses = SponsorStatus._value2member_map_
    return [
        Listed(
            row[0],
            row[1],
            row[2],
            care_types[row[3]],  # type: ignore[arg-type]
            statuses[row[4]],  # type: ignore[arg-type]
            row[5] if type(row[5]) is date else to_date(row[5]),  # SQLite's are text
            None if row[6] is None else row[6] if type(row[6]) is date else to_date(row[6]),
            row[7],
            row[8],
            row[9],
            None if row[10] is None else sponsor_statuses[row[10]],  # type: ignore[arg-type]
        )
        for row in rows
    ]


async def listing(
    scope: Scope, wanted: ListFilter, *, after: Sequence[Any] | None, limit: int
) -> list[Listed]:
    """The institutions an actor sees, in (search_name, id) order after a key, with their
    sponsor's name: one statement (the keyset and trigram indexes serve it). Written out by
    hand: for the most requested staff list, building it through the ORM and turning rows into
    objects cost more than the query itself."""
    db = connections.get("default")
    mark = raw_sql.placeholders(db.capabilities.dialect)
    conditions, params = _listed(scope, wanted, mark)
    if after is not None:
        conditions.append(f'(i."search_name", i."id") > ({next(mark)}, {next(mark)})')
        params += list(after)
    rows = await db.execute_query(
        f'SELECT {_LISTED_COLUMNS} FROM "institution" i {_WITH_SPONSOR} '  # noqa: S608
        f"WHERE {' AND '.join(conditions)} "
        f'ORDER BY i."search_name", i."id" LIMIT {int(limit)}',
        params,
    )
    return _to_listed(rows[1])


async def listed_by_ids(ids: Sequence[int], *, where: Condition) -> list[Listed]:
    """The institutions with these ids that meet `where`, as lists show them: what a nested
    institution shows, without the master data columns (loaded only when asked for)."""
    if not ids:
        return []
    db = connections.get("default")
    mark = raw_sql.placeholders(db.capabilities.dialect)
    listed = ", ".join(next(mark) for _ in ids)
    condition, params = where.sql("i", mark)
    _, rows = await db.execute_query(
        f'SELECT {_LISTED_COLUMNS} FROM "institution" i {_WITH_SPONSOR} '  # noqa: S608
        f'WHERE i."id" IN ({listed}) AND ({condition})',
        [*ids, *params],
    )
    return _to_listed(rows)


@dataclass(frozen=True)
class ListedRows:
    """The institutions that meet `where`, as lists show them (`Listed`): a relation
    (`models.reading.Relation`), read by ids or joined to the rows of another list."""

    where: Condition

    def columns(self, alias: str, mark: Iterator[str]) -> tuple[list[str], list[Any]]:
        condition, params = self.where.sql(alias, mark)
        seen = reading.seen_if(f'{alias}."id"', condition)
        return [seen, *_listed_columns(alias, f"{alias}s")], params

    def clause(self, key: str, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        join = f'LEFT JOIN "institution" {alias} ON {alias}."id" = {key}'
        return f"{join} {_with_sponsor(alias, f'{alias}s')}", []

    def read(self, values: Sequence[Any]) -> Listed | None:
        return _to_listed([values[1:]])[0] if values[0] else None

    async def by_ids(self, ids: Sequence[int]) -> list[Listed]:
        return await listed_by_ids(ids, where=self.where)


async def count_listed(scope: Scope, wanted: ListFilter) -> int:
    """How many institutions `listing` pages through with this filter: one statement."""
    db = connections.get("default")
    conditions, params = _listed(scope, wanted, raw_sql.placeholders(db.capabilities.dialect))
    rows = await db.execute_query(
        f'SELECT COUNT(*) FROM "institution" i WHERE {" AND ".join(conditions)}',  # noqa: S608
        params,
    )
    return int(rows[1][0][0])


def _listed(scope: Scope, wanted: ListFilter, mark: Iterator[str]) -> tuple[list[str], list[Any]]:
    """The conditions of the staff list: the scope's, then the filter's."""
    # Column names come from this code, never from the request; values are bound parameters.
    visible, params = scope.institutions().sql("i", mark)
    conditions: list[str] = [visible]
    equal = [
        ("care_type", wanted.care_type and wanted.care_type.value),
        ("status", wanted.status and wanted.status.value),
        ("sponsor_id", wanted.sponsor_id),
    ]
    for column, value in equal:
        if value is not None:
            conditions.append(f'i."{column}" = {next(mark)}')
            params.append(value)
    if wanted.search and wanted.search.strip():
        conditions.append(f"i.\"search_name\" LIKE {next(mark)} ESCAPE '\\'")
        params.append(f"%{like_escaped(text.folded(wanted.search.strip()))}%")
    if wanted.admin is not None:
        admin, values = wanted.admin.sql("i", mark)
        conditions.append(f"({admin})")
        params += values
    return conditions, params


def is_run_by(scope: Scope, institution: Institution) -> bool:
    """The institution's own staff, or the staff of its sponsor (admins and clerks)."""
    return not scope.is_canton and in_scope(scope, institution)


@dataclass(frozen=True)
class PublicFilter:
    """What parents ask for. Dates: `on` a day, or a range `start`..`end` (either end open);
    no date at all means every period that has not ended by `today`."""

    today: date
    on: date | None = None
    start: date | None = None
    end: date | None = None
    care_type: CareType | None = None
    search: str | None = None
    postal_code: str | None = None
    town: str | None = None


def listed_at_all() -> QuerySet[Institution]:
    """What the family portal may show at all: every institution that is not withdrawn."""
    return Institution.filter(NOT_WITHDRAWN.q())


def listed_publicly(wanted: PublicFilter) -> Condition:
    """The family portal: every registered institution whose voucher period overlaps the
    dates asked for (listed in (search_name, id) order)."""
    start: date | None
    end: date | None
    if wanted.on is not None:
        start, end = wanted.on, wanted.on
    elif wanted.start is None and wanted.end is None:
        start, end = wanted.today, None
    else:
        start, end = wanted.start, wanted.end
    where: list[Condition] = [NOT_WITHDRAWN]
    if end is not None:
        where.append(Compare("vouchers_from", "lte", end))
    if start is not None:
        where.append(AnyOf((IsNull("vouchers_until"), Compare("vouchers_until", "gte", start))))
    if wanted.care_type is not None:
        where.append(Equals("care_type", wanted.care_type.value))
    if wanted.search and wanted.search.strip():
        where.append(Contains(("search_name",), text.folded(wanted.search.strip())))
    if wanted.postal_code and wanted.postal_code.strip():
        where.append(Equals("postal_code", wanted.postal_code.strip()))
    if wanted.town and wanted.town.strip():
        where.append(Equals("search_town", town_key(wanted.town)))
    return AllOf(tuple(where))


async def pages_per_sponsor(
    scope: Scope, sponsor_ids: Sequence[int], *, size: int, after: Sequence[Any] | None
) -> dict[int, list[Listed]]:
    """The first `size + 1` visible institutions of each sponsor after a (name, id) key, in ONE
    statement (a window function), so a page of sponsors with their institutions costs one
    query per level whatever the page size."""
    db = connections.get("default")
    mark = raw_sql.placeholders(db.capabilities.dialect)
    params: list[Any] = list(sponsor_ids)
    conditions = [f'i."sponsor_id" IN ({", ".join(next(mark) for _ in sponsor_ids)})']
    if after is not None:
        conditions.append(f'(i."search_name", i."id") > ({next(mark)}, {next(mark)})')
        params += list(after)
    # Whoever sees a sponsor sees of it only the institutions in its own scope.
    visible, values = scope.institutions().sql("i", mark)
    conditions.append(visible)
    params += values
    # Every value is a bound parameter; only placeholders and the int `size` are formatted in.
    ranked = (
        'SELECT i.*, ROW_NUMBER() OVER (PARTITION BY i."sponsor_id" '  # noqa: S608
        'ORDER BY i."search_name", i."id") AS "_rank" '
        f'FROM "institution" i WHERE {" AND ".join(conditions)}'
    )
    _, rows = await db.execute_query(
        f"SELECT {_LISTED_COLUMNS} FROM ({ranked}) i {_WITH_SPONSOR} "  # noqa: S608
        f'WHERE i."_rank" <= {int(size) + 1} ORDER BY i."sponsor_id", i."_rank"',
        params,
    )
    pages: dict[int, list[Listed]] = {sponsor_id: [] for sponsor_id in sponsor_ids}
    for found in _to_listed(rows):
        pages[found.sponsor_id].append(found)  # type: ignore[index]
    return pages
