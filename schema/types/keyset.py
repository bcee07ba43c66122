"""Keyset pagination: a page is "the next `first` rows after this cursor" in a stable order.

No OFFSET, so page 1,000 costs what page 1 costs. A cursor is the sort key of the last row seen,
opaque to clients (base64 of JSON).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar, overload

import orjson
from tortoise.models import Model

from engine import deadline
from engine.errors import BadUserInput
from engine.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from engine.loaders import Of
from i18n import _
from models import reading, text
from models.conditions import Condition
from schema.types import ids

M = TypeVar("M", bound=Model)
R = TypeVar("R")
T_Record = TypeVar("T_Record", bound=reading.Record)


Count = Callable[[], Awaitable[int]]


@dataclass(frozen=True)
class Page(Generic[R]):
    rows: list[R]
    order: Sequence[str]  # the attributes of a row that are its place in the list
    has_next_page: bool
    has_previous_page: bool
    count: Count | None = None  # the whole list's size, counted only when asked for
    joined: reading.Joined = field(default_factory=dict)  # what `page_where`'s joins read

    def cursor_of(self, row: R) -> str:
        """Where the list goes on after this row of the page."""
        return encode_cursor([getattr(row, column) for column in self.order])


def check_page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(_("`first` must be between 0 and {most}.", most=MAX_PAGE_SIZE))
    return first


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode()


def decode_cursor(cursor: str, order: Sequence[str]) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, UnicodeError):
        raise BadUserInput(_("`after` is not a valid cursor.")) from None
    if (
        not isinstance(values, list)
        or len(values) != len(order)
        or not isinstance(values[-1], int)
        or isinstance(values[-1], bool)
        or not ids.is_row_id(values[-1])
        or not all(isinstance(v, str) and text.is_storable(v) for v in values[:-1])
    ):
        raise BadUserInput(_("`after` is not a valid cursor."))
    return values


@overload
async def page_where(
    model: type[M],
    where: Condition,
    *,
    first: int | None,
    after: str | None,
    order: Sequence[str] = ("id",),
    descending: bool = False,
    related: str | None = None,
    joins: Mapping[str, Of[Any] | reading.Joinable[Any]] | None = None,
    shape: None = None,
) -> Page[M]: ...


@overload
async def page_where(
    model: type[Model],
    where: Condition,
    *,
    first: int | None,
    after: str | None,
    order: Sequence[str] = ("id",),
    descending: bool = False,
    joins: Mapping[str, Of[Any] | reading.Joinable[Any]] | None = None,
    shape: type[T_Record],
) -> Page[T_Record]: ...


async def page_where(
    model: type[Model],
    where: Condition,
    *,
    first: int | None,
    after: str | None,
    order: Sequence[str] = ("id",),
    descending: bool = False,
    related: str | None = None,
    joins: Mapping[str, Of[Any] | reading.Joinable[Any]] | None = None,
    shape: type[reading.Record] | None = None,
) -> Page[Any]:
    """A page of the rows that meet `where`, and their count: each one statement written
    from it (`models.reading`). `related`: a foreign key read with each row. `joins`: by
    column, rows the same statement reads with the page's (`Page.joined`); a loader's are
    its relation's, and it is primed with them (`nodes.joins_selected` says which loaders a
    selection needs). `shape`: the rows as records of these columns, not as instances."""
    size = check_page_size(first)
    start = decode_cursor(after, order) if after is not None else None

    async def count() -> int:
        return await reading.count(model, where)

    loaders = {key: join for key, join in (joins or {}).items() if isinstance(join, Of)}
    rows: list[Any]
    rows, joined = await reading.select_joined(
        model,
        where,
        order=order,
        descending=descending,
        after=start,
        limit=size + 1,
        related=related,
        shape=shape,
        joins={
            key: join.relation if isinstance(join, Of) else join
            for key, join in (joins or {}).items()
        },
    )
    for key, loader in loaders.items():
        loader.prime_many(joined[key])
    found: Page[Any] = page_of(rows, size=size, after=after, order=order, count=count)
    return replace(found, joined=joined)


def page_of(
    rows: list[R],
    *,
    size: int,
    after: str | None,
    order: Sequence[str],
    count: Count | None = None,
) -> Page[R]:
    """A page from up to `size + 1` rows fetched in order (the extra one tells there is more)."""
    # Many pages resume at once when their DataLoader answers: each checks the deadline before
    # it builds anything, so an operation out of time stops within one page's work.
    deadline.check(deadline.current())
    more, previous = len(rows) > size, after is not None
    return Page(rows[:size], order, has_next_page=more, has_previous_page=previous, count=count)
