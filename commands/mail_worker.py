"""`mail-worker`: only deliver queued mail, until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import signal

from mailer.worker import MailWorker


async def deliver_until_stopped(worker: MailWorker) -> None:
    """Runs the worker until SIGTERM or SIGINT, then stops it the way `serve` does: the message
    in hand is finished and the other claimed ones are released at once."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)
    async with worker.running():
        await stop.wait()
