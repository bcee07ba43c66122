"""Log lines for every process: JSON lines in production, text in development, each with the
request id.

What may reach a log line: addresses only masked, no tokens, no invitation links, no query
strings. Applied to every formatted line, exception texts included, because a driver's or a
library's message can carry data that our own log calls never would."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import urlsplit

from models import audit
from settings import Settings
from web import trace_context

EMAIL = re.compile(r"(?<![\w.%+*-])([\w.%+-])[\w.%+-]*@((?:[\w-]+\.)+[A-Za-z]{2,})")
JWT = re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*")
BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[\w.~+/=-]{8,}")
TOKEN = re.compile(r"(?i)\b(token[\"']?\s*[=:]\s*[\"']?)[^\s&\"',;}]+")
# A Message-ID (`<digits.digits.digits@host>` or a long hex id) is no address, and the relay's
# log can only be matched with it whole.
MESSAGE_ID = re.compile(r"<[0-9A-Fa-f.-]{16,}@[\w.-]+>")
# Fields a log call may add with `extra=`; they appear as keys of the JSON line.
FIELDS = (
    *("method", "path", "status", "duration_ms", "user_id"),
    *("event", "command", "database", "smtp", "issuer", "workers", "job", "rows"),
)
ACCESS_LOGGER = "uvicorn.access"
ACCESS_PATH_ARGUMENT = 2  # uvicorn: client, method, path with query, http version, status
# Loggers that would write SQL with its parameters (invitation links, addresses) or request
# details at DEBUG: they never go below WARNING, whatever the root level.
QUIET_LOGGERS = ("tortoise", "aiosqlite", "asyncpg", "httpx", "httpcore", "mail.log")
# asyncpg's pool writes a traceback at WARNING for each failed reconnection: in an outage that
# is every second; the mail worker and /readyz report the outage once.
SILENCED_LOGGERS = ("asyncpg.pool",)


def scrub(text: str) -> str:
    """Everything but the Message-IDs in it, which stay whole."""
    kept = [*MESSAGE_ID.findall(text), ""]
    return "".join(_scrub(part) + kept[n] for n, part in enumerate(MESSAGE_ID.split(text)))


def _scrub(text: str) -> str:
    text = BEARER.sub(r"\1 [redacted]", text)
    text = JWT.sub("[jwt]", text)
    text = TOKEN.sub(r"\1[redacted]", text)
    return EMAIL.sub(r"\1***@\2", text)


def without_query_strings(record: logging.LogRecord) -> bool:
    """GET /graphql?query=…&variables=… would put variables into the access log."""
    if record.name == ACCESS_LOGGER and isinstance(record.args, tuple):
        arguments = list(record.args)
        if len(arguments) > ACCESS_PATH_ARGUMENT:
            arguments[ACCESS_PATH_ARGUMENT] = urlsplit(str(arguments[ACCESS_PATH_ARGUMENT])).path
            record.args = tuple(arguments)
    return True


class ScrubbedText(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
        }
        trace_id = getattr(record, "trace_id", None)
        if trace_id:
            entry["trace_id"] = trace_id
        for name in FIELDS:
            if hasattr(record, name):
                value = getattr(record, name)
                entry[name] = scrub(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def with_request_id(record: logging.LogRecord) -> bool:
    record.request_id = audit.request_id.get()
    trace = trace_context.current.get()
    record.trace_id = trace.trace_id if trace is not None else None
    return True


def configure_logging(*, json_lines: bool, level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(with_request_id)
    handler.addFilter(without_query_strings)
    handler.setFormatter(
        JsonLines()
        if json_lines
        else ScrubbedText("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    logging.basicConfig(level=level, handlers=[handler], force=True)
    quiet_noisy_loggers()


def quiet_noisy_loggers() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in SILENCED_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def where_is(database_url: str) -> str:
    """The database without user or password: `postgres://db:5432/kibon`, `sqlite://var/…`."""
    parts = urlsplit(database_url)
    if parts.scheme == "sqlite":
        return database_url
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def log_start(settings: Settings, *, command: str, workers: int = 1) -> None:
    """One line that says what this process talks to; never a secret."""
    smtp = f"{settings.smtp.host}:{settings.smtp.port}" if settings.smtp else "development sink"
    issuer = settings.oidc_issuer or "none"
    if settings.dev_login:
        issuer += " + development sign-in"
    fields = {
        "event": "start",
        "command": command,
        "database": where_is(settings.database_url),
        "smtp": smtp,
        "issuer": issuer,
        "workers": workers,
    }
    logging.getLogger("kibon.start").info(
        "kibon %s: database %s, smtp %s, issuer %s, %d worker(s)",
        command,
        fields["database"],
        smtp,
        issuer,
        workers,
        extra=fields,
    )
