"""The canton registers sponsors and institutions; each registration invites a first admin.

The sponsor or institution, the invited account, the invitation, its queued mail and the audit
entry are written in one transaction: registration and user data never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from i18n import _
from models import audit, email, invitation, text, user, voucher_period
from models.errors import (
    FieldErrorCode,
    FieldProblem,
    InvalidInput,
    NotAllowed,
    NotFound,
    WarningCode,
)
from models.form import Form
from models.institution import CareType, Institution
from models.invitation import Invitation, Policy
from models.role import Role, is_canton
from models.sponsor import Sponsor
from models.user import Language, User, UserStatus
from models.withdrawn import refuse_withdrawn


@dataclass(frozen=True)
class Registered:
    invitation: Invitation
    sponsor: Sponsor | None = None
    institution: Institution | None = None
    warnings: list[WarningCode] = field(default_factory=list)


def require_canton(actor: User) -> None:
    if not is_canton(actor.role):
        raise NotAllowed()


def warnings_for(address: str) -> list[WarningCode]:
    """A shared mailbox cannot be blocked when one person leaves: allowed, but flagged."""
    return [WarningCode.SHARED_MAILBOX] if email.is_shared_mailbox(address) else []


def clean_vouchers_from(value: date) -> date:
    return voucher_period.clean_day(value)


async def save_sponsor(sponsor: Sponsor) -> None:
    same_name = Sponsor.filter(name_key=text.folded(sponsor.name)).exclude(id=sponsor.pk)
    taken = await same_name.exists()
    try:
        if taken:
            raise IntegrityError("sponsor name")
        async with in_transaction():  # a savepoint: the unique index decides concurrent saves
            await sponsor.save()
    except IntegrityError:
        exists = _("A sponsor with this name already exists.")
        raise InvalidInput({"name": FieldProblem(FieldErrorCode.ALREADY_EXISTS, exists)}) from None


async def register_sponsor(
    *, by: User, name: str, admin_email: str, language: Language | None, policy: Policy
) -> Registered:
    require_canton(by)
    form = Form()
    name = form.check("name", lambda: text.clean_name(name))
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
            address=address,
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
    vouchers_until: date | None = None,
) -> Registered:
    require_canton(by)
    form = Form()
    name = form.check("name", lambda: text.clean_name(name))
    vouchers_from = form.check("vouchersFrom", lambda: clean_vouchers_from(vouchers_from))
    if vouchers_from is not None:
        voucher_period.check(
            form,
            start=vouchers_from,
            until=vouchers_until,
            until_changed=True,
            field="vouchersUntil",
        )
    address = form.check("adminEmail", lambda: email.clean(admin_email))
    form.done()
    async with in_transaction():
        sponsor = None
        if sponsor_id is not None:
            sponsor = await Sponsor.get_or_none(id=sponsor_id)
            if sponsor is None:
                raise NotFound(_("There is no such sponsor."))
            refuse_withdrawn(by, sponsor, field="sponsorId")
        created = Institution(
            care_type=care_type,
            vouchers_from=vouchers_from,
            vouchers_until=vouchers_until,
            sponsor=sponsor,
        )
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
            address=address,
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
        address=address,
    )
