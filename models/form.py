"""Checking input field by field, so every problem is reported at once and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from models.errors import InvalidInput

T = TypeVar("T")


class Form:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def check(self, field: str, clean: Callable[[], T]) -> T:
        """`clean` returns the cleaned value or raises ValueError with a message for people."""
        try:
            return clean()
        except ValueError as problem:
            self.errors[field] = str(problem)
            return None  # type: ignore[return-value]  # never used: `done()` raises first

    def fail(self, field: str, message: str) -> None:
        self.errors[field] = message

    def done(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)
