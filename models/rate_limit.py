"""Rate limits kept in the database, so they hold across every server process.

Fixed windows: one counter row per key and window. Taking a slot is a single upsert that
increments and returns the count, so of several concurrent requests exactly the ones within
the limit get a slot, on SQLite and on PostgreSQL (where the upsert locks the row). Keys hold a
hash of who or what is limited, never an address or a token.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from tortoise import fields
from tortoise.models import Model

from models import clock
from models.errors import TooManyAttempts

SQL_TAKE = (
    'INSERT INTO "rate_counter" ("key", "period", "hits", "ends_at") VALUES ({0}, {1}, 1, {2}) '
    'ON CONFLICT ("key", "period") DO UPDATE SET "hits" = "rate_counter"."hits" + 1 '
    'RETURNING "hits"'
)
SQL_GIVE_BACK = (
    'UPDATE "rate_counter" SET "hits" = "hits" - 1 '
    'WHERE "key" = {0} AND "period" = {1} AND "hits" > 0'
)
SQL_PRUNE = 'DELETE FROM "rate_counter" WHERE "ends_at" <= {0}'


class RateCounter(Model):
    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=80)
    period = fields.BigIntField()  # the window's number: epoch seconds // window seconds
    hits = fields.IntField(default=0)
    ends_at = fields.BigIntField(db_index=True)  # epoch seconds; the row is useless after

    class Meta:
        table = "rate_counter"
        unique_together = (("key", "period"),)


@dataclass(frozen=True)
class Limit:
    kind: str
    allowed: int
    window_seconds: int

    def key(self, subject: str) -> str:
        digest = hashlib.sha256(f"{self.kind}\x00{subject}".encode()).hexdigest()[:48]
        return f"{self.kind}:{digest}"


@dataclass(frozen=True)
class Window:
    period: int
    ends_at: int
    retry_after_seconds: int


def current_window(limit: Limit) -> Window:
    now = clock.now().timestamp()
    period = math.floor(now / limit.window_seconds)
    ends_at = (period + 1) * limit.window_seconds
    return Window(period, ends_at, max(1, math.ceil(ends_at - now)))


def _placeholders(count: int) -> list[str]:
    dialect = RateCounter._meta.db.capabilities.dialect
    return [f"${n}" if dialect == "postgres" else "?" for n in range(1, count + 1)]


async def take(limit: Limit, subject: str) -> None:
    """Takes one slot of the current window, or raises TooManyAttempts when none is left.
    Inside a transaction, the slot is given back if the transaction rolls back."""
    window = current_window(limit)
    rows = await RateCounter._meta.db.execute_query_dict(
        SQL_TAKE.format(*_placeholders(3)), [limit.key(subject), window.period, window.ends_at]
    )
    if int(rows[0]["hits"]) > limit.allowed:
        await give_back(limit, subject)  # a refusal is not a slot
        raise TooManyAttempts(window.retry_after_seconds)


async def give_back(limit: Limit, subject: str) -> None:
    window = current_window(limit)
    await RateCounter._meta.db.execute_query(
        SQL_GIVE_BACK.format(*_placeholders(2)), [limit.key(subject), window.period]
    )


async def prune() -> None:
    """Rows of ended windows count nothing any more."""
    now = math.floor(clock.now().timestamp())
    await RateCounter._meta.db.execute_query(SQL_PRUNE.format(*_placeholders(1)), [now])
