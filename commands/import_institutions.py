"""`python main.py import-institutions FILE.csv [--dry-run] --as EMAIL` for canton staff.

The report goes to stdout, the progress to stderr; the exit status is 1 when a row has a
problem (a real run then writes nothing) and 2 when the import cannot start.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

from models.bulk_import import importer, sheet
from models.invitation import Policy
from settings import Settings


class ProgressBar:
    """A bar redrawn in place on a terminal; a line per tenth otherwise (logs, CI)."""

    WIDTH = 30

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.terminal = stream.isatty()
        self.shown: tuple[str, int] = ("", -1)

    def __call__(self, phase: str, done: int, total: int) -> None:
        step = done * (self.WIDTH if self.terminal else 10) // max(total, 1)
        if (phase, step) == self.shown:
            return
        self.shown = (phase, step)
        if self.terminal:
            bar = "#" * step + "." * (self.WIDTH - step)
            end = "\n" if done == total else ""
            self.stream.write(f"\r{phase:>9} [{bar}] {done}/{total}{end}")
        else:
            self.stream.write(f"{phase}: {done}/{total} rows\n")
        self.stream.flush()


async def run(path: Path, *, acting_as: str, dry_run: bool, settings: Settings) -> None:
    started = time.monotonic()
    try:
        read = sheet.read(path)
        report = await importer.import_institutions(
            read,
            acting_as=acting_as,
            policy=Policy(portal_url=settings.portal_url, ttl_days=settings.invitation_ttl_days),
            dry_run=dry_run,
            progress=ProgressBar(),
        )
    except (OSError, sheet.SheetError, importer.ImportRefused) as refused:
        print(f"import-institutions: {path}: {refused}", file=sys.stderr)
        raise SystemExit(2) from None
    print_report(path, read, report, seconds=time.monotonic() - started)
    if report.problems:
        raise SystemExit(1)


def print_report(path: Path, read: sheet.Sheet, report: importer.Report, *, seconds: float) -> None:
    print(f"{path}: {report.rows} rows, separated by {read.delimiter!r}")
    for problem in report.problems:
        print(f"problem: {problem}")
    for note in report.notes:
        print(f"note: {note}")
    counts = (
        f"sponsors registered {report.sponsors_registered}, reused {report.sponsors_reused}; "
        f"institutions registered {report.institutions_registered}, "
        f"skipped {report.institutions_skipped} (already imported); "
        f"invitation mails queued {report.mails_queued}"
    )
    if report.written:
        print(f"imported in {seconds:.1f} s: {counts}.")
    elif report.problems:
        print(
            f"{len(report.problems)} problem(s); nothing was written. A run would give: {counts}."
        )
    else:
        print(f"dry run, nothing was written. A run would give: {counts}.")
