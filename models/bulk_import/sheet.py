"""Reading the spreadsheet: UTF-8 (with or without BOM), `;` or `,`, one institution a row, the
columns named in English, German or French.

Only what the registration operations cannot take as text is parsed here (care type, date,
language); names and e-mail addresses are checked by the registration itself.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from i18n import Text, _
from models import email, text
from models.errors import Invalid
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
HEADERS = {  # besides the English names above; compared without case, accents and punctuation
    "sponsor_name": (
        "Trägerschaft", "Traegerschaft", "Name der Trägerschaft", "Organisme responsable",
        "Nom de l'organisme responsable",
    ),
    "sponsor_admin_email": (
        "E-Mail Admin Trägerschaft", "E-Mail Admin Traegerschaft",
        "E-mail admin organisme responsable",
    ),
    "institution_name": ("Institution", "Name der Institution", "Nom de l'institution"),
    "care_type": ("Betreuungsangebot", "Angebot", "Offre de prise en charge", "Offre"),
    "vouchers_from": (
        "Gutscheine ab", "Betreuungsgutscheine ab", "Betreuungsgutscheine akzeptieren ab",
        "Bons dès", "Bons de garde dès", "Bons de garde acceptés à partir du",
    ),
    "institution_admin_email": ("E-Mail Admin Institution", "E-mail admin institution"),
    "language": ("Sprache", "Langue"),
}  # fmt: skip
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
LANGUAGES = {
    **dict.fromkeys(("de", "deutsch", "allemand"), Language.DE),
    **dict.fromkeys(("fr", "francais", "franzosisch"), Language.FR),
}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


class SheetError(ValueError):
    """The file cannot be read as a whole (encoding, header); nothing is imported."""

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


@dataclass(frozen=True)
class Problem:
    line: int
    text: Text
    column: str | None = None  # the column's English name

    def __str__(self) -> str:
        column = f"{self.column}: " if self.column else ""
        return f"line {self.line}: {column}{self.text}"


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
    labels: dict[str, str] = field(default_factory=dict)  # English name → the file's header

    def label(self, column: str) -> str:
        return self.labels.get(column, column)


def read(path: Path) -> Sheet:
    content = _decoded(path.read_bytes())
    header_line = content.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    rows = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    header = next(rows, [])
    columns = _columns(header)
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
    labels = {name: typed.strip() for name, typed in zip(columns, header, strict=False) if name}
    return Sheet(entries, problems, delimiter, count, labels)


def _decoded(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SheetError(
            _("line {line}: the file is not UTF-8; in Excel save it as «CSV UTF-8»", line=line)
        ) from None


def _columns(header: list[str]) -> list[str]:
    names = [NAMES.get(_key(typed), _key(typed) and f"?{typed.strip()}") for typed in header]
    unknown = [name[1:] for name in names if name.startswith("?")]
    missing = [name for name in REQUIRED if name not in names]
    if unknown or missing:
        raise SheetError(
            _(
                "line 1: the header must name the columns {columns} (or their German or French "
                "names); unknown: {unknown}; missing: {missing}",
                columns=", ".join(COLUMNS),
                unknown=", ".join(unknown) or "–",
                missing=", ".join(missing) or "–",
            )
        )
    return names


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.folded(header))


NAMES = {_key(name): name for name in COLUMNS} | {
    _key(alias): name for name, aliases in HEADERS.items() for alias in aliases
}


def _entry(line: int, columns: list[str], values: list[str]) -> Entry | list[Problem]:
    if len(values) > len(columns) and any(v.strip() for v in values[len(columns) :]):
        too_many = _(
            "{count} values, but the header names {columns}",
            count=len(values),
            columns=len(columns),
        )
        return [Problem(line, too_many)]
    cell = {name: value.strip() for name, value in zip(columns, values, strict=False) if name}
    found: list[Problem] = []
    care_type = _care_type(line, cell.get("care_type", ""), found)
    vouchers_from = _date(line, cell.get("vouchers_from", ""), found)
    language = _language(line, cell.get("language", ""), found)
    if cell.get("sponsor_admin_email") and not cell.get("sponsor_name"):
        found.append(Problem(line, _("given, but no sponsor is named"), "sponsor_admin_email"))
    if found:
        # The row is not registered, so the registration's own checks are run here to
        # report everything about it at once.
        return found + _registration_checks(line, cell)
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


def _registration_checks(line: int, cell: dict[str, str]) -> list[Problem]:
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
        except Invalid as invalid:
            found.append(Problem(line, invalid.problem.text, column))
    return found


def _care_type(line: int, value: str, found: list[Problem]) -> CareType | None:
    kind = CARE_TYPES.get(re.sub(r"[\s'-]+", "_", text.folded(value)))
    if kind is None:
        names = ", ".join(kind.value for kind in CareType)
        wrong = _(
            "«{value}» is not one of {names} (or Kita, Tagesschule, …)", value=value, names=names
        )
        found.append(Problem(line, wrong, "care_type"))
    return kind


def _date(line: int, value: str, found: list[Problem]) -> date | None:
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(value, form).date()
        except ValueError:
            continue
    wrong = _("«{value}» is not a date like 01.08.2025 or 2025-08-01", value=value)
    found.append(Problem(line, wrong, "vouchers_from"))
    return None


def _language(line: int, value: str, found: list[Problem]) -> Language | None:
    if not value:
        return None
    language = LANGUAGES.get(text.folded(value))
    if language is None:
        wrong = _("«{value}» is neither DE nor FR (empty: both)", value=value)
        found.append(Problem(line, wrong, "language"))
    return language
