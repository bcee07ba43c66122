"""Invitations: a single-use link that gives an account its role once the right person signs in."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from tortoise import fields
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from i18n import _
from mailer import invitation_mail
from mailer.outbox import DeliveryStatus, OutboxMessage
from models import audit, clock, mail_budget, raw_sql
from models.conditions import EVERYTHING, AllOf, Condition, Equals, OneOf
from models.errors import (
    DomainError,
    FieldErrorCode,
    Invalid,
    InvitationAlreadyUsed,
    InvitationRevoked,
    NotAllowed,
    NotFound,
)
from models.institution import Institution, needs_master_data
from models.reading import ColumnsOf, seen_if, select
from models.role import Role, can_grant, is_canton
from models.scope import Scope, place_row
from models.sponsor import Sponsor
from models.user import Language, User, UserStatus, reading
from models.verdict import GO, Verdict, refused

TOKEN_BYTES = 32  # 256 bits from `secrets`
REMIND_BEFORE = timedelta(days=2)


MIN_VALID_DAYS, MAX_VALID_DAYS = 1, 30


@dataclass(frozen=True)
class Policy:
    """Where invitation links point, and how long they live (from the configuration)."""

    portal_url: str
    ttl_days: int
    mail_limit: int = 50  # invitation mails per sponsor or institution per hour

    def valid_for(self, days: int | None) -> Policy:
        """The same policy for an invitation that lives `days` (1 to 30) instead."""
        if days is None:
            return self
        if not MIN_VALID_DAYS <= days <= MAX_VALID_DAYS:
            raise Invalid(
                FieldErrorCode.OUT_OF_RANGE,
                _("From {low} to {high} days.", low=MIN_VALID_DAYS, high=MAX_VALID_DAYS),
            )
        return dataclasses.replace(self, ttl_days=days)


class InvitationStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


class Invitation(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitations", on_delete=fields.CASCADE
    )
    user_id: int
    email = fields.CharField(max_length=254)
    role = fields.CharEnumField(Role, max_length=20)
    sponsor: fields.ForeignKeyNullableRelation[Sponsor] = fields.ForeignKeyField(
        "models.Sponsor", related_name="invitations", null=True, on_delete=fields.RESTRICT
    )
    sponsor_id: int | None
    institution: fields.ForeignKeyNullableRelation[Institution] = fields.ForeignKeyField(
        "models.Institution", related_name="invitations", null=True, on_delete=fields.RESTRICT
    )
    institution_id: int | None
    token_hash = fields.CharField(max_length=64, unique=True)  # sha256 hex; the token is never kept
    status = fields.CharEnumField(InvitationStatus, max_length=10, default=InvitationStatus.PENDING)
    expires_at = fields.DatetimeField()
    language = fields.CharEnumField(Language, max_length=2, null=True)
    invited_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sent_invitations", null=True, on_delete=fields.SET_NULL
    )
    invited_by_id: int | None
    message: fields.ForeignKeyNullableRelation[OutboxMessage] = fields.ForeignKeyField(
        "models.OutboxMessage", related_name="invitations", null=True, on_delete=fields.SET_NULL
    )
    message_id: int | None
    accepted_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    sent_count = fields.IntField(default=1)  # the first mail and every resend
    last_sent_at = fields.DatetimeField(null=True)
    # When the one reminder is due (two days before expiry); None once sent, or for an
    # invitation too short-lived for one.
    remind_at = fields.DatetimeField(null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "invitation"

    @property
    def current_status(self) -> InvitationStatus:
        if self.status == InvitationStatus.PENDING and self.expires_at <= clock.now():
            return InvitationStatus.EXPIRED
        return self.status


def visible_to(scope: Scope) -> QuerySet[Invitation]:
    """By the scope of the role an invitation grants, and no other: an invitation to activate
    an institution as its sponsor's admin is the sponsor's, not the institution's."""
    return Invitation.filter(scope.invitations().q())


class Delivery(NamedTuple):
    """What an invitation's list shows of its mail (`ColumnsOf` an outbox message)."""

    id: int
    status: DeliveryStatus


def deliveries() -> ColumnsOf[Delivery]:
    """The delivery of every invitation's mail: the mail is not a row of anyone's scope; the
    invitation that points to it is."""
    return ColumnsOf(OutboxMessage, Delivery, EVERYTHING)


class Describing(NamedTuple):
    """What an invitation says of the person invited (`described`)."""

    email: str
    role: Role
    sponsor_id: int | None
    institution_id: int | None


def described(person: User, invitation: Invitation | Describing) -> User:
    """An applicant invited to a role, as the invitation describes it: the address typed, the
    invited role, `INVITED`, no names. Not saved: nothing of the parent's account shows."""
    placed_at_institution = invitation.sponsor_id is None
    stand_in = User(
        id=person.id,
        email=invitation.email,
        email_key=person.email_key,
        role=invitation.role,
        sponsor_id=invitation.sponsor_id,
        institution_id=invitation.institution_id if placed_at_institution else None,
        status=UserStatus.INVITED,
        first_name="",
        last_name="",
    )
    stand_in.stands_for = person
    return stand_in


