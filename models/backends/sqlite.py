"""SQLite (`tortoise.backends.sqlite`), reading rows by `models.reading`."""

from typing import Any

from tortoise.backends.sqlite.client import SqliteClient, SqliteClientWithRegexpSupport
from tortoise.backends.sqlite.executor import SqliteExecutor

from models.reading import FastSelect


class Executor(FastSelect, SqliteExecutor):
    pass


class Client(SqliteClient):
    executor_class = Executor


class ClientWithRegexpSupport(SqliteClientWithRegexpSupport):
    executor_class = Executor


client_class = Client


def get_client_class(db_info: dict[str, Any]) -> type[SqliteClient]:
    if db_info.get("credentials", {}).get("install_regexp_functions"):
        return ClientWithRegexpSupport
    return Client
