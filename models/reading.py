"""Rows into model instances, exactly as Tortoise makes them, with less work per value.

Tortoise builds each instance through `Model._init_from_db`: four attribute writes through the
model's `__setattr__`, then every field through its converter, whose checks (is this a string,
is the time zone on, is the value naive) repeat for every value of every row. On a page of 50
people with their institutions and sponsors that was a fifth of the request. Here the converters
are chosen once per model: enums by a dictionary lookup, aware datetimes by one `astimezone`,
every other field by Tortoise's own converter; the instance's attributes are written at once.

The statements written here (`select_joined`, the relations) are read by position (`reader`),
or as records of a few columns (`ColumnsOf`). `FastSelect` takes the place of the backends'
`execute_select` (`models.backends`), by name, for what the ORM still reads; it reads
select_related rows as Tortoise does. Anything it does not know (prefetching, a partial row,
another value type) goes Tortoise's own way. `tests/test_reading.py` requires instances equal
to Tortoise's, attribute by attribute, for every model on both databases.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache, cached_property
from typing import Any, Generic, Protocol, TypedDict, TypeVar, Unpack, cast, overload

from tortoise import fields, timezone
from tortoise.backends.base.executor import CHUNK_SIZE, BaseExecutor
from tortoise.models import Model

from models import raw_sql
from models.conditions import AllOf, Condition, OneOf

M = TypeVar("M", bound=Model)
R_co = TypeVar("R_co", covariant=True)
Build = Callable[[Mapping[str, Any]], Model]
Convert = Callable[[Any], Any]

_builders: dict[tuple[type[Model], Any], Build] = {}
_readers: dict[tuple[type[Model], Any, int], Callable[[Sequence[Any]], Any]] = {}


def _enum(field: fields.data.CharEnumFieldInstance) -> Convert:
    enum_type: type[Enum] = field.enum_type
    members = dict(enum_type._value2member_map_)

    def convert(value: Any) -> Any:
        member = members.get(value)
        return member if member is not None or value is None else enum_type(value)

    return convert


def _datetime(field: fields.DatetimeField[Any], zone: Any) -> Convert | None:
    if zone is None:  # naive datetimes wanted: Tortoise's converter
        return None
    slow = field.to_python_value

    def convert(value: Any) -> Any:
        if type(value) is datetime.datetime and value.tzinfo is not None:
            return value.astimezone(zone)
        return None if value is None else slow(value)

    return convert


def _converter(field: fields.Field[Any], zone: Any) -> Convert:
    """A converter with Tortoise's result; None passes through (as Tortoise's do for these),
    in the converter itself: a call around each would be a second call for every value."""
    fast: Convert | None = None
    if isinstance(field, fields.data.CharEnumFieldInstance):
        fast = _enum(field)
    elif isinstance(field, fields.DatetimeField):
        fast = _datetime(field, zone)
    return field.to_python_value if fast is None else fast


def _steps(model: type[Model], zone: Any) -> list[tuple[str, str, Convert | None]]:
    """For each column of `model`: its name, the attribute it fills, its converter (None: the
    value as it comes)."""
    meta = model._meta
    steps: list[tuple[str, str, Convert | None]] = [
        (key, attribute, None) for key, attribute, _ in meta.db_native_fields
    ]
    for key, attribute, field in meta.db_default_fields:
        field_type = field.field_type

        def default(value: Any, field_type: type = field_type) -> Any:
            return None if value is None else field_type(value)

        steps.append((key, attribute, default))
    steps += [(key, attribute, _converter(f, zone)) for key, attribute, f in meta.db_complex_fields]
    return steps


def _fresh(model: type[M]) -> Callable[[], M]:
    """An instance of `model` as one read from the database, before its fields are set."""
    custom_generated_pk = model._meta.db_pk_column not in model._meta.generated_db_fields
    new = model.__new__

    def fresh() -> M:
        instance = new(model)
        values = instance.__dict__
        values["_partial"] = False
        values["_saved_in_db"] = True
        values["_custom_generated_pk"] = custom_generated_pk
        values["_await_when_save"] = {}
        return instance

    return fresh


def _zone() -> Any:
    return timezone.get_default_timezone() if timezone.get_use_tz() else None


def builder(model: type[M]) -> Callable[[Any], M]:
    """How a row (column name → value) becomes an instance of `model`; made once."""
    zone = _zone()
    known = _builders.get((model, zone))
    if known is not None:
        return known  # type: ignore[return-value]
    steps, fresh = _steps(model, zone), _fresh(model)

    def build(row: Mapping[str, Any]) -> Model:
        instance = fresh()
        values = instance.__dict__
        try:
            for key, attribute, convert in steps:
                value = row[key]
                values[attribute] = value if convert is None else convert(value)
        except KeyError:  # a partial row (`.only()`): Tortoise's own way
            return model._init_from_db(**row)
        return instance

    _builders[(model, zone)] = build
    return build  # type: ignore[return-value]


def reader(model: type[M], start: int = 0) -> Callable[[Sequence[Any]], M]:
    """How the columns of `model` (all, in the order `_columns` selects them) become an
    instance, read from a row at position `start` on; made once. By position, without a
    mapping of names per row: a page of 50 people with their sponsors and institutions is 150
    instances."""
    zone = _zone()
    known = _readers.get((model, zone, start))
    if known is not None:
        return known
    at = {column: start + n for n, column in enumerate(model._meta.fields_db_projection.values())}
    steps = _steps(model, zone)
    plain = [(at[key], attribute) for key, attribute, convert in steps if not convert]
    converted = [(at[key], attribute, convert) for key, attribute, convert in steps if convert]
    fresh = _fresh(model)

    def read(row: Sequence[Any]) -> M:
        instance = fresh()
        values = instance.__dict__
        for position, attribute in plain:
            values[attribute] = row[position]
        for position, attribute, convert in converted:
            values[attribute] = convert(row[position])
        return instance

    _readers[(model, zone, start)] = read
    return read


class FastSelect(BaseExecutor):
    """`execute_select` with the builders above; the rest of the executor is Tortoise's."""

    async def execute_select(
        self, sql: str, values: list[Any] | None = None, custom_fields: list[Any] | None = None
    ) -> list[Any]:
        if self.prefetch_map or self._prefetch_queries:
            return await super().execute_select(sql, values, custom_fields)
        _, raw_results = await self.db.execute_query(sql, values)
        build = builder(self.model)
        read: Callable[[Any], Model] = build
        if self.select_related_idx and raw_results:
            layout = self._related_layout(build, list(raw_results[0].keys()))

            def read(row: Any) -> Model:
                return layout(tuple(row))

        instances: list[Model] = []
        for start in range(0, len(raw_results), CHUNK_SIZE):
            if start:  # a large result yields to the event loop between chunks, as Tortoise's
                await asyncio.sleep(0)
            instances += [read(row) for row in raw_results[start : start + CHUNK_SIZE]]
        if custom_fields:
            for instance, row in zip(instances, raw_results, strict=True):
                for name in custom_fields:
                    object.__setattr__(instance, name, row[name])
        return instances

    def _related_layout(self, build: Build, keys: list[str]) -> Callable[[tuple[Any, ...]], Model]:
        """How a select_related row is read, as Tortoise reads it: the model's own columns
        first, then each related model's (named `path.column`), attached as `_attribute`."""
        related_columns = self.select_related_idx
        assert related_columns is not None
        _, current, _, _, path = related_columns[0]
        own = (0, current, keys[:current])
        parts = []
        for model, count, *_, full_path in related_columns[1:]:
            *parent_path, attribute = full_path
            names = [key.split(".", 1)[1] for key in keys[current : current + count]]
            parts.append(
                (builder(model), model, current, count, names, tuple(parent_path), attribute)
            )
            current += count

        def read(values: tuple[Any, ...]) -> Model:
            instance = build(dict(zip(own[2], values[own[0] : own[1]], strict=True)))
            instances: dict[Any, Any] = {path: instance}
            for build_related, model, first, count, names, parent_path, attribute in parts:
                related = values[first : first + count]
                obj: Model | None = None
                if any(related):
                    obj = build_related(dict(zip(names, related, strict=True)))
                elif count == 0:
                    obj = model._init_from_db()
                target = instances.get(parent_path)
                if target is not None:
                    object.__setattr__(target, f"_{attribute}", obj)
                if obj is not None:
                    instances[(*parent_path, attribute)] = obj
            return instance

        return read


