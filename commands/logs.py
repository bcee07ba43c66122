"""What may reach a log line: addresses only masked, no tokens, no invitation links, no query
strings. Applied to every formatted line, exception texts included, because a driver's or a
library's message can carry data that our own log calls never would."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

EMAIL = re.compile(r"(?<![\w.%+*-])([\w.%+-])[\w.%+-]*@((?:[\w-]+\.)+[A-Za-z]{2,})")
JWT = re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*")
BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[\w.~+/=-]{8,}")
TOKEN = re.compile(r"(?i)\b(token[\"']?\s*[=:]\s*[\"']?)[^\s&\"',;}]+")
ACCESS_LOGGER = "uvicorn.access"
ACCESS_PATH_ARGUMENT = 2  # uvicorn: client, method, path with query, http version, status


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
