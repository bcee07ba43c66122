"""`mail-worker`: deliver queued mail and keep house, until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import signal

from mailer.worker import MailWorker
from models import housekeeping
from settings import Retention


async def deliver_until_stopped(worker: MailWorker, retention: Retention) -> None:
    """Runs the worker and the housekeeping until SIGTERM or SIGINT, then stops them the way
    `serve` does: the message in hand is finished and the other claimed ones are released."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)
    async with worker.running(), housekeeping.running(retention):
        await stop.wait()
