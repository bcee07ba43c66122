"""Seeds a PostgreSQL database with a canton's worth of data, fast (COPY)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time
from typing import Any

import asyncpg

from models.text import folded

WORDS = (
    "Sonne Mond Stern Regenbogen Zürich Bern Thun Biel Genève Köniz Spiez Aare Alpen Wald Bach "
    "Löwenzahn Schmetterling Zwerg Kinderhaus Villa Krippe Spielhaus Ferien Insel Nest Wiese"
).split()
CARE_TYPES = ("DAYCARE_CENTER", "DAY_FAMILY", "DAY_SCHOOL", "HOLIDAY_CARE")
BIG_SPONSOR_INSTITUTIONS = 500


def _name(rng: random.Random, kind: str, number: int) -> str:
    return f"{kind} {rng.choice(WORDS)} {rng.choice(WORDS)} {number}"


def _sponsors(count: int, now: datetime, rng: random.Random) -> list[tuple[Any, ...]]:
    rows = []
    for n in range(1, count + 1):
        name = _name(rng, "Trägerschaft", n)
        rows.append((n, name, folded(name), folded(name), "ACTIVE", now, now))
    return rows


def _institution(
    n: int, sponsor_id: int | None, now: datetime, rng: random.Random
) -> tuple[Any, ...]:
    name = _name(rng, "Kita", n)
    active = n % 2 == 0
    care_type = CARE_TYPES[n % 4]
    master: tuple[Any, ...] = (None,) * 14
    if active:
        master = (
            f"{name} GmbH",
            "Sonnenweg",
            str(n % 90 + 1),
            f"{3000 + n % 900}",
            "Bern",
            f"eltern{n}@kita.example",
            "+41311234567",
            "https://kita.example",
            '["MONDAY","TUESDAY","WEDNESDAY","THURSDAY","FRIDAY"]',
            time(7, tzinfo=UTC),
            time(18, tzinfo=UTC),
            "CH9300762011623852957",
            f"{name} GmbH",
            12 if care_type == "DAYCARE_CENTER" else None,
        )
    vouchers_from = date(2020 + n % 6, 1 + n % 12, 1)
    return (
        n,
        name,
        folded(name),
        care_type,
        "ACTIVE" if active else "INVITED",
        vouchers_from,
        sponsor_id,
        *master,
        1,
        now if active else None,
        False,
        now,
        now,
    )


INSTITUTION_COLUMNS = [
    "id",
    "name",
    "search_name",
    "care_type",
    "status",
    "vouchers_from",
    "sponsor_id",
    "organisation",
    "street",
    "house_number",
    "postal_code",
    "town",
    "contact_email",
    "phone",
    "website",
    "opening_days",
    "opening_time",
    "closing_time",
    "iban",
    "account_holder",
    "places",
    "version",
    "activated_at",
    "withdrawn_with_sponsor",
    "created_at",
    "updated_at",
]
USER_COLUMNS = [
    "id",
    "email",
    "email_key",
    "first_name",
    "last_name",
    "role",
    "sponsor_id",
    "institution_id",
    "status",
    "blocked_by_withdrawal",
    "created_at",
    "updated_at",
]


def _users(count: int, sponsors: int, institutions: int, now: datetime) -> list[tuple[Any, ...]]:
    rows = []
    for n in range(1, count + 1):
        address = f"person{n}@bench.example"
        if n <= sponsors:
            role, sponsor_id, institution_id = "SPONSOR_ADMIN", n, None
        elif n <= sponsors + institutions:
            role, sponsor_id, institution_id = "INSTITUTION_ADMIN", None, n - sponsors
        else:
            role, sponsor_id, institution_id = "APPLICANT", None, None
        rows.append(
            (
                n,
                address,
                address,
                "Anna",
                "Muster",
                role,
                sponsor_id,
                institution_id,
                "ACTIVE",
                False,
                now,
                now,
            )
        )
    return rows


INVITATION_COLUMNS = [
    "id",
    "user_id",
    "email",
    "role",
    "sponsor_id",
    "institution_id",
    "token_hash",
    "status",
    "expires_at",
    "invited_by_id",
    "accepted_at",
    "sent_count",
    "last_sent_at",
    "created_at",
    "updated_at",
]
AUDIT_COLUMNS = [
    "id",
    "at",
    "actor_id",
    "actor_email",
    "action",
    "subject_type",
    "subject_id",
    "sponsor_id",
    "institution_id",
    "details",
]


def _sponsor_of(institution: int, sponsors: int) -> int | None:
    """The first sponsor holds many institutions; every tenth institution has none."""
    if institution <= BIG_SPONSOR_INSTITUTIONS:
        return 1
    return None if institution % 10 == 0 else 2 + institution % (sponsors - 1)


def _invitations(sponsors: int, institutions: int, now: datetime) -> list[tuple[Any, ...]]:
    """The accepted invitation of every admin the seed made."""
    rows = []
    for n in range(1, sponsors + institutions + 1):
        sponsor_id, institution_id = (n, None) if n <= sponsors else (None, n - sponsors)
        role = "SPONSOR_ADMIN" if n <= sponsors else "INSTITUTION_ADMIN"
        address = f"person{n}@bench.example"
        rows.append(
            (
                n,
                n,
                address,
                role,
                sponsor_id,
                institution_id,
                f"{n:064x}",
                "ACCEPTED",
                now,
                None,
                now,
                1,
                now,
                now,
                now,
            )
        )
    return rows


def _audit(sponsors: int, institutions: int, now: datetime) -> list[tuple[Any, ...]]:
    """One registration entry per institution, in its sponsor's scope."""
    rows = []
    for n in range(1, institutions + 1):
        rows.append(
            (
                n,
                now,
                None,
                None,
                "institution.registered",
                "Institution",
                n,
                _sponsor_of(n, sponsors),
                n,
                f'{{"name": "Kita {n}"}}',
            )
        )
    return rows


async def seed(url: str, *, sponsors: int, institutions: int, users: int) -> None:
    rng, now = random.Random(7), datetime.now(UTC)
    connection = await asyncpg.connect(url)
    try:
        await connection.copy_records_to_table(
            "sponsor",
            records=_sponsors(sponsors, now, rng),
            columns=["id", "name", "name_key", "search_name", "status", "created_at", "updated_at"],
        )
        rows = []
        for n in range(1, institutions + 1):
            rows.append(_institution(n, _sponsor_of(n, sponsors), now, rng))
        await connection.copy_records_to_table(
            "institution", records=rows, columns=INSTITUTION_COLUMNS
        )
        await connection.copy_records_to_table(
            "user", records=_users(users, sponsors, institutions, now), columns=USER_COLUMNS
        )
        await connection.copy_records_to_table(
            "invitation",
            records=_invitations(sponsors, institutions, now),
            columns=INVITATION_COLUMNS,
        )
        await connection.copy_records_to_table(
            "audit_event", records=_audit(sponsors, institutions, now), columns=AUDIT_COLUMNS
        )
        for table in ("sponsor", "institution", "user", "invitation", "audit_event"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT max(id) FROM "{table}"))'
            )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
