"""Registering the rows of a sheet through `models.registration`, the GraphQL mutations' code.

Every run first rehearses the whole import in one transaction that is rolled back: it finds
exactly the problems the real run would meet, and writes nothing. A dry run stops there; a
real run goes on only when the rehearsal found none. Each registration then commits on its
own, and a row already imported (same institution name under the same sponsor) is skipped, so
an interrupted run is simply run again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import uuid4

from tortoise.transactions import in_transaction

from i18n import _
from models import audit, email, registration, text
from models.bulk_import.sheet import Entry, Problem, Sheet
from models.errors import WARNING_TEXTS, DomainError, EmailAlreadyInUse, InvalidInput
from models.institution import listed_at_all
from models.invitation import Policy
from models.role import Role, is_canton
from models.sponsor import Sponsor
from models.user import User, UserStatus

Progress = Callable[[str, int, int], None]
SPONSOR_COLUMNS = {"name": "sponsor_name", "adminEmail": "sponsor_admin_email"}
INSTITUTION_COLUMNS = {
    "name": "institution_name",
    "vouchersFrom": "vouchers_from",
    "adminEmail": "institution_admin_email",
}


class ImportRefused(DomainError):
    """The import cannot start (e.g. the acting account is no canton account)."""


class _RollBack(Exception):
    """Ends the rehearsal's transaction without committing it."""


@dataclass
class Report:
    rows: int = 0
    sponsors_registered: int = 0
    sponsors_reused: int = 0
    institutions_registered: int = 0
    institutions_skipped: int = 0
    mails_queued: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    written: bool = False


@dataclass
class _Run:
    actor: User
    policy: Policy
    report: Report
    sponsors: dict[str, Sponsor | int] = field(default_factory=dict)  # int: line that failed


async def acting_canton_user(address: str) -> User:
    found = await User.get_or_none(email_key=email.normalized(address))
    if found is None or not is_canton(found.role) or found.status != UserStatus.ACTIVE:
        raise ImportRefused(
            _(
                "{address} is no active canton account (SUPER_ADMIN, CANTON_ADMIN, CANTON_CLERK).",
                address=address,
            )
        )
    return found


async def import_institutions(
    sheet: Sheet, *, acting_as: str, policy: Policy, dry_run: bool, progress: Progress
) -> Report:
    """The rehearsal's report (nothing written) if it is a dry run or found problems;
    otherwise the report of the real run."""
    actor = await acting_canton_user(acting_as)
    checked = await rehearse(sheet, actor=actor, policy=policy, progress=progress)
    if dry_run or checked.problems:
        return checked
    return await apply(sheet, actor=actor, policy=policy, progress=progress)


async def rehearse(sheet: Sheet, *, actor: User, policy: Policy, progress: Progress) -> Report:
    outcome: Report | None = None
    try:
        async with in_transaction():
            outcome = await _import(sheet, actor, policy, progress, "checking")
            raise _RollBack
    except _RollBack:
        pass
    assert outcome is not None
    return outcome


async def apply(sheet: Sheet, *, actor: User, policy: Policy, progress: Progress) -> Report:
    report = await _import(sheet, actor, policy, progress, "importing")
    report.written = True
    return report


async def _import(
    sheet: Sheet, actor: User, policy: Policy, progress: Progress, phase: str
) -> Report:
    run = _Run(actor, policy, Report(rows=sheet.rows, problems=list(sheet.problems)))
    # Every audit entry of this run carries the same id, so the trail shows one import.
    marker = audit.request_id.set(f"import-{uuid4().hex[:12]}")
    try:
        for done, entry in enumerate(sheet.entries, 1):
            await _import_row(run, entry)
            progress(phase, done, len(sheet.entries))
    finally:
        audit.request_id.reset(marker)
    run.report.problems.sort(key=lambda problem: problem.line)
    return run.report


