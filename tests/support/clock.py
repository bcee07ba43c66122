"""A clock for the mail worker that tests move forward instead of waiting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Real time plus an offset, so time still flows (rows written with the real clock stay in
    order) and a test can jump hours ahead at once."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, by: timedelta) -> None:
        self.offset += by

    def move_to(self, when: datetime) -> None:
        """From now on the clock reads `when` or a moment later."""
        self.offset = max(self.offset, when - datetime.now(UTC))