@cache  # a model's columns are fixed once Tortoise is initialised; the aliases are a few
def _columns(model: type[Model], alias: str) -> tuple[str, ...]:
    return tuple(f'{alias}."{column}"' for column in model._meta.fields_db_projection.values())


def seen_if(key: str, condition: str) -> str:
    """A column that is 1 where a joined row (its key column `key`) was found and meets
    `condition`, else null. A join by a foreign key goes by the key alone: with the condition
    in its ON clause, PostgreSQL's generic plan scanned the condition's rows for every row of
    the list (a sponsor's 500 institutions for each of 50 people) instead of looking up one
    row by its key."""
    return f"CASE WHEN {key} IS NOT NULL AND ({condition}) THEN 1 END"


def _seen(
    model: type[Model], where: Condition, alias: str, mark: Iterator[str]
) -> tuple[str, list[Any]]:
    """`seen_if` for a row of `model` joined as `alias`, found by its primary key."""
    condition, params = where.sql(alias, mark)
    return seen_if(f'{alias}."{model._meta.db_pk_column}"', condition), params


class Joinable(Protocol[R_co]):
    """Rows of another table read with each row of a list, in the list's statement, by a
    column of the list (`key`), if they meet a condition."""

    def columns(self, alias: str, mark: Iterator[str]) -> tuple[list[str], list[Any]]:
        """The joined rows' columns (`alias`…), the first saying whether the row meets the
        condition (`seen_if`); their parameters."""
        ...

    def clause(self, key: str, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        """The LEFT JOINs that bring the row for `key`; their parameters."""
        ...

    def read(self, values: Sequence[Any]) -> R_co | None:
        """The row from its columns; None where none was found or it does not meet the
        condition."""
        ...


class Relation(Joinable[R_co], Protocol[R_co]):
    """The rows of one table a caller may see: read by their ids, or joined to each row of a
    list by the foreign key that points to them, with the same condition both ways."""

    async def by_ids(self, ids: Sequence[int]) -> Sequence[R_co]:
        """The rows with these ids that meet the condition, in any order."""
        ...


@dataclass(frozen=True)
class RowsOf(Generic[M]):
    """The instances of `model` that meet `where`."""

    model: type[M]
    where: Condition

    def columns(self, alias: str, mark: Iterator[str]) -> tuple[list[str], list[Any]]:
        seen, params = _seen(self.model, self.where, alias, mark)
        return [seen, *_columns(self.model, alias)], params

    def clause(self, key: str, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        meta = self.model._meta
        return f'LEFT JOIN "{meta.db_table}" {alias} ON {alias}."{meta.db_pk_column}" = {key}', []

    def read(self, values: Sequence[Any]) -> M | None:
        return self._read(values) if values[0] else None

    @cached_property
    def _read(self) -> Callable[[Sequence[Any]], M]:
        return reader(self.model, 1)  # once: `read` is called for every row

    async def by_ids(self, ids: Sequence[int]) -> list[M]:
        return await by_ids(self.model, ids, where=self.where)


class Record(Protocol):
    """A NamedTuple of some of a model's fields, named as the model names them, `id` first."""

    @property
    def id(self) -> int: ...


T_Record = TypeVar("T_Record", bound=Record)


@dataclass(frozen=True)
class ColumnsOf(Generic[T_Record]):
    """Some columns of the rows of `model` that meet `where`, as `record`s: for a field that
    shows one value of another row, without reading (and decoding) the rest of it."""

    model: type[Model]
    record: type[T_Record]
    where: Condition

    def columns(self, alias: str, mark: Iterator[str]) -> tuple[list[str], list[Any]]:
        seen, params = _seen(self.model, self.where, alias, mark)
        return [seen, *self._columns(alias)], params

    def clause(self, key: str, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        return RowsOf(self.model, self.where).clause(key, alias, mark)

    def read(self, values: Sequence[Any]) -> T_Record | None:
        return self._record(values[1:]) if values[0] else None

    async def by_ids(self, ids: Sequence[int]) -> list[T_Record]:
        if not ids:
            return []
        wanted = AllOf((OneOf(self.model._meta.pk_attr, tuple(ids)), self.where))
        rows, _ = await select_joined(self.model, wanted, shape=self.record, order=())
        return rows

    def _columns(self, alias: str) -> list[str]:
        projection = self.model._meta.fields_db_projection
        return [f'{alias}."{projection[name]}"' for name in self._names]

    @cached_property
    def _names(self) -> tuple[str, ...]:
        names: tuple[str, ...] = self.record._fields  # type: ignore[attr-defined]  # a NamedTuple
        return names

    def _record(self, values: Sequence[Any]) -> T_Record:
        """The record from the first of `values` (a row may go on with joined columns)."""
        fields = list(values[: len(self._names)])
        for position, convert in self._conversions:
            fields[position] = convert(fields[position])
        return self.record(*fields)

    @cached_property
    def _conversions(self) -> list[tuple[int, Convert]]:
        """As `reader` converts, by position: a value the database gives as Python wants it
        (most of them) is left as it is."""
        converts = {attribute: convert for _, attribute, convert in _steps(self.model, _zone())}
        named = ((position, converts[name]) for position, name in enumerate(self._names))
        return [(position, convert) for position, convert in named if convert is not None]


# For each join of a `select`: the foreign key's value → the row it points to (None: none that
# meets the join's condition).
Joined = dict[str, dict[Any, Any]]


class Reading(TypedDict, total=False):
    """How `select` reads: see `select_joined`."""

    order: Sequence[str]
    descending: bool
    after: Sequence[Any] | None
    limit: int | None
    related: str | None


async def select(model: type[M], where: Condition, **reading: Unpack[Reading]) -> list[M]:
    """The rows of `model` that meet `where` (`select_joined` without joins)."""
    rows, _ = await select_joined(model, where, **reading)
    return rows


@overload
async def select_joined(
    model: type[M],
    where: Condition,
    *,
    shape: None = None,
    joins: Mapping[str, Joinable[Any]] | None = None,
    **reading: Unpack[Reading],
) -> tuple[list[M], Joined]: ...


@overload
async def select_joined(
    model: type[Model],
    where: Condition,
    *,
    shape: type[T_Record],
    joins: Mapping[str, Joinable[Any]] | None = None,
    **reading: Unpack[Reading],
) -> tuple[list[T_Record], Joined]: ...


async def select_joined(
    model: type[Model],
    where: Condition,
    *,
    order: Sequence[str] = ("id",),
    descending: bool = False,
    after: Sequence[Any] | None = None,
    limit: int | None = None,
    related: str | None = None,
    joins: Mapping[str, Joinable[Any]] | None = None,
    shape: type[Record] | None = None,
) -> tuple[list[Any], Joined]:
    """The rows of `model` that meet `where`, in the order of `order` (every column reversed
    when `descending`; the last column is unique; none: any order), strictly after the key
    `after`, with the row the foreign key `related` points to (as select_related reads it),
    and for each column of `joins` the rows it points to: one statement written from the
    model's columns and the condition's SQL, without building a query. Every list the API
    pages through is read this way. The rows are instances of `model`, or with `shape` (a
    NamedTuple of some of its fields, `order`'s among them) those columns only, as
    `ColumnsOf` reads them: a list that shows a few columns of wide rows."""
    own_columns, read = _own(model, where, shape, related)
    meta, db = model._meta, model._meta.db
    mark = raw_sql.placeholders(db.capabilities.dialect)
    columns, joined, params = list(own_columns), "", []
    # Parameters in the order the statement shows them: the joined columns, the list's own
    # condition, the joins.
    aliases = {key: f"j{number}" for number, key in enumerate(joins or {})}
    widths: list[tuple[str, Joinable[Any], int]] = []
    for key, other in (joins or {}).items():
        theirs, values = other.columns(aliases[key], mark)
        widths.append((key, other, len(theirs)))
        columns += theirs
        params += values
    condition, values = where.sql("t", mark)
    params += values
    sorted_by = [f't."{meta.fields_db_projection[name]}"' for name in order]
    if after is not None:
        beyond = "<" if descending else ">"
        keys = ", ".join(next(mark) for _ in order)
        condition = f"({condition}) AND ({', '.join(sorted_by)}) {beyond} ({keys})"
        params += list(after)
    ordered = ""
    if sorted_by:
        direction = " DESC" if descending else ""
        ordered = f" ORDER BY {', '.join(column + direction for column in sorted_by)}"
    cut = "" if limit is None else f" LIMIT {int(limit)}"
    sql = f'SELECT {", ".join(own_columns)} FROM "{meta.db_table}" t WHERE {condition}'  # noqa: S608
    sql += ordered + cut
    for key, other in (joins or {}).items():
        clause, values = other.clause(f't."{key}"', aliases[key], mark)
        joined += f" {clause}"
        params += values
    target: type[Model] | None = None
    if related is not None:
        relation = meta.fields_map[related]
        target = relation.related_model  # type: ignore[attr-defined]
        columns[len(own_columns) : len(own_columns)] = _columns(target, "r")
        joined = (
            f' LEFT JOIN "{target._meta.db_table}" r '
            f'ON r."{target._meta.db_pk_column}" = t."{relation.source_field}"{joined}'
        )
    if joined:
        # The page is cut first, then joined: joining before the LIMIT, PostgreSQL joined
        # every row the condition matched (a sponsor's 500 people, each against its 500
        # institutions) before sorting out the 50 shown.
        sql = f"SELECT {', '.join(columns)} FROM ({sql}) t{joined}{ordered}"  # noqa: S608
    _, result = await db.execute_query(sql, params)
    rows = cast(list[Sequence[Any]], result)  # records, read by position
    start = len(own_columns)
    found = [read(row) for row in rows]
    if target is not None:
        read_related, end = reader(target, start), start + len(target._meta.fields_db_projection)
        for instance, row in zip(found, rows, strict=True):
            link = read_related(row) if any(row[start:end]) else None
            object.__setattr__(instance, f"_{related}", link)
        start = end
    pointed: Joined = {}
    for key, other_rows, count in widths:
        targets = pointed.setdefault(key, {})
        for instance, row in zip(found, rows, strict=True):
            pointing = getattr(instance, key)
            if pointing is not None and pointing not in targets:
                targets[pointing] = other_rows.read(row[start : start + count])
        start += count
    return found, pointed


def _own(
    model: type[Model], where: Condition, shape: type[Record] | None, related: str | None
) -> tuple[Sequence[str], Callable[[Sequence[Any]], Any]]:
    """A list's own columns (alias `t`) and how a row's first ones are read."""
    if shape is None:
        return _columns(model, "t"), reader(model)
    if related is not None:
        raise ValueError("a shape reads its own columns only: join the related rows")
    records = ColumnsOf(model, shape, where)
    return records._columns("t"), records._record


async def count(model: type[Model], where: Condition) -> int:
    """How many rows of `model` meet `where`: one statement."""
    meta, db = model._meta, model._meta.db
    condition, params = where.sql("t", raw_sql.placeholders(db.capabilities.dialect))
    sql = f'SELECT COUNT(*) FROM "{meta.db_table}" t WHERE {condition}'  # noqa: S608
    _, rows = await db.execute_query(sql, params)
    return int(rows[0][0])


async def by_ids(
    model: type[M], ids: Sequence[int], *, where: Condition, related: str | None = None
) -> list[M]:
    """The rows of `model` with these ids that meet `where` (`select`, in any order)."""
    if not ids:
        return []
    wanted = AllOf((OneOf(model._meta.pk_attr, tuple(ids)), where))
    return await select(model, wanted, order=(), related=related)
