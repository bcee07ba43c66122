"""The delivery worker: claims due messages, sends them outside any transaction, records how
each went. At least once: a worker that dies between the server's acceptance and the record
leaves the message to be sent again when its lease ends (same Message-ID)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from mailer import ledger, schedule
from mailer.outbox import OutboxMessage
from mailer.redact import mask
from mailer.transport import SEND_TIMEOUT_SECONDS, Outcome, SmtpTransport, Verdict, compose
from settings import Settings, SmtpSettings

log = logging.getLogger("kibon.mail")
POLL_SECONDS = 1.0
BATCH_SIZE = 20
LEASE = timedelta(minutes=2)
STOP_GRACE_SECONDS = SEND_TIMEOUT_SECONDS + 5
CHORE_INTERVAL = timedelta(minutes=1)
Chore = Callable[[datetime], Awaitable[int]]  # queues mail that is due at that moment


def utc_now() -> datetime:
    return datetime.now(UTC)


class MailWorker:
    def __init__(
        self,
        settings: Settings,
        *,
        smtp: SmtpSettings,
        now: Callable[[], datetime] = utc_now,
        batch_size: int = BATCH_SIZE,
        lease: timedelta = LEASE,
        chores: tuple[Chore, ...] = (),
    ) -> None:
        self.settings = settings
        self.smtp = smtp
        self.now = now
        self.batch_size = batch_size
        self.lease = lease
        self.name = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid4().hex[:8]}"
        self.sent = 0
        self.chores = chores  # the domain's, handed in: the mail knows no domain
        self._chores_due_at: datetime | None = None
        self._stopping = asyncio.Event()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Delivers in the background while the block runs; on leaving it, finishes the
        message in hand (or gives up after a grace period) and releases the rest."""
        task = asyncio.create_task(self.run_forever(), name=f"mail-worker {self.name}")
        try:
            yield
        finally:
            self._stopping.set()
            try:
                await asyncio.wait_for(task, STOP_GRACE_SECONDS)
            except TimeoutError:
                log.warning("mail worker did not stop in time; it was cancelled")

    async def run_forever(self) -> None:
        try:
            while not self._stopping.is_set():
                if not await self._round():
                    await self._idle()
        finally:
            await self._release_all()

    async def _round(self) -> int:
        try:
            return await self.deliver_due()
        except Exception:  # a failing round (database away, a bug) must not end delivery
            log.exception("mail delivery round failed")
            return 0

    async def _idle(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), POLL_SECONDS)

    async def deliver_due(self) -> int:
        """One round: run the chores that queue mail (at most every `CHORE_INTERVAL`), claim a
        batch, send it over one connection, record each outcome. Returns how many messages it
        handled (0: nothing was due)."""
        await self._run_chores()
        claimed_at = self.now()
        batch = await ledger.claim(
            worker=self.name, now=claimed_at, lease=self.lease, limit=self.batch_size
        )
        transport = SmtpTransport(self.smtp)
        try:
            for index, message in enumerate(batch):
                if not self._may_start_another(lease_ends=claimed_at + self.lease):
                    await ledger.release(worker=self.name, ids=[m.id for m in batch[index:]])
                    break
                await self._deliver(message, transport)
        finally:
            await transport.close()
        return len(batch)

    async def _run_chores(self) -> None:
        now = self.now()
        if self._chores_due_at is not None and now < self._chores_due_at:
            return
        self._chores_due_at = now + CHORE_INTERVAL
        for chore in self.chores:
            queued = await chore(now)
            if queued:
                log.info("%s queued %d mail(s)", getattr(chore, "__qualname__", "a chore"), queued)

    def _may_start_another(self, *, lease_ends: datetime) -> bool:
        # a send that could outlast the lease might overlap with another worker's claim
        enough_lease = self.now() + timedelta(seconds=SEND_TIMEOUT_SECONDS) < lease_ends
        return enough_lease and not self._stopping.is_set()

    async def _deliver(self, message: OutboxMessage, transport: SmtpTransport) -> None:
        started = self.now()
        try:
            mail = compose(message, sender=self.settings.mail_from)
            outcome = await transport.deliver(mail, recipient=message.recipient)
        except Exception as error:  # a bug for this one message must not stop the others
            log.exception("mail %s: unexpected error while sending", message.message_id)
            outcome = Outcome(Verdict.RETRY, f"internal error: {type(error).__name__}")
        await self._record(message, outcome, started=started)

    async def _record(self, message: OutboxMessage, outcome: Outcome, *, started: datetime) -> None:
        attempt = ledger.Attempt(
            worker=self.name,
            number=message.attempts + 1,
            first_at=message.first_attempt_at or started,
        )
        retry_at = None
        if outcome.verdict is Verdict.RETRY:
            retry_at = schedule.next_attempt(
                attempt=attempt.number, first_attempt_at=attempt.first_at, now=started
            )
        if outcome.verdict is Verdict.SENT:
            self.sent += 1
            kept = await ledger.record_sent(message, attempt=attempt, at=self.now())
        elif retry_at is not None:
            kept = await ledger.record_retry(
                message, attempt=attempt, retry_at=retry_at, error=outcome.reason
            )
        else:
            kept = await ledger.record_failed(message, attempt=attempt, error=outcome.reason)
        self._log(message, attempt=attempt.number, outcome=outcome, retry_at=retry_at, kept=kept)

    def _log(
        self,
        message: OutboxMessage,
        *,
        attempt: int,
        outcome: Outcome,
        retry_at: datetime | None,
        kept: bool,
    ) -> None:
        verdict = "SENT" if outcome.verdict is Verdict.SENT else ("RETRY" if retry_at else "FAILED")
        level = logging.INFO if verdict == "SENT" else logging.WARNING
        log.log(
            level,
            "mail %s to %s attempt %d: %s%s%s%s",
            message.message_id,
            mask(message.recipient),
            attempt,
            verdict,
            f" ({outcome.reason})" if outcome.reason else "",
            f", next at {retry_at.isoformat(timespec='seconds')}" if retry_at else "",
            "" if kept else " — not recorded: the lease ran out and another worker has it",
        )

    async def _release_all(self) -> None:
        try:
            released = await ledger.release(worker=self.name)
        except Exception:  # the leases end by themselves; stopping must not fail on this
            log.exception("could not release claimed mail on stop")
            return
        if released:
            log.info("released %d claimed mail(s) on stop", released)
