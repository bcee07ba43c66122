"""PostgreSQL through asyncpg (`tortoise.backends.asyncpg`), reading rows by `models.reading`."""

from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.asyncpg.executor import AsyncpgExecutor

from models.reading import FastSelect


class Executor(FastSelect, AsyncpgExecutor):
    pass


class Client(AsyncpgDBClient):
    executor_class = Executor


client_class = Client
