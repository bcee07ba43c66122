"""The canton registers sponsors and institutions; each registration invites a first admin.

The sponsor or institution, the invited account, the invitation, its queued mail and the audit
entry are written in one transaction: registration and user data never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import audit, email, invitation, text, user
from models.errors import InvalidInput, NotAllowed, NotFound
from models.form import Form
from models.institution import CareType, Institution, InstitutionStatus, is_run_by, visible_to
from models.invitation import Invitation, Policy
from models.role import Role, is_canton
from models.sponsor import Sponsor
from models.user import Language, User, UserStatus

SHARED_MAILBOX = "SHARED_MAILBOX"
EARLIEST_VOUCHERS_FROM = date(2000, 1, 1)
LATEST_VOUCHERS_FROM = date(2100, 12, 31)


@dataclass(frozen=True)
class Registered:
    invitation: Invitation
    sponsor: Sponsor | None = None
    institution: Institution | None = None
    warnings: list[str] = field(default_factory=list)


def require_canton(actor: User) -> None:
    if not is_canton(actor.role):
        raise NotAllowed()


def warnings_for(address: str) -> list[str]:
    """A shared mailbox cannot be blocked when one person leaves: allowed, but flagged."""
    return [SHARED_MAILBOX] if email.is_shared_mailbox(address) else []


def clean_vouchers_from(value: date) -> date:
    if not EARLIEST_VOUCHERS_FROM <= value <= LATEST_VOUCHERS_FROM:
        earliest, latest = EARLIEST_VOUCHERS_FROM, LATEST_VOUCHERS_FROM
        raise ValueError(f"Must be between {earliest:%d.%m.%Y} and {latest:%d.%m.%Y}.")
    return value


async def save_sponsor(sponsor: Sponsor) -> None:
    same_name = Sponsor.filter(name_key=text.folded(sponsor.name)).exclude(id=sponsor.pk)
    taken = await same_name.exists()
    try:
        if taken:
            raise IntegrityError("sponsor name")
        async with in_transaction():  # a savepoint: the unique index decides concurrent saves
            await sponsor.save()
    except IntegrityError:
        raise InvalidInput({"name": "A sponsor with this name already exists."}) from None


async def register_sponsor(
    *, by: User, name: str, admin_email: str, language: Language | None, policy: Policy
) -> Registered:
    require_canton(by)
    form = Form()
    name = form.check("name", lambda: text.clean_name(name, what="The name"))
    address = form.check("adminEmail", lambda: email.clean(admin_email))
    form.done()
    async with in_transaction():
        sponsor = Sponsor()
        sponsor.set_name(name)
        await save_sponsor(sponsor)
        admin = await user.invitee(
            address=address,
            role=Role.SPONSOR_ADMIN,
            sponsor_id=sponsor.id,
            institution_id=None,
            language=language,
        )
        sent = await invitation.issue(
            user=admin,
            role=Role.SPONSOR_ADMIN,
            sponsor=sponsor,
            institution=None,
            by=by,
            language=language,
            policy=policy,
        )
        await audit.record(
            "sponsor.registered",
            actor=by,
            subject=sponsor,
            sponsor_id=sponsor.id,
            details={"name": sponsor.name, "admin": email.mask(address)},
        )
    return Registered(sent, sponsor=sponsor, warnings=warnings_for(address))


async def register_institution(
    *,
    by: User,
    name: str,
    care_type: CareType,
    vouchers_from: date,
    admin_email: str,
    sponsor_id: int | None,
    language: Language | None,
    policy: Policy,
) -> Registered:
    require_canton(by)
    form = Form()
    name = form.check("name", lambda: text.clean_name(name, what="The name"))
    vouchers_from = form.check("vouchersFrom", lambda: clean_vouchers_from(vouchers_from))
    address = form.check("adminEmail", lambda: email.clean(admin_email))
    form.done()
    async with in_transaction():
        sponsor = None
        if sponsor_id is not None:
            sponsor = await Sponsor.get_or_none(id=sponsor_id)
            if sponsor is None:
                raise NotFound("There is no such sponsor.")
        created = Institution(care_type=care_type, vouchers_from=vouchers_from, sponsor=sponsor)
        created.set_name(name)
        await created.save()
        sent = await _invite_institution_admin(created, sponsor, address, by, language, policy)
        await audit.record(
            "institution.registered",
            actor=by,
            subject=created,
            institution_id=created.id,
            sponsor_id=created.sponsor_id,
            details={"name": created.name, "admin": email.mask(address)},
        )
    return Registered(sent, institution=created, warnings=warnings_for(address))


async def _invite_institution_admin(
    created: Institution,
    sponsor: Sponsor | None,
    address: str,
    by: User,
    language: Language | None,
    policy: Policy,
) -> Invitation:
    """An admin of the given sponsor is reused and invited to activate the new institution;
    otherwise a new institution admin is invited."""
    holder = await User.filter(email_key=email.normalized(address)).select_for_update().first()
    if (
        holder is not None
        and sponsor is not None
        and holder.role == Role.SPONSOR_ADMIN
        and holder.sponsor_id == sponsor.id
        and holder.status != UserStatus.BLOCKED
    ):
        return await invitation.issue(
            user=holder,
            role=Role.SPONSOR_ADMIN,
            sponsor=sponsor,
            institution=created,
            by=by,
            language=language or holder.language,
            policy=policy,
        )
    admin = await user.invitee(
        address=address,
        role=Role.INSTITUTION_ADMIN,
        sponsor_id=None,
        institution_id=created.id,
        language=language,
    )
    return await invitation.issue(
        user=admin,
        role=Role.INSTITUTION_ADMIN,
        sponsor=None,
        institution=created,
        by=by,
        language=language,
        policy=policy,
    )


async def update_sponsor(*, by: User, sponsor_id: int, name: str) -> Sponsor:
    require_canton(by)
    form = Form()
    name = form.check("name", lambda: text.clean_name(name, what="The name"))
    form.done()
    async with in_transaction():
        sponsor = await Sponsor.filter(id=sponsor_id).select_for_update().first()
        if sponsor is None:
            raise NotFound("There is no such sponsor.")
        sponsor.set_name(name)
        await save_sponsor(sponsor)
        await audit.record(
            "sponsor.updated",
            actor=by,
            subject=sponsor,
            sponsor_id=sponsor.id,
            details={"fields": ["name"]},
        )
    return sponsor


@dataclass(frozen=True)
class InstitutionCorrection:
    name: str | None = None
    care_type: CareType | None = None
    vouchers_from: date | None = None
    sponsor_id: int | None = None

    def fields(self) -> list[str]:
        return [name for name, value in vars(self).items() if value is not None]


def check_may_correct(actor: User, institution: Institution, change: InstitutionCorrection) -> None:
    """The canton corrects anything; the people who run the institution may rename it, and set
    `vouchersFrom` until it is active (from then on it is the canton's)."""
    if is_canton(actor.role):
        return
    if not is_run_by(actor, institution) or change.care_type or change.sponsor_id:
        raise NotAllowed()
    if change.vouchers_from is not None and institution.status != InstitutionStatus.INVITED:
        raise NotAllowed("Only the canton changes the voucher date of an active institution.")


async def update_institution(
    *, by: User, institution_id: int, change: InstitutionCorrection
) -> Institution:
    form = Form()
    if change.name is not None:
        form.check("name", lambda: text.clean_name(change.name or "", what="The name"))
    if change.vouchers_from is not None:
        form.check("vouchersFrom", lambda: clean_vouchers_from(change.vouchers_from))  # type: ignore[arg-type]
    form.done()
    async with in_transaction():
        found = await Institution.filter(id=institution_id).select_for_update().first()
        if found is None or not await visible_to(by).filter(id=institution_id).exists():
            raise NotFound("There is no such institution.")
        check_may_correct(by, found, change)
        await _apply(found, change)
        await audit.record(
            "institution.updated",
            actor=by,
            subject=found,
            institution_id=found.id,
            sponsor_id=found.sponsor_id,
            details={"fields": change.fields()},
        )
    return found


async def _apply(institution: Institution, change: InstitutionCorrection) -> None:
    if change.sponsor_id is not None:
        if not await Sponsor.exists(id=change.sponsor_id):
            raise NotFound("There is no such sponsor.")
        institution.sponsor_id = change.sponsor_id
    if change.name is not None:
        institution.set_name(text.clean_name(change.name))
    institution.care_type = change.care_type or institution.care_type
    institution.vouchers_from = change.vouchers_from or institution.vouchers_from
    institution.version += 1
    await institution.save()
