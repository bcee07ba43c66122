"""Which of the migration files in `models/migrations/` the database has applied.

Tortoise records applied migrations in the table `tortoise_migrations` (app, name).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tortoise import connections

APP = "models"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class MigrationState:
    expected: list[str]
    applied: list[str]

    @property
    def pending(self) -> list[str]:
        """Files the database has not applied: this code must not serve yet."""
        return [name for name in self.expected if name not in self.applied]

    @property
    def unknown(self) -> list[str]:
        """Applied, but not among the files: a newer release migrated (a rolling update)."""
        return [name for name in self.applied if name not in self.expected]


def expected_migrations(directory: Path | None = None) -> list[str]:
    return sorted(path.stem for path in (directory or MIGRATIONS).glob("[0-9]*.py"))


async def current(directory: Path | None = None) -> MigrationState:
    """Raises when the database does not answer or has no migration table yet."""
    rows = await connections.get("default").execute_query_dict(
        "SELECT app, name FROM tortoise_migrations"
    )
    applied = sorted(str(row["name"]) for row in rows if row["app"] == APP)
    return MigrationState(expected=expected_migrations(directory), applied=applied)
