"""Mail delivery throughput: N queued messages delivered into a local SMTP sink by one worker,
then by two.

    python -m bench.mail_throughput [--messages 2000]

Run from the worktree root with PostgreSQL at 127.0.0.1:5432 (BENCH_POSTGRES_URL to
change it). It creates its own database and drops it at the end. Each worker is a real
`python main.py mail-worker` process, as deployed; the sink runs in a process of its own and
counts what arrives. The rate is measured from the first to the last `sent_at`, so process
start-up is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.utils import make_msgid
from multiprocessing.sharedctypes import Synchronized
from uuid import uuid4

import asyncpg
from tortoise import Tortoise
from tortoise.functions import Max, Min
from tortoise.migrations.api import migrate

from bench import sink
from mailer.outbox import DeliveryStatus, OutboxMessage
from mailer.sink import free_port
from settings import tortoise_config
from tests.support.processes import start_mail_worker

POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
TIMEOUT_SECONDS = 600
TEXT = "Guten Tag\n\nSie wurden eingeladen, bei kiBon mitzuarbeiten.\n" * 12
HTML = "<p>Guten Tag</p><p>Sie wurden eingeladen, bei kiBon mitzuarbeiten.</p>\n" * 30


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    name = f"kibon_bench_{uuid4().hex[:12]}"
    admin = await asyncpg.connect(f"{POSTGRES_SERVER}/postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = f"{POSTGRES_SERVER}/{name}"
        config = tortoise_config(url)
        await migrate(config=config)
        await Tortoise.init(config=config, _enable_global_fallback=True)
        try:
            yield url
        finally:
            await Tortoise.close_connections()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def seed(count: int) -> None:
    await OutboxMessage.all().delete()
    now = datetime.now(UTC)
    await OutboxMessage.bulk_create(
        [
            OutboxMessage(
                message_id=make_msgid(domain="kibon.bench"),
                recipient=f"person-{number}@kita-sonne.ch",
                subject=f"Einladung zur Mitarbeit {number}",
                body_text=f"{TEXT}https://portal.kibon.test/invitation#token=bench-{number}\n",
                body_html=HTML,
                next_attempt_at=now,
            )
            for number in range(count)
        ],
        batch_size=500,
    )


async def wait_until_sent(count: int) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while await OutboxMessage.filter(status=DeliveryStatus.SENT).count() < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"not all {count} messages were sent within {TIMEOUT_SECONDS} s")
        await asyncio.sleep(0.1)


async def rate(count: int) -> tuple[float, float]:
    """(messages per second, seconds) from the first to the last `sent_at`."""
    row = await OutboxMessage.annotate(first=Min("sent_at"), last=Max("sent_at")).values(
        "first", "last"
    )
    seconds = (row[0]["last"] - row[0]["first"]).total_seconds()
    return count / seconds, seconds


async def measure(
    *, workers: int, messages: int, database_url: str, smtp_port: int, counters: Counters
) -> str:
    await seed(messages)
    counters.reset()
    cpu_before = _children_cpu_seconds()
    processes = [await start_mail_worker(database_url, smtp_port) for _ in range(workers)]
    try:
        await wait_until_sent(messages)
    finally:
        for process in processes:
            process.terminate()
        await asyncio.gather(*(process.wait() for process in processes))
    per_second, seconds = await rate(messages)
    cpu_ms = (_children_cpu_seconds() - cpu_before) * 1000 / messages
    failed = await OutboxMessage.exclude(status=DeliveryStatus.SENT).count()
    return (
        f"{workers} worker(s): {messages} messages in {seconds:.2f} s = {per_second:,.0f}/s; "
        f"worker CPU {cpu_ms:.1f} ms/message (start-up included); "
        f"sink received {counters.total.value} ({counters.unique.value} distinct), "
        f"not sent: {failed}"
    )


def _children_cpu_seconds() -> float:
    """CPU time of the finished worker processes, which unlike the rate does not depend on
    what else the machine is doing."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Counters:
    def __init__(self, context: multiprocessing.context.SpawnContext) -> None:
        self.total: Synchronized[int] = context.Value("i", 0)
        self.unique: Synchronized[int] = context.Value("i", 0)

    def reset(self) -> None:
        self.total.value = 0
        self.unique.value = 0


async def main(messages: int) -> None:
    context = multiprocessing.get_context("spawn")
    counters, ready, port = Counters(context), context.Event(), free_port()
    server = context.Process(
        target=sink.serve, args=(port, counters.total, counters.unique, ready), daemon=True
    )
    server.start()
    try:
        await asyncio.to_thread(ready.wait, 30)
        async with fresh_database() as url:
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(
                f"PostgreSQL; sink and workers on this machine: {os.cpu_count()} CPUs, load {load}"
            )
            for workers in (1, 2):
                line = await measure(
                    workers=workers,
                    messages=messages,
                    database_url=url,
                    smtp_port=port,
                    counters=counters,
                )
                print(line, flush=True)
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    asyncio.run(main(parser.parse_args().messages))
