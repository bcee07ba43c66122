"""Configuration from the environment (the contract's `KIBON_*` variables), read once.

A package of its own because `main` wires everything and nothing may import `main`, while the
request context and the mail worker need the same values. `settings.variables` defines and
validates every variable; here they become the grouped, frozen values the code reads, and an
operator's mistake becomes one line naming the variable (`ConfigurationError`).
"""

from __future__ import annotations

import difflib
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from settings.database import MODEL_MODULES, tortoise_config
from settings.variables import DEFAULT_DATABASE_URL, PREFIX, Variables, from_variables, known_names

__all__ = [
    "DEFAULT_DATABASE_URL",
    "MODEL_MODULES",
    "ConfigurationError",
    "HttpSettings",
    "RateLimits",
    "Retention",
    "Settings",
    "SmtpSettings",
    "tortoise_config",
]


class ConfigurationError(ValueError):
    """One line for stderr: the variable, and what it accepts."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False


@dataclass(frozen=True)
class HttpSettings:
    """What the GraphQL endpoint accepts and shows (docs/hardening.md says more)."""

    max_body_bytes: int = 1024 * 1024
    request_timeout_seconds: float = 30.0
    cors_origins: tuple[str, ...] = ()
    graphiql: bool = True
    introspection: bool = True
    field_suggestions: bool = True
    max_query_nodes: int = 50_000
    max_nodes_in_flight: int = 60_000
    persisted_query_cache_size: int = 1000
    trusted_documents: Path | None = None
    planned_executor: bool = True


@dataclass(frozen=True)
class RateLimits:
    """Limits kept in the database, so they hold across all server processes."""

    accept_failures: int = 5  # per identity and per invited address, per ACCEPT_WINDOW
    invitation_mails: int = 50  # per sponsor or institution, per MAIL_WINDOW


@dataclass(frozen=True)
class Retention:
    """How long the mail worker's housekeeping keeps rows that only age."""

    denied_audit_days: int = 90
    finished_outbox_days: int = 30
    invited_days: int = 30  # after the last invitation of a never-accepted account ended


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    smtp: SmtpSettings | None = None
    mail_from: str = "kiBon <noreply@localhost>"
    portal_url: str = "http://localhost:8000"
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    dev_login: bool = False
    invitation_ttl_days: int = 7
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    mail_worker: bool = True
    canton_name: str = "Kanton Bern"
    support_email: str | None = None
    support_phone: str | None = None
    http: HttpSettings = field(default_factory=HttpSettings)
    rate_limits: RateLimits = field(default_factory=RateLimits)
    retention: Retention = field(default_factory=Retention)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Every `KIBON_*` variable of `env` (the process's by default), checked; raises
        `ConfigurationError` for an unknown name or a value the variable does not accept."""
        env = os.environ if env is None else env
        refuse_unknown_names(env)
        try:
            variables = from_variables(env)
        except ValidationError as invalid:
            raise ConfigurationError(_first_problem(invalid)) from None
        refuse_inconsistent(variables)
        return cls.from_variables(variables)

    @classmethod
    def from_variables(cls, v: Variables) -> Settings:
        smtp = None
        if v.smtp_host:
            smtp = SmtpSettings(
                v.smtp_host, v.smtp_port, v.smtp_username, v.smtp_password, v.smtp_starttls
            )
        return cls(
            database_url=v.database_url,
            smtp=smtp,
            mail_from=v.mail_from,
            portal_url=v.portal_url or f"http://localhost:{v.port}",
            oidc_issuer=v.oidc_issuer,
            oidc_audience=v.oidc_audience,
            oidc_jwks_url=v.oidc_jwks_url,
            dev_login=v.dev_login,
            invitation_ttl_days=v.invitation_ttl_days,
            host=v.host,
            port=v.port,
            log_level=v.log_level,
            mail_worker=v.mail_worker,
            canton_name=v.canton_name,
            support_email=v.support_email,
            support_phone=v.support_phone,
            http=HttpSettings(
                max_body_bytes=v.max_body_bytes,
                request_timeout_seconds=v.request_timeout_seconds,
                cors_origins=v.cors_origins,
                graphiql=v.graphiql,
                introspection=v.introspection,
                field_suggestions=v.field_suggestions,
                max_query_nodes=v.max_query_nodes,
                max_nodes_in_flight=v.max_nodes_in_flight,
                persisted_query_cache_size=v.persisted_query_cache_size,
                trusted_documents=v.trusted_documents,
                planned_executor=v.planned_executor,
            ),
            rate_limits=RateLimits(v.accept_failure_limit, v.invitation_mail_limit),
            retention=Retention(
                v.denied_audit_retention_days, v.outbox_retention_days, v.invited_retention_days
            ),
        )

    def tortoise_config(self) -> dict[str, object]:
        if self.database_url == DEFAULT_DATABASE_URL:  # the embedded default makes its folder
            Path(DEFAULT_DATABASE_URL.removeprefix("sqlite://")).parent.mkdir(exist_ok=True)
        return tortoise_config(self.database_url)


def refuse_unknown_names(env: Mapping[str, str]) -> None:
    known = known_names()
    for name in sorted(env):
        if name.startswith(PREFIX) and name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else "; docs/operations.md lists them"
            raise ConfigurationError(f"{name} is not a setting of this service{hint}")


def _first_problem(invalid: ValidationError) -> str:
    problem = invalid.errors()[0]
    name = str(problem["loc"][0]) if problem["loc"] else ""
    variable = PREFIX + name.upper()
    if "error" in problem.get("ctx", {}):  # our own validators say what is wrong
        return f"{variable}: {problem['ctx']['error']}"
    accepts = _accepts(name)
    return f"{variable}: {str(problem['input'])!r} is not accepted; it takes {accepts}"


def _accepts(name: str) -> str:
    extra: Any = Variables.model_fields[name].json_schema_extra if name else None
    return str(extra["accepts"]) if isinstance(extra, dict) else "another value"


LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def refuse_inconsistent(v: Variables) -> None:
    if v.dev_login and not v.dev_login_force and not is_loopback(v.host):
        raise ConfigurationError(
            f"KIBON_DEV_LOGIN: refused with KIBON_HOST={v.host} (not loopback), as anyone who "
            "reaches it could sign in as anyone; set KIBON_DEV_LOGIN_FORCE=on to allow it"
        )
    if v.dev_login:
        return
    provider = {
        "KIBON_OIDC_ISSUER": v.oidc_issuer,
        "KIBON_OIDC_AUDIENCE": v.oidc_audience,
        "KIBON_OIDC_JWKS_URL": v.oidc_jwks_url,
    }
    for name, value in provider.items():
        if not value:
            raise ConfigurationError(
                f"{name}: required when KIBON_DEV_LOGIN is off (the identity provider needs "
                "KIBON_OIDC_ISSUER, KIBON_OIDC_AUDIENCE and KIBON_OIDC_JWKS_URL)"
            )


def __getattr__(name: str) -> object:
    """`tortoise -c settings.TORTOISE_ORM makemigrations`: read when asked for, never at import
    (a bad URL must not break `main.py --help`)."""
    if name == "TORTOISE_ORM":
        return Settings.from_env().tortoise_config()
    raise AttributeError(name)