@dataclass(frozen=True)
class NewestOpen:
    """A person's newest open invitation among those that meet `where`, joined to a list of
    people by their id (`models.reading.Joinable`): what `as_seen` shows of an applicant."""

    where: Condition

    def columns(self, alias: str, mark: Iterator[str]) -> tuple[list[str], list[Any]]:
        found = seen_if(f'{alias}."id"', "1 = 1")  # the condition is the join's own
        return [found, *(f'{alias}."{name}"' for name in Describing._fields)], []

    def clause(self, key: str, alias: str, mark: Iterator[str]) -> tuple[str, list[Any]]:
        # Each part written in the order the statement shows it: SQLite binds by position.
        # Bound, the status made PostgreSQL's kept plan of the canton's page (then without any
        # other parameter) look dearer than a fresh one: it planned the page for every request.
        shown, params = self.where.sql("o", mark)
        pending, _ = raw_sql.value(InvitationStatus.PENDING, mark)
        mine = f'o."user_id" = {key} AND ({shown}) AND o."status" = {pending}'
        if Invitation._meta.db.capabilities.dialect == "postgres":
            # Per person, by the index of invitations by person. As a join on the newest
            # id, PostgreSQL read every open invitation of the scope (or, planning for given
            # values, hashed all of them) for each page, with or without applicants on it.
            columns = ", ".join(f'o."{name}"' for name in ("id", *Describing._fields))
            newest = (
                f'SELECT {columns} FROM "invitation" o WHERE {mine} '  # noqa: S608
                'ORDER BY o."id" DESC LIMIT 1'
            )
            return f"LEFT JOIN LATERAL ({newest}) {alias} ON TRUE", params
        newest = f'SELECT MAX(o."id") FROM "invitation" o WHERE {mine}'  # noqa: S608
        return f'LEFT JOIN "invitation" {alias} ON {alias}."id" = ({newest})', params

    def read(self, values: Sequence[Any]) -> Describing | None:
        if not values[0]:
            return None
        _, email, role, sponsor_id, institution_id = values
        return Describing(email, Role(role), sponsor_id, institution_id)


def open_invitations(by: Scope) -> NewestOpen:
    """Joined to a page of people (by `id`), what `as_seen` needs to know of them."""
    return NewestOpen(by.invitations())


async def as_seen(
    people: list[User],
    *,
    by: Scope,
    newest: Mapping[int, Invitation | Describing | None] | None = None,
) -> list[User]:
    """People as `by` sees them: an applicant with an open invitation (in `by`'s scope) is
    shown as that invitation describes it until it accepts, to everyone but itself.
    `newest`: each person's newest open invitation in that scope, read already (by
    `open_invitations`, with the page)."""
    invited = {p.id for p in people if p.role == Role.APPLICANT and by.actor_id != p.id}
    if not invited:
        return people
    if newest is None:
        open_ones = AllOf(
            (
                OneOf("user_id", tuple(invited)),
                Equals("status", InvitationStatus.PENDING),
                by.invitations(),
            )
        )
        newest = {row.user_id: row for row in await select(Invitation, open_ones, order=("id",))}
    return [
        described(p, shown) if p.id in invited and (shown := newest.get(p.id)) else p
        for p in people
    ]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link(policy: Policy, token: str) -> str:
    # A fragment, not a query: browsers never send it, so the token reaches no server log.
    return f"{policy.portal_url}/invitation#token={token}"


