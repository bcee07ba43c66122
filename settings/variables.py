"""Every `KIBON_*` variable: its type, its range, its default and what it means, in one model.

The model is the single definition the service reads its environment through and the
configuration table of `docs/operations.md` is rendered from (`settings.table`). Each field's
`accepts` says, in the words of the one-line error an operator gets, what a value may be.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, SettingsConfigDict
from pydantic_settings.sources import PydanticBaseSettingsSource
from pydantic_settings.sources.utils import parse_env_vars

from settings import values
from settings.values import Port, Switch

PREFIX = "KIBON_"
DEFAULT_DATABASE_URL = "sqlite://var/kibon.sqlite3"


def setting(default: Any, accepts: str, meaning: str, **bounds: Any) -> Any:
    return Field(default, description=meaning, json_schema_extra={"accepts": accepts}, **bounds)


class Variables(BaseSettings):
    """The environment as typed values; unset (or empty) variables take the default."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        env_ignore_empty=True,
        extra="forbid",
        frozen=True,
        validate_default=False,
    )

    database_url: Annotated[str, BeforeValidator(values.database_url)] = setting(
        DEFAULT_DATABASE_URL,
        "sqlite://PATH in an existing directory, or postgres://USER@HOST:PORT/DATABASE",
        "the database (`postgres://` runs on asyncpg, its sessions planning with "
        "`random_page_cost = 1.1`: data in memory or on SSD); the default's `var/` is created",
    )
    smtp_host: str | None = setting(
        None, "a host name", "the SMTP relay; unset, `serve` delivers into a development sink"
    )
    smtp_port: Port = setting(25, "1 to 65535", "the relay's port")
    smtp_username: str | None = setting(None, "text", "the relay's user, if it wants one")
    smtp_password: str | None = setting(None, "text", "the relay's password (never logged)")
    smtp_starttls: Switch = setting(False, "a switch", "upgrade the connection with STARTTLS")
    mail_from: str = setting("kiBon <noreply@localhost>", "an address", "the sender of every mail")
    portal_url: Annotated[str | None, BeforeValidator(values.web_url)] = setting(
        None,
        "an http:// or https:// URL",
        "base of the links in mails; default `http://localhost:{KIBON_PORT}`",
    )
    oidc_issuer: str | None = setting(
        None, "the issuer (`iss`)", "the identity provider; required unless `KIBON_DEV_LOGIN` is on"
    )
    oidc_audience: str | None = setting(
        None, "the audience (`aud`)", "this service at the provider; required like the issuer"
    )
    oidc_jwks_url: Annotated[str | None, BeforeValidator(values.jwks_url)] = setting(
        None,
        "an https:// URL, or file://PATH of a JWKS file",
        "the provider's signing keys; required like the issuer",
    )
    dev_login: Switch = setting(
        False,
        "a switch",
        "the development sign-in (`POST /dev/token`, `/dev/mail`, text logs); "
        "refused unless `KIBON_HOST` is loopback. Never in production",
    )
    dev_login_force: Switch = setting(
        False, "a switch", "allows the development sign-in on a host that is not loopback"
    )
    invitation_ttl_days: int = setting(
        7, "1 to 30", "how long an invitation link works, in days", ge=1, le=30
    )
    host: str = setting("127.0.0.1", "an address", "where `serve` listens")
    port: Port = setting(8000, "1 to 65535", "the port `serve` listens on")
    log_level: Annotated[
        Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(values.level)
    ] = setting(
        "INFO",
        "DEBUG, INFO, WARNING or ERROR",
        "the lowest level logged, in every process "
        "(the ORM's and HTTP clients' loggers stay at WARNING: they would log SQL parameters)",
    )
    max_body_bytes: int = setting(
        1024 * 1024,
        "1024 to 67108864",
        "the largest request body, in bytes (HTTP 413 above)",
        ge=1024,
        le=64 << 20,
    )
    request_timeout_seconds: float = setting(
        30.0,
        "0.1 to 3600",
        "the longest a request may take, in seconds (HTTP 504)",
        ge=0.1,
        le=3600,
    )
    cors_origins: Annotated[tuple[str, ...], NoDecode, BeforeValidator(values.origins)] = setting(
        (),
        "origins like https://portal.example.ch, comma-separated",
        "the portals allowed to call from a browser",
    )
    graphiql: Switch = setting(True, "a switch", "GraphiQL at `GET /graphql` in a browser")
    introspection: Switch = setting(True, "a switch", "schema introspection")
    field_suggestions: Switch = setting(True, "a switch", '"Did you mean …" in validation errors')
    max_query_nodes: int = setting(
        50_000,
        "100 to 10000000",
        "the most objects one operation may return in the worst case (docs/hardening.md)",
        ge=100,
        le=10_000_000,
    )
    max_nodes_in_flight: int = setting(
        60_000,
        "100 to 100000000",
        "the most objects the operations in flight in one worker may return together; one "
        "that does not fit waits (docs/hardening.md)",
        ge=100,
        le=100_000_000,
    )
    accept_failure_limit: int = setting(
        5,
        "1 to 1000",
        "failed acceptances per identity and per address in 15 minutes",
        ge=1,
        le=1000,
    )
    invitation_mail_limit: int = setting(
        50,
        "1 to 100000",
        "invitation mails per sponsor or institution in an hour",
        ge=1,
        le=100_000,
    )
    persisted_query_cache_size: int = setting(
        1000,
        "0 to 100000",
        "documents a process keeps for automatic persisted queries (0: none)",
        ge=0,
        le=100_000,
    )
    trusted_documents: Annotated[Path | None, BeforeValidator(values.trusted_documents)] = setting(
        None,
        "a JSON file mapping sha256 hash to document",
        "only these operations run (`python main.py trusted-documents` writes the file)",
    )
    planned_executor: Switch = setting(
        True,
        "a switch",
        "answer by the planned executor (`docs/performance.md`); off: by graphql-core's own, "
        "with the same answers, slower",
    )
    mail_worker: Switch = setting(
        True,
        "a switch",
        "this process delivers mail (`serve --no-mail-worker` turns it off for its workers)",
    )
    denied_audit_retention_days: int = setting(
        90,
        "1 to 3650",
        "days `access.denied` audit entries are kept (the rest of the audit log is kept)",
        ge=1,
        le=3650,
    )
    outbox_retention_days: int = setting(
        30, "1 to 3650", "days sent and failed mails stay in the outbox", ge=1, le=3650
    )
    invited_retention_days: int = setting(
        30,
        "1 to 3650",
        "days an account that never accepted is kept after its last invitation expired or "
        "was revoked; then the housekeeping deletes it",
        ge=1,
        le=3650,
    )
    canton_name: str = setting(
        "Kanton Bern",
        "text, at most 100 characters",
        "the canton in every mail's footer and where the canton invites: one name, or "
        "`German / French`",
        max_length=100,
    )
    support_email: Annotated[str | None, BeforeValidator(values.address)] = setting(
        None, "an e-mail address", "the support address in every mail's footer, when set"
    )
    support_phone: str | None = setting(
        None, "a phone number", "the support phone in every mail's footer, when set"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)  # only what `from_variables` hands over


class GivenVariables(EnvSettingsSource):
    """The environment source over a given mapping (the process's, or a test's)."""

    def __init__(self, settings_cls: type[BaseSettings], variables: Mapping[str, str]) -> None:
        self.given = variables
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(
            self.given, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )


def known_names() -> list[str]:
    return [PREFIX + name.upper() for name in Variables.model_fields]


def from_variables(variables: Mapping[str, str]) -> Variables:
    """Raises pydantic's ValidationError; `settings.from_env` words it for operators."""
    return Variables(**GivenVariables(Variables, variables)())
