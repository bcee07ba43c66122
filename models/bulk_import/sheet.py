"""Reading the spreadsheet: UTF-8 (with or without BOM), `;` or `,`, one institution a row.

Only what the registration operations cannot take as text is parsed here (care type, date,
language); names and e-mail addresses are checked by the registration itself.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from models import email, text
from models.institution import CareType
from models.user import Language

COLUMNS = (
    "sponsor_name",
    "sponsor_admin_email",
    "institution_name",
    "care_type",
    "vouchers_from",
    "institution_admin_email",
    "language",
)
REQUIRED = ("institution_name", "care_type", "vouchers_from", "institution_admin_email")
CARE_TYPES = {
    **{kind.value.lower(): kind for kind in CareType},
    "kita": CareType.DAYCARE_CENTER,
    "krippe": CareType.DAYCARE_CENTER,
    "creche": CareType.DAYCARE_CENTER,
    "tagesfamilienorganisation": CareType.DAY_FAMILY,
    "tagesfamilie": CareType.DAY_FAMILY,
    "tfo": CareType.DAY_FAMILY,
    "famille_de_jour": CareType.DAY_FAMILY,
    "tagesschule": CareType.DAY_SCHOOL,
    "ecole_a_journee_continue": CareType.DAY_SCHOOL,
    "ferieninsel": CareType.HOLIDAY_CARE,
}
LANGUAGES = {"de": Language.DE, "deutsch": Language.DE, "fr": Language.FR, "francais": Language.FR}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


class SheetError(ValueError):
    """The file cannot be read as a whole (encoding, header); nothing is imported."""


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Entry:
    line: int
    sponsor_name: str
    sponsor_admin_email: str
    institution_name: str
    care_type: CareType
    vouchers_from: date
    institution_admin_email: str
    language: Language | None


@dataclass(frozen=True)
class Sheet:
    entries: list[Entry]
    problems: list[Problem]
    delimiter: str
    rows: int


def read(path: Path) -> Sheet:
    content = _decoded(path.read_bytes())
    header_line = content.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    rows = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    columns = _columns(next(rows, []))
    entries: list[Entry] = []
    problems: list[Problem] = []
    count = 0
    line = rows.line_num + 1
    for values in rows:
        if any(value.strip() for value in values):
            count += 1
            parsed = _entry(line, columns, values)
            if isinstance(parsed, Entry):
                entries.append(parsed)
            else:
                problems += parsed
        line = rows.line_num + 1
    return Sheet(entries, problems, delimiter, count)


def _decoded(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SheetError(
            f"line {line}: the file is not UTF-8; in Excel save it as 'CSV UTF-8'"
        ) from None


def _columns(header: list[str]) -> list[str]:
    names = [re.sub(r"[\s-]+", "_", name.strip().lower()) for name in header]
    unknown = [name for name in names if name and name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in names]
    if unknown or missing:
        raise SheetError(
            "line 1: the header must name the columns "
            + ", ".join(COLUMNS)
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
            + (f"; missing: {', '.join(missing)}" if missing else "")
        )
    return names


def _entry(line: int, columns: list[str], values: list[str]) -> Entry | list[Problem]:
    if len(values) > len(columns) and any(v.strip() for v in values[len(columns) :]):
        return [Problem(line, f"{len(values)} values, but the header names {len(columns)}")]
    cell = {name: value.strip() for name, value in zip(columns, values, strict=False) if name}
    found: list[str] = []
    care_type = _care_type(cell.get("care_type", ""), found)
    vouchers_from = _date(cell.get("vouchers_from", ""), found)
    language = _language(cell.get("language", ""), found)
    if cell.get("sponsor_admin_email") and not cell.get("sponsor_name"):
        found.append("sponsor_admin_email is given, but no sponsor_name")
    if found:
        # The row is not registered, so the registration's own checks are run here to
        # report everything about it at once.
        found += _registration_checks(cell)
        return [Problem(line, message) for message in found]
    assert care_type is not None
    assert vouchers_from is not None
    return Entry(
        line=line,
        sponsor_name=cell.get("sponsor_name", ""),
        sponsor_admin_email=cell.get("sponsor_admin_email", ""),
        institution_name=cell.get("institution_name", ""),
        care_type=care_type,
        vouchers_from=vouchers_from,
        institution_admin_email=cell.get("institution_admin_email", ""),
        language=language,
    )


def _registration_checks(cell: dict[str, str]) -> list[str]:
    checks: list[tuple[str, Callable[[str], str]]] = [
        ("institution_name", text.clean_name),
        ("institution_admin_email", email.clean),
    ]
    if cell.get("sponsor_name"):
        checks.append(("sponsor_name", text.clean_name))
    found = []
    for column, clean in checks:
        try:
            clean(cell.get(column, ""))
        except ValueError as problem:
            found.append(f"{column}: {problem}")
    return found


def _care_type(value: str, found: list[str]) -> CareType | None:
    kind = CARE_TYPES.get(re.sub(r"[\s'-]+", "_", text.folded(value)))
    if kind is None:
        names = ", ".join(kind.value for kind in CareType)
        found.append(f"care_type: {value!r} is not one of {names} (or Kita, Tagesschule, …)")
    return kind


def _date(value: str, found: list[str]) -> date | None:
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(value, form).date()
        except ValueError:
            continue
    found.append(f"vouchers_from: {value!r} is not a date like 01.08.2025 or 2025-08-01")
    return None


def _language(value: str, found: list[str]) -> Language | None:
    if not value:
        return None
    language = LANGUAGES.get(text.folded(value))
    if language is None:
        found.append(f"language: {value!r} is neither DE nor FR (empty: both)")
    return language
