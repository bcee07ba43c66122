"""The Tortoise configuration of a database URL: the models, the migrations, the pool."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.config_generator import expand_db_url

MODEL_MODULES = [
    "models.sponsor",
    "models.institution",
    "models.user",
    "models.invitation",
    "models.audit",
    "models.rate_limit",
    "models.housekeeping",
    "mailer.outbox",
]


def tortoise_config(database_url: str) -> dict[str, object]:
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# Tortoise's backends, with rows read into instances by `models.reading`.
ENGINES = {
    "tortoise.backends.asyncpg": "models.backends.asyncpg",
    "tortoise.backends.sqlite": "models.backends.sqlite",
}


def _connection(database_url: str) -> dict[str, Any]:
    connection: dict[str, Any] = expand_db_url(database_url)
    connection["engine"] = ENGINES.get(connection["engine"], connection["engine"])
    return connection
