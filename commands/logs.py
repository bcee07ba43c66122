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

EMAIL = re.compile(r"(?<![\w.%+*-])([\w.%+-])[\w.%+-]*@((?:[\w-]+\.)+[A-Za-z]{2,})")
JWT = re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*")
BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[\w.~+/=-]{8,}")
TOKEN = re.compile(r"(?i)\b(token[\"']?\s*[=:]\s*[\"']?)[^\s&\"',;}]+")
ACCESS_LOGGER = "uvicorn.access"
ACCESS_PATH_ARGUMENT = 2  # uvicorn: client, method, path with query, http version, status
# Loggers that would write SQL with its parameters (invitation links, addresses) or request
# details at DEBUG: they never go below WARNING, whatever the root level.
QUIET_LOGGERS = ("tortoise", "aiosqlite", "asyncpg", "httpx", "httpcore", "mail.log")


def scrub(text: str) -> str:
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
            "requestId": getattr(record, "request_id", None),
        }
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def with_request_id(record: logging.LogRecord) -> bool:
    record.request_id = audit.request_id.get()
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
