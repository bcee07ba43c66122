"""Configuration from the environment (the contract's `KIBON_*` variables).

A module of its own because `main` wires everything and nothing may import `main`, while the
request context and the mail worker need the same values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tortoise.backends.base.config_generator import expand_db_url

DEFAULT_DATABASE_URL = "sqlite://var/kibon.sqlite3"
MODEL_MODULES = [
    "models.sponsor",
    "models.institution",
    "models.user",
    "models.invitation",
    "models.audit",
    "models.rate_limit",
    "mailer.outbox",
]


class ConfigurationError(ValueError):
    pass


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be on or off, not {raw!r}")


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigurationError(f"{name} must be between {low} and {high}, not {value}")
    return value


def _text(env: Mapping[str, str], name: str, default: str, max_length: int = 100) -> str:
    value = " ".join((env.get(name) or "").split()) or default
    if len(value) > max_length:
        raise ConfigurationError(f"{name} must be at most {max_length} characters")
    return value


def _log_level(raw: str | None) -> str:
    level = (raw or "INFO").strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigurationError(
            f"KIBON_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {raw!r}"
        )
    return level


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    smtp: SmtpSettings | None = None
    mail_from: str = "kiBon <noreply@localhost>"
    # In every mail's footer and where the canton invites: one name, or the German and the
    # French name separated by " / " (`Kanton Bern / Canton de Berne`).
    canton_name: str = "Kanton Bern"
    support_email: str | None = None  # the canton's support contact, in every mail's footer
    support_phone: str | None = None
    portal_url: str = "http://localhost:8000"
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    dev_login: bool = False
    invitation_ttl_days: int = 7
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    http: HttpSettings = field(default_factory=lambda: HttpSettings())
    rate_limits: RateLimits = field(default_factory=lambda: RateLimits())

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        smtp_host = env.get("KIBON_SMTP_HOST", "").strip()
        smtp = None
        if smtp_host:
            smtp = SmtpSettings(
                host=smtp_host,
                port=_int(env, "KIBON_SMTP_PORT", 25, 1, 65535),
                username=env.get("KIBON_SMTP_USERNAME") or None,
                password=env.get("KIBON_SMTP_PASSWORD") or None,
                starttls=_flag(env.get("KIBON_SMTP_STARTTLS")),
            )
        return cls(
            database_url=env.get("KIBON_DATABASE_URL") or DEFAULT_DATABASE_URL,
            smtp=smtp,
            mail_from=env.get("KIBON_MAIL_FROM") or cls.mail_from,
            canton_name=_text(env, "KIBON_CANTON_NAME", cls.canton_name),
            support_email=env.get("KIBON_SUPPORT_EMAIL", "").strip() or None,
            support_phone=env.get("KIBON_SUPPORT_PHONE", "").strip() or None,
            portal_url=(env.get("KIBON_PORTAL_URL") or cls.portal_url).rstrip("/"),
            oidc_issuer=env.get("KIBON_OIDC_ISSUER") or None,
            oidc_audience=env.get("KIBON_OIDC_AUDIENCE") or None,
            oidc_jwks_url=env.get("KIBON_OIDC_JWKS_URL") or None,
            dev_login=_flag(env.get("KIBON_DEV_LOGIN")),
            invitation_ttl_days=_int(env, "KIBON_INVITATION_TTL_DAYS", 7, 1, 30),
            host=env.get("KIBON_HOST") or cls.host,
            port=_int(env, "KIBON_PORT", 8000, 1, 65535),
            log_level=_log_level(env.get("KIBON_LOG_LEVEL")),
            http=HttpSettings.from_env(env),
            rate_limits=RateLimits.from_env(env),
        )

    def tortoise_config(self) -> dict[str, object]:
        if self.database_url.startswith("sqlite://") and ":memory:" not in self.database_url:
            Path(self.database_url.removeprefix("sqlite://")).parent.mkdir(
                parents=True, exist_ok=True
            )
        return tortoise_config(self.database_url)


@dataclass(frozen=True)
class HttpSettings:
    """What the GraphQL endpoint accepts and shows (the README's Hardening section says more)."""

    max_body_bytes: int = 1024 * 1024
    request_timeout_seconds: float = 30.0
    cors_origins: tuple[str, ...] = ()
    graphiql: bool = True
    introspection: bool = True
    field_suggestions: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> HttpSettings:
        return cls(
            max_body_bytes=_int(env, "KIBON_MAX_BODY_BYTES", cls.max_body_bytes, 1024, 64 << 20),
            request_timeout_seconds=_seconds(env, "KIBON_REQUEST_TIMEOUT_SECONDS", 30.0),
            cors_origins=_origins(env, "KIBON_CORS_ORIGINS", ()),
            graphiql=_switch(env, "KIBON_GRAPHIQL", True),
            introspection=_switch(env, "KIBON_INTROSPECTION", True),
            field_suggestions=_switch(env, "KIBON_FIELD_SUGGESTIONS", True),
        )


@dataclass(frozen=True)
class RateLimits:
    """Limits kept in the database, so they hold across all server processes."""

    accept_failures: int = 5  # per identity and per invited address, per ACCEPT_WINDOW
    invitation_mails: int = 50  # per sponsor or institution, per MAIL_WINDOW

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RateLimits:
        return cls(
            accept_failures=_int(env, "KIBON_ACCEPT_FAILURE_LIMIT", 5, 1, 1000),
            invitation_mails=_int(env, "KIBON_INVITATION_MAIL_LIMIT", 50, 1, 100_000),
        )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not 0.1 <= value <= 3600:
        raise ConfigurationError(f"{name} must be between 0.1 and 3600, not {raw}")
    return value


def _origins(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """Exact origins (`https://portal.example.ch`); `*` is refused: CORS must never let any
    site read answers meant for the portals."""
    raw = env.get(name)
    if raw is None:
        return default
    origins = tuple(part.strip().rstrip("/") for part in raw.split(",") if part.strip())
    for origin in origins:
        scheme, _, rest = origin.partition("://")
        if scheme not in {"http", "https"} or not rest or "/" in rest or "*" in rest:
            raise ConfigurationError(f"{name}: {origin!r} is not an origin like https://host")
    return origins


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


def _connection(database_url: str) -> dict[str, Any]:
    connection: dict[str, Any] = expand_db_url(database_url)
    if connection["engine"] == "tortoise.backends.asyncpg":
        # asyncpg's pool runs `RESET ALL; UNLISTEN *; CLOSE ALL; …` after every use: a second
        # round trip for each statement. We keep no session state on pooled connections (no
        # SET, LISTEN, cursors or advisory locks; the cache's LISTEN has a connection of its
        # own), so only asyncpg's own part stays: rolling back a transaction left open.
        connection["credentials"]["reset"] = _no_session_state_to_reset
    return connection


async def _no_session_state_to_reset(connection: object) -> None:
    return None


# For the `tortoise` command line (makemigrations): `tortoise -c settings.TORTOISE_ORM ...`
TORTOISE_ORM = tortoise_config(os.environ.get("KIBON_DATABASE_URL") or DEFAULT_DATABASE_URL)
