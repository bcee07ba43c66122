"""`python main.py import-institutions FILE.csv [--dry-run] --as EMAIL [--language de|fr]`
for canton staff.

The report goes to stdout in the operator's language, the progress to stderr; the exit status
is 1 when a row has a problem (a real run then writes nothing) and 2 when the import cannot
start.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn, TextIO

from i18n import Language, Text, _, translate
from i18n.negotiation import negotiate
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


def operators_language(env: Mapping[str, str]) -> Language:
    """From the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`, e.g. `fr_CH.UTF-8`); German otherwise."""
    chosen = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG") or ""
    return negotiate(chosen.split(".")[0].replace("_", "-"))


async def run(
    path: Path, *, acting_as: str, dry_run: bool, settings: Settings, language: Language
) -> None:
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
    except (sheet.SheetError, importer.ImportRefused) as refused:
        fail(path, refused.text, language)
    except OSError as unreadable:
        fail(path, unreadable.strerror or type(unreadable).__name__, language)
    for line in report_lines(path, read, report, seconds=time.monotonic() - started):
        print(translate(line, language))
    if report.problems:
        raise SystemExit(1)


def fail(path: Path, reason: Text | str, language: Language) -> NoReturn:
    said = _("import-institutions: {path}: {reason}", path=str(path), reason=reason)
    print(translate(said, language), file=sys.stderr)
    raise SystemExit(2)


def report_lines(
    path: Path, read: sheet.Sheet, report: importer.Report, *, seconds: float
) -> list[Text]:
    lines = [
        _(
            "{path}: {rows} rows, separated by «{delimiter}»",
            path=str(path),
            rows=report.rows,
            delimiter=read.delimiter,
        )
    ]
    lines += [_("problem: {problem}", problem=said(p, read)) for p in report.problems]
    lines += [_("note: {note}", note=said(n, read)) for n in report.notes]
    counts = _(
        "sponsors registered {sponsors}, reused {reused}; institutions registered "
        "{institutions}, skipped {skipped} (already imported); invitation mails queued {mails}",
        sponsors=report.sponsors_registered,
        reused=report.sponsors_reused,
        institutions=report.institutions_registered,
        skipped=report.institutions_skipped,
        mails=report.mails_queued,
    )
    if report.written:
        lines.append(
            _("imported in {seconds} s: {counts}.", seconds=f"{seconds:.1f}", counts=counts)
        )
    elif report.problems:
        lines.append(
            _(
                "{count} problem(s); nothing was written. A run would give: {counts}.",
                count=len(report.problems),
                counts=counts,
            )
        )
    else:
        lines.append(_("dry run, nothing was written. A run would give: {counts}.", counts=counts))
    return lines


def said(problem: sheet.Problem, read: sheet.Sheet) -> Text:
    """The problem with its line and the column as the file names it."""
    if problem.column is None:
        return _("line {line}: {problem}", line=problem.line, problem=problem.text)
    return _(
        "line {line}: {column}: {problem}",
        line=problem.line,
        column=read.label(problem.column),
        problem=problem.text,
    )