async def issue(
    *,
    user: User,
    role: Role,
    sponsor: Sponsor | None,
    institution: Institution | None,
    by: User | None,
    language: Language | None,
    policy: Policy,
    address: str | None = None,
) -> Invitation:
    """A pending invitation and its mail, in the caller's transaction, to `address` as the
    inviter typed it (the account's own spelling when not given). The token leaves this
    function only inside the queued mail."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(
        user=user,
        email=address or user.email,
        role=role,
        sponsor=sponsor,
        institution=institution,
        token_hash=hash_token(token),
        expires_at=clock.now() + timedelta(days=policy.ttl_days),
        language=language,
        invited_by=by,
        last_sent_at=clock.now(),
    )
    invitation.remind_at = reminder_time(invitation.expires_at, ttl_days=policy.ttl_days)
    invitation.message = await _queue_mail(invitation, token, policy)
    await invitation.save()
    return invitation


def reminder_time(expires_at: datetime, *, ttl_days: int) -> datetime | None:
    """Two days before it expires, if it lives longer than that."""
    return expires_at - REMIND_BEFORE if timedelta(days=ttl_days) > REMIND_BEFORE else None


async def _queue_mail(invitation: Invitation, token: str, policy: Policy) -> OutboxMessage:
    """The mail budget guards against a sponsor's or an institution's own admins; the canton
    (its staff, its import) registers and invites at the pace its work needs."""
    sender = invitation.invited_by
    if sender is not None and not is_canton(sender.role):
        await mail_budget.spend(
            allowed=policy.mail_limit,
            sponsor_id=invitation.sponsor_id,
            institution_id=invitation.institution_id,
        )
    return await invitation_mail.queue(await as_mail(invitation, link=link(policy, token)))


async def as_mail(invitation: Invitation, *, link: str | None) -> invitation_mail.InvitationMail:
    """The invitation as its mails tell it; `link` only where the token is at hand."""
    institution = invitation.institution
    sponsor = invitation.sponsor
    if sponsor is None and institution is not None and institution.sponsor_id is not None:
        sponsor = await Sponsor.get_or_none(id=institution.sponsor_id)
    return invitation_mail.InvitationMail(
        email=invitation.email,
        role=invitation.role.value,
        sponsor=sponsor.name if sponsor else None,
        institution=institution.name if institution else None,
        inviter=await inviter(invitation.invited_by),
        link=link or "",
        valid_until=invitation.expires_at,
        language=reading(invitation.language, invitation.user.language),
        asks_for_master_data=institution is not None and needs_master_data(institution),
    )


async def inviter(by: User | None) -> invitation_mail.Inviter:
    """Their name; without one, their role and organisation (never their address)."""
    if by is None:
        return invitation_mail.Inviter(name=None, role=None)
    if by.full_name:
        return invitation_mail.Inviter(name=by.full_name, role=by.role.value)
    sponsor = await Sponsor.get_or_none(id=by.sponsor_id) if by.sponsor_id else None
    place = await Institution.get_or_none(id=by.institution_id) if by.institution_id else None
    return invitation_mail.Inviter(
        name=None,
        role=by.role.value,
        sponsor=sponsor.name if sponsor else None,
        institution=place.name if place else None,
    )


def _change_refusal(
    by: User, found: Invitation, institution_sponsor_id: int | None
) -> DomainError | None:
    """Canton staff, and the admins who may grant the invited role, where it is visible;
    never an accepted one. `institution_sponsor_id`: the sponsor of its institution, if any."""
    scope = Scope.of(by)
    row = place_row(
        role=found.role,
        sponsor_id=found.sponsor_id,
        institution_id=found.institution_id,
        institution_sponsor_id=institution_sponsor_id,
    )
    if not scope.invitations().holds(row):
        return NotFound(_("There is no such invitation."))
    if not scope.is_canton and not can_grant(by.role, found.role):
        return NotAllowed()
    if found.status == InvitationStatus.ACCEPTED:
        return InvitationAlreadyUsed()
    return None


def resend_verdict(by: User, found: Invitation, institution_sponsor_id: int | None) -> Verdict:
    """Pending and expired invitations only: a revoked one stays revoked (a role change revokes
    the invitations for the old role, and resending must not bring that role back)."""
    refusal = _change_refusal(by, found, institution_sponsor_id)
    if refusal is None and found.status == InvitationStatus.REVOKED:
        refusal = InvitationRevoked(_("This invitation has been withdrawn; send a new one."))
    return GO if refusal is None else refused(refusal)


def revoke_verdict(by: User, found: Invitation, institution_sponsor_id: int | None) -> Verdict:
    """Pending and expired invitations; revoking a revoked one is `InvitationRevoked`."""
    refusal = _change_refusal(by, found, institution_sponsor_id)
    if refusal is None and found.status == InvitationStatus.REVOKED:
        refusal = InvitationRevoked(_("This invitation has already been withdrawn."))
    return GO if refusal is None else refused(refusal)


async def locked(invitation_id: int) -> tuple[Invitation, int | None]:
    """The invitation, row-locked, and the sponsor of its institution (the scope rule reads
    it). Call inside a transaction."""
    found = await Invitation.filter(id=invitation_id).select_for_update().first()
    if found is None:
        raise NotFound(_("There is no such invitation."))
    place = None
    if found.institution_id is not None:
        place = await Institution.get(id=found.institution_id)
    return found, place.sponsor_id if place else None


async def resend(*, by: User, invitation_id: int, policy: Policy) -> Invitation:
    """A new token, a new expiry and a new mail; the old link stops working at once."""
    async with in_transaction():
        found, institution_sponsor_id = await locked(invitation_id)
        resend_verdict(by, found, institution_sponsor_id).proceed()
        await found.fetch_related("user", "sponsor", "institution", "invited_by")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        found.token_hash = hash_token(token)
        found.expires_at = clock.now() + timedelta(days=policy.ttl_days)
        found.invited_by = by
        found.sent_count += 1
        found.last_sent_at = clock.now()
        found.remind_at = reminder_time(found.expires_at, ttl_days=policy.ttl_days)
        found.message = await _queue_mail(found, token, policy)
        await found.save()
        await record("invitation.resent", by, found)
    return found


async def revoke_pending_of(user: User) -> int:
    """Withdraws every open invitation of `user`, in the caller's transaction: accepting one
    would give back the role it was issued for. Returns how many were withdrawn."""
    return await Invitation.filter(user_id=user.id, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.REVOKED, revoked_at=clock.now()
    )


async def record(action: str, by: User, invitation: Invitation) -> None:
    """The audit entry of a change to `invitation`, in its scope."""
    await audit.record(
        action,
        actor=by,
        subject=invitation,
        sponsor_id=invitation.sponsor_id,
        institution_id=invitation.institution_id,
    )
