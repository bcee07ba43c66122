"""The kinds of value a `KIBON_*` variable takes, each checked with a message that says what
it accepts (pydantic turns a ValueError into the error `settings.from_env` words)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field

SWITCH_ON = frozenset({"on", "true", "1", "yes"})
SWITCH_OFF = frozenset({"off", "false", "0", "no"})
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql", "asyncpg"})
SHA256_HEX_LENGTH = 64


def switch(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in SWITCH_ON | SWITCH_OFF:
        return word in SWITCH_ON
    raise ValueError(f"{value!r} is not a switch; use on/off, true/false, 1/0 or yes/no")


def database_url(value: object) -> str:
    url = str(value).strip()
    scheme, _, rest = url.partition("://")
    if scheme == "sqlite":
        if not rest:
            raise ValueError("sqlite:// needs a file path, as in sqlite://var/kibon.sqlite3")
        directory = Path(rest).parent
        if rest != ":memory:" and not directory.is_dir():
            raise ValueError(f"the directory {str(directory)!r} of the SQLite file does not exist")
        return url
    if scheme in POSTGRES_SCHEMES:
        if not urlsplit(url).path.strip("/"):
            raise ValueError("the PostgreSQL URL names no database, as in postgres://host/kibon")
        return url
    raise ValueError(
        f"{scheme or url!r} is no database this service runs on; use sqlite:// or postgres://"
    )


def web_url(value: object) -> str:
    url = str(value).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"{url!r} is not an http:// or https:// URL")
    return url


def jwks_url(value: object) -> str:
    url = str(value).strip()
    if url.startswith("file://"):
        path = Path(url.removeprefix("file://"))
        if not path.is_file():
            raise ValueError(f"the JWKS file {str(path)!r} does not exist")
        try:
            keys = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            raise ValueError(f"the JWKS file {str(path)!r} is not readable JSON") from None
        if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
            raise ValueError(f'the JWKS file {str(path)!r} has no "keys" list')
        return url
    return web_url(url)


def origins(value: object) -> tuple[str, ...]:
    """Exact origins; `*` is refused: CORS must never let any site read the portals' answers."""
    parts = value if isinstance(value, tuple | list) else str(value).split(",")
    origins = tuple(str(part).strip().rstrip("/") for part in parts if str(part).strip())
    for origin in origins:
        scheme, _, rest = origin.partition("://")
        if scheme not in {"http", "https"} or not rest or "/" in rest or "*" in rest:
            raise ValueError(f"{origin!r} is not an origin like https://portal.example.ch")
    return origins


def trusted_documents(value: object) -> Path:
    path = Path(str(value).strip())
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"{str(path)!r} is not a readable JSON file") from None
    if not isinstance(manifest, dict) or not all(
        isinstance(key, str) and len(key) == SHA256_HEX_LENGTH and isinstance(document, str)
        for key, document in manifest.items()
    ):
        raise ValueError(f"{str(path)!r} is not a JSON object of sha256 hash → document")
    return path


def address(value: object) -> str:
    address = str(value).strip()
    local, _, domain = address.rpartition("@")
    if not local or "." not in domain or any(c.isspace() for c in address):
        raise ValueError(f"{address!r} is not an e-mail address")
    return address


def level(value: object) -> str:
    return str(value).strip().upper()


Switch = Annotated[bool, BeforeValidator(switch)]
Port = Annotated[int, Field(ge=1, le=65535)]
LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(level)]