async def _import_row(run: _Run, entry: Entry) -> None:
    sponsor: Sponsor | None = None
    if entry.sponsor_name:
        found = await _sponsor(run, entry)
        if isinstance(found, int):
            message = _("its sponsor could not be registered (see line {line})", line=found)
            run.report.problems.append(Problem(entry.line, message))
            return
        sponsor = found
    if await _already_imported(entry, sponsor):
        run.report.institutions_skipped += 1
        run.report.notes.append(Problem(entry.line, _("already imported; skipped")))
        return
    await _register_institution(run, entry, sponsor)


async def _sponsor(run: _Run, entry: Entry) -> Sponsor | int:
    key = text.folded(" ".join(entry.sponsor_name.split()))
    known = run.sponsors.get(key)
    if known is None:
        known = await Sponsor.get_or_none(name_key=key)
        if known is None:
            known = await _register_sponsor(run, entry)
            run.sponsors[key] = known
            return known
        run.report.sponsors_reused += 1
        run.sponsors[key] = known
    if isinstance(known, Sponsor):
        await _note_other_admin(run, entry, known)
    return known


async def _register_sponsor(run: _Run, entry: Entry) -> Sponsor | int:
    try:
        done = await registration.register_sponsor(
            by=run.actor,
            name=entry.sponsor_name,
            admin_email=entry.sponsor_admin_email,
            language=entry.language,
            policy=run.policy,
        )
    except (InvalidInput, EmailAlreadyInUse) as refused:
        _refused(run, entry, refused, SPONSOR_COLUMNS, "sponsor_admin_email")
        return entry.line
    assert done.sponsor is not None
    _registered(run, entry, done, entry.sponsor_admin_email)
    run.report.sponsors_registered += 1
    return done.sponsor


async def _register_institution(run: _Run, entry: Entry, sponsor: Sponsor | None) -> None:
    try:
        done = await registration.register_institution(
            by=run.actor,
            name=entry.institution_name,
            care_type=entry.care_type,
            vouchers_from=entry.vouchers_from,
            admin_email=entry.institution_admin_email,
            sponsor_id=sponsor.id if sponsor else None,
            language=entry.language,
            policy=run.policy,
        )
    except (InvalidInput, EmailAlreadyInUse) as refused:
        _refused(run, entry, refused, INSTITUTION_COLUMNS, "institution_admin_email")
        return
    _registered(run, entry, done, entry.institution_admin_email)
    run.report.institutions_registered += 1


async def _already_imported(entry: Entry, sponsor: Sponsor | None) -> bool:
    """A withdrawn institution was registered by mistake: importing it again is meant."""
    name = text.folded(" ".join(entry.institution_name.split()))
    same = listed_at_all().filter(search_name=name)
    same = same.filter(sponsor_id=sponsor.id) if sponsor else same.filter(sponsor_id__isnull=True)
    return await same.exists()


async def _note_other_admin(run: _Run, entry: Entry, sponsor: Sponsor) -> None:
    if not entry.sponsor_admin_email:
        return
    admins = User.filter(sponsor_id=sponsor.id, role=Role.SPONSOR_ADMIN)
    if not await admins.filter(email_key=email.normalized(entry.sponsor_admin_email)).exists():
        message = _(
            "the sponsor «{sponsor}» exists; {address} is not its admin and was not invited "
            "(invite further admins with inviteUser)",
            sponsor=sponsor.name,
            address=entry.sponsor_admin_email,
        )
        run.report.notes.append(Problem(entry.line, message))


def _registered(run: _Run, entry: Entry, done: registration.Registered, address: str) -> None:
    if done.invitation.message_id is not None:
        run.report.mails_queued += 1
    for warning in done.warnings:
        message = _("{address}: {warning}", address=address, warning=WARNING_TEXTS[warning])
        run.report.notes.append(Problem(entry.line, message))


def _refused(
    run: _Run,
    entry: Entry,
    refused: InvalidInput | EmailAlreadyInUse,
    columns: dict[str, str],
    email_column: str,
) -> None:
    if isinstance(refused, InvalidInput):
        for name, problem in refused.field_errors.items():
            column = columns.get(name, name)
            run.report.problems.append(Problem(entry.line, problem.text, column))
    else:
        run.report.problems.append(Problem(entry.line, refused.text, email_column))
