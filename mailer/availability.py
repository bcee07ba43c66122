"""One log line when something the worker needs goes away, one when it is back: an outage of
the database or of the relay must not write a traceback every poll."""

from __future__ import annotations

import logging
import time


class Availability:
    def __init__(self, what: str, log: logging.Logger) -> None:
        self.what = what
        self.log = log
        self.down_since: float | None = None

    @property
    def is_down(self) -> bool:
        return self.down_since is not None

    def failed(self, reason: str) -> None:
        if self.down_since is not None:
            return
        self.down_since = time.monotonic()
        self.log.error("%s unavailable (%s); retrying quietly until it answers", self.what, reason)

    def worked(self) -> None:
        if self.down_since is None:
            return
        seconds = time.monotonic() - self.down_since
        self.down_since = None
        self.log.warning("%s available again after %.0f s", self.what, seconds)
