"""Bulk onboarding from CSV files: the registrations' own rules and mails, problems by line
before anything is written, idempotent re-runs."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

from commands.import_institutions import operators_language, report_lines
from i18n import Language, translate
from mailer.outbox import OutboxMessage
from models.audit import AuditEvent
from models.bulk_import import importer, sheet
from models.institution import CareType, Institution, InstitutionStatus
from models.invitation import Invitation
from models.role import Role
from models.sponsor import Sponsor, SponsorStatus
from models.user import User, UserStatus
from tests.support import database
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.flows import POLICY

ROOT = Path(__file__).resolve().parents[1]
HEADER = (
    "sponsor_name;sponsor_admin_email;institution_name;care_type;vouchers_from;"
    "institution_admin_email;language"
)


def write(tmp_path: Path, *rows: str, header: str = HEADER, bom: bool = False) -> Path:
    path = tmp_path / "institutions.csv"
    path.write_text(("\ufeff" if bom else "") + "\n".join([header, *rows]) + "\n", "utf-8")
    return path


def ignore_progress(phase: str, done: int, total: int) -> None:
    pass


async def run(
    path: Path, *, dry_run: bool = False, acting_as: str | None = None
) -> importer.Report:
    if acting_as is None:
        acting_as = (await make_user(Role.CANTON_CLERK)).email
    return await importer.import_institutions(
        sheet.read(path),
        acting_as=acting_as,
        policy=POLICY,
        dry_run=dry_run,
        progress=ignore_progress,
    )


def lines(report: importer.Report) -> list[str]:
    return [str(problem) for problem in report.problems]


async def test_a_sheet_registers_sponsors_and_institutions_and_queues_their_invitations(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "Kitas Bärn;anna@kitas-baern.ch;Kita Sunneschyn;Kita;01.08.2025;beat@kitas-baern.ch;DE",
        "Kitas Bärn;anna@kitas-baern.ch;Kita Mond;DAYCARE_CENTER;2025-08-01;carla@kitas-baern.ch;",
        ";;Ferieninsel Thun;Ferieninsel;1.1.2026;dora@thun.ch;fr",
    )

    report = await run(path)

    assert (report.problems, report.written) == ([], True)
    assert (report.sponsors_registered, report.institutions_registered) == (1, 3)
    sponsor = await Sponsor.get(name="Kitas Bärn")
    mond = await Institution.get(name="Kita Mond")
    thun = await Institution.get(name="Ferieninsel Thun")
    assert (mond.sponsor_id, mond.care_type, thun.sponsor_id) == (
        sponsor.id,
        "DAYCARE_CENTER",
        None,
    )
    invited = {u.email: (u.role, u.status) for u in await User.filter(status=UserStatus.INVITED)}
    assert invited == {
        "anna@kitas-baern.ch": (Role.SPONSOR_ADMIN, UserStatus.INVITED),
        "beat@kitas-baern.ch": (Role.INSTITUTION_ADMIN, UserStatus.INVITED),
        "carla@kitas-baern.ch": (Role.INSTITUTION_ADMIN, UserStatus.INVITED),
        "dora@thun.ch": (Role.INSTITUTION_ADMIN, UserStatus.INVITED),
    }
    assert report.mails_queued == await OutboxMessage.all().count() == 4
    assert (await OutboxMessage.get(recipient="dora@thun.ch")).subject.endswith("à coopérer")


async def test_the_sponsors_admin_named_for_an_institution_is_invited_to_activate_it(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path, "Kitas Bärn;anna@kitas-baern.ch;Kita Mond;Kita;01.08.2025;anna@kitas-baern.ch;"
    )

    await run(path)

    anna = await User.get(email_key="anna@kitas-baern.ch")
    invitations = await Invitation.filter(user_id=anna.id).order_by("id")
    assert anna.role == Role.SPONSOR_ADMIN
    assert [(i.role, i.institution_id is not None) for i in invitations] == [
        (Role.SPONSOR_ADMIN, False),
        (Role.SPONSOR_ADMIN, True),
    ]


async def test_a_dry_run_reports_every_problem_by_line_and_writes_nothing(tmp_path: Path) -> None:
    await make_user(Role.INSTITUTION_ADMIN, email="taken@kita.ch")
    path = write(
        tmp_path,
        "Kitas Bärn;anna@kitas-baern.ch;Kita Mond;Kita;01.08.2025;beat@kitas-baern.ch;",
        ";;Kita Stern;Kindergarten;32.01.2025;no-address;EN",
        "Kitas Bärn;;Kita Sonne;Kita;01.08.2025;taken@kita.ch;",
        "Kitas Bärn;;Kita Alt;Kita;01.08.1999;eva@kitas-baern.ch;",
        "Andere;x@y.ch;Kita Leer;Kita;01.08.2025;beat@kitas-baern.ch;",
    )

    report = await run(path, dry_run=True)

    assert lines(report) == [
        "line 3: care_type: «Kindergarten» is not one of DAYCARE_CENTER, DAY_FAMILY, "
        "DAY_SCHOOL, HOLIDAY_CARE (or Kita, Tagesschule, …)",
        "line 3: vouchers_from: «32.01.2025» is not a date like 01.08.2025 or 2025-08-01",
        "line 3: language: «EN» is neither DE nor FR (empty: both)",
        "line 3: institution_admin_email: This is not a valid e-mail address, e.g. "
        "anna.muster@kita-sonne.ch.",
        "line 4: institution_admin_email: This e-mail address already belongs to another account.",
        "line 5: vouchers_from: Must be between 01.01.2000 and 31.12.2100.",
        "line 6: institution_admin_email: This e-mail address already belongs to another account.",
    ]
    assert report.written is False
    assert await Sponsor.all().count() == 0
    assert await Institution.all().count() == 0
    assert await OutboxMessage.all().count() == 0
    assert await AuditEvent.all().count() == 0


async def test_a_real_run_with_a_problem_writes_nothing_at_all(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Kitas Bärn;anna@kitas-baern.ch;Kita Mond;Kita;01.08.2025;beat@kitas-baern.ch;",
        "Kitas Bärn;;Kita Stern;Kita;01.08.2025;not an address;",
    )

    report = await run(path)

    assert lines(report) == [
        "line 3: institution_admin_email: This is not a valid e-mail address, e.g. "
        "anna.muster@kita-sonne.ch."
    ]
    assert (report.written, await Institution.all().count()) == (False, 0)


async def test_a_rerun_skips_what_was_imported_and_sends_no_mail_twice(tmp_path: Path) -> None:
    rows = [
        "Kitas Bärn;anna@kitas-baern.ch;Kita Mond;Kita;01.08.2025;beat@kitas-baern.ch;",
        ";;Ferieninsel Thun;Ferieninsel;01.01.2026;dora@thun.ch;",
    ]
    await run(write(tmp_path, *rows))

    again = await run(
        write(tmp_path, *rows, "Kitas Bärn;;kita  MOND;Kita;01.08.2025;x@kitas-baern.ch;")
    )

    assert again.problems == []
    assert (again.sponsors_reused, again.institutions_skipped, again.mails_queued) == (1, 3, 0)
    assert await Institution.all().count() == 2
    assert await OutboxMessage.all().count() == 3


async def test_an_existing_sponsor_is_reused_and_another_admin_address_is_noted(
    tmp_path: Path,
) -> None:
    sponsor = await make_sponsor(name="Kitas Bärn")
    path = write(
        tmp_path, "kitas bärn;neu@kitas-baern.ch;Kita Mond;Kita;01.08.2025;beat@kitas-baern.ch;"
    )

    report = await run(path)

    assert (report.sponsors_registered, report.sponsors_reused) == (0, 1)
    assert (await Institution.get(name="Kita Mond")).sponsor_id == sponsor.id
    assert [str(note) for note in report.notes] == [
        "line 2: the sponsor «Kitas Bärn» exists; neu@kitas-baern.ch is not its admin and was "
        "not invited (invite further admins with inviteUser)"
    ]
    assert not await User.exists(email_key="neu@kitas-baern.ch")


async def test_a_withdrawn_sponsors_name_registers_a_new_sponsor_and_nothing_goes_into_it(
    tmp_path: Path,
) -> None:
    withdrawn = await make_sponsor(name="Kitas Bärn")
    withdrawn.set_status(SponsorStatus.WITHDRAWN)
    await withdrawn.save()
    path = write(
        tmp_path, "Kitas Bärn;neu@kitas-baern.ch;Kita Mond;Kita;01.08.2025;beat@kitas-baern.ch;"
    )

    report = await run(path)

    assert (report.sponsors_registered, report.sponsors_reused) == (1, 0)
    placed = await Institution.get(name="Kita Mond")
    assert placed.sponsor_id != withdrawn.id
    assert not await Institution.exists(sponsor_id=withdrawn.id)


async def test_a_withdrawn_institution_is_imported_again_not_skipped(tmp_path: Path) -> None:
    await make_institution(name="Kita Mond", status=InstitutionStatus.WITHDRAWN)
    path = write(tmp_path, ";;Kita Mond;Kita;01.08.2025;leitung@kita-mond.ch;")

    report = await run(path)

    assert (report.institutions_registered, report.institutions_skipped) == (1, 0)
    assert await Institution.filter(name="Kita Mond").count() == 2


async def test_a_comma_separated_file_with_a_bom_and_crlf_is_read(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(
        "\ufeffInstitution_Name,Care Type,vouchers_from,institution_admin_email\r\n"
        '"Kita ""Sonne"", Bern",Tagesschule,2025-08-01,eva@schule.ch\r\n'
        ",,,\r\n".encode()
    )

    read = sheet.read(path)

    assert (read.delimiter, read.rows, read.problems) == (",", 1, [])
    assert (read.entries[0].institution_name, read.entries[0].care_type) == (
        'Kita "Sonne", Bern',
        CareType.DAY_SCHOOL,
    )


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes((HEADER + "\n;;Kita Bärn;Kita;01.08.2025;a@b.ch;\n").encode("cp1252"))

    with pytest.raises(sheet.SheetError, match="line 2: the file is not UTF-8"):
        sheet.read(path)


def test_an_unknown_column_is_refused_before_any_row_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, header=HEADER.replace("institution_admin_email", "admin"))

    with pytest.raises(sheet.SheetError, match="unknown: admin; missing: institution_admin_email"):
        sheet.read(path)


async def test_only_an_active_canton_account_may_import(tmp_path: Path) -> None:
    sponsor_admin = await make_user(Role.SPONSOR_ADMIN, sponsor=await make_sponsor())
    path = write(tmp_path, ";;Kita Mond;Kita;01.08.2025;beat@kita.ch;")

    with pytest.raises(importer.ImportRefused, match="no active canton account"):
        await run(path, acting_as=sponsor_admin.email)

    assert await Institution.all().count() == 0


async def test_the_import_is_recorded_in_the_audit_trail_as_one_run(tmp_path: Path) -> None:
    clerk = await make_user(Role.CANTON_CLERK)
    path = write(
        tmp_path,
        "Kitas Bärn;anna@kitas-baern.ch;Kita Mond;Kita;01.08.2025;beat@kitas-baern.ch;",
        "Kitas Bärn;;Kita Stern;Kita;01.08.2025;carla@kitas-baern.ch;",
    )

    await run(path, acting_as=clerk.email)

    events = await AuditEvent.all().order_by("id")
    assert [event.action for event in events] == [
        "sponsor.registered",
        "institution.registered",
        "institution.registered",
    ]
    assert {event.actor_id for event in events} == {clerk.id}
    assert len({event.request_id for event in events}) == 1
    assert events[0].request_id
    assert events[0].request_id.startswith("import-")


async def test_the_command_line_reports_by_line_and_exits_with_a_status(
    tmp_path: Path, database_url: str
) -> None:
    clerk = await make_user(Role.CANTON_CLERK)
    good = write(tmp_path, ";;Kita Mond;Kita;01.08.2025;beat@kita.ch;")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n;;Kita Stern;Kita;someday;eva@kita.ch;\n", "utf-8")

    dry = await command(
        "import-institutions",
        str(good),
        "--dry-run",
        "--as",
        clerk.email,
        "--language",
        "fr",
        database_url=database_url,
    )
    refused = await command(
        "import-institutions",
        str(bad),
        "--as",
        clerk.email,
        database_url=database_url,
        locale="fr_CH.UTF-8",
    )
    done = await command(
        "import-institutions", str(good), "--as", clerk.email, database_url=database_url
    )

    assert dry[0] == 0
    assert "essai à blanc, rien n'a été enregistré." in dry[1]
    assert refused[0] == 1
    assert "problème : ligne 2 : vouchers_from : « someday » n'est pas une date" in refused[1]
    assert done[0] == 0
    assert "Einladungs-E-Mails bereitgestellt 1." in done[1]  # C.UTF-8: German
    assert await Institution.filter(name="Kita Mond").count() == 1


async def test_german_and_french_headers_are_read_and_problems_name_the_files_columns(
    tmp_path: Path,
) -> None:
    german = write(
        tmp_path,
        "Kitas Bärn;anna@kitas-baern.ch;Kita Sonne;Kita;01.08.2025;beat@kitas-baern.ch;DE",
        ";;Kita Stern;Kita;irgendwann;eva@kita.ch;",
        header="Trägerschaft;E-Mail Admin Trägerschaft;Institution;Betreuungsangebot;"
        "Gutscheine ab;E-Mail Admin Institution;Sprache",
    )
    french = tmp_path / "fr.csv"
    french.write_text(
        "Organisme responsable,E-mail admin organisme responsable,Nom de l'institution,"
        "Offre de prise en charge,Bons dès,E-mail admin institution,Langue\n"
        "Crèches Bienne,anne@creches.ch,Crèche Soleil,Kita,01.08.2025,lea@creches.ch,FR\n",
        "utf-8",
    )

    read = sheet.read(german)
    report = await run(french)

    assert [(p.line, p.column) for p in read.problems] == [(3, "vouchers_from")]
    assert read.label("vouchers_from") == "Gutscheine ab"
    assert [entry.sponsor_name for entry in read.entries] == ["Kitas Bärn"]
    assert (report.problems, report.institutions_registered) == ([], 1)
    assert (await Institution.get(name="Crèche Soleil")).sponsor_id is not None


async def test_the_report_is_written_in_the_operators_language(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ";;Kita Stern;Kita;irgendwann;eva@kita.ch;",
        header="Trägerschaft;E-Mail Admin Trägerschaft;Institution;Betreuungsangebot;"
        "Gutscheine ab;E-Mail Admin Institution;Sprache",
    )
    read = sheet.read(path)
    report = await run(path, dry_run=True)

    said = {
        language: [
            translate(line, language) for line in report_lines(path, read, report, seconds=0)
        ]
        for language in Language
    }

    assert said[Language.DE][1] == (
        "Problem: Zeile 2: Gutscheine ab: «irgendwann» ist kein Datum wie 01.08.2025 oder "
        "2025-08-01"
    )
    assert said[Language.FR][1] == (
        "problème : ligne 2 : Gutscheine ab : « irgendwann » n'est pas une date comme "
        "01.08.2025 ou 2025-08-01"
    )
    assert said[Language.FR][-1].startswith("1 problème(s) ; rien n'a été enregistré.")


@pytest.mark.parametrize(
    ("environment", "language"),
    [
        ({"LANG": "fr_CH.UTF-8"}, Language.FR),
        ({"LC_ALL": "de_CH.UTF-8", "LANG": "fr_CH.UTF-8"}, Language.DE),
        ({"LC_MESSAGES": "fr_FR"}, Language.FR),
        ({"LANG": "C.UTF-8"}, Language.DE),
        ({}, Language.DE),
    ],
)
def test_the_operators_language_comes_from_the_locale_else_german(
    environment: dict[str, str], language: Language
) -> None:
    assert operators_language(environment) is language


async def command(*args: str, database_url: str, locale: str = "C.UTF-8") -> tuple[int, str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"LC_ALL", "LC_MESSAGES"}}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "main.py",
        *args,
        cwd=ROOT,
        env=environment
        | {"KIBON_DATABASE_URL": database_url, "KIBON_DEV_LOGIN": "1", "LANG": locale},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_a_thousand_rows_import_in_well_under_a_minute(tmp_path: Path) -> None:
    rows = [
        f"Trägerschaft {n // 20};admin{n // 20}@traeger{n // 20}.ch;Kita {n};Kita;01.08.2025;"
        f"leiterin{n}@kita{n}.ch;"
        for n in range(1000)
    ]
    path = write(tmp_path, *rows)
    started = time.monotonic()

    report = await run(path)

    seconds = time.monotonic() - started
    print(f"\n1,000 rows on {database.backend()}: {seconds:.1f} s, {report.mails_queued} mails")
    assert report.problems == []
    assert (report.sponsors_registered, report.institutions_registered) == (50, 1000)
    assert report.mails_queued == await OutboxMessage.all().count() == 1050
    assert seconds < 60
