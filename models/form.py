"""Checking input field by field, so every problem is reported at once and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from i18n import Text
from models.errors import FieldErrorCode, FieldProblem, Invalid, InvalidInput

T = TypeVar("T")


class Form:
    def __init__(self) -> None:
        self.errors: dict[str, FieldProblem] = {}

    def check(self, field: str, clean: Callable[[], T]) -> T:
        """`clean` returns the cleaned value or raises `Invalid` with a code and a text."""
        try:
            return clean()
        except Invalid as invalid:
            self.errors[field] = invalid.problem
            return None  # type: ignore[return-value]  # never used: `done()` raises first

    def fail(self, field: str, code: FieldErrorCode, text: Text) -> None:
        self.errors[field] = FieldProblem(code, text)

    def done(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)
