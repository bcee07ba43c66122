"""Accounts: one person, one e-mail, one role at a time, bound to one sign-in identity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tortoise import Tortoise, connections, fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

import i18n
from models import clock, email, raw_sql
from models.errors import EmailAlreadyInUse
from models.institution import Institution, InstitutionStatus
from models.role import Role, can_grant
from models.scope import Scope, place_row
from models.sponsor import Sponsor


class UserStatus(StrEnum):
    INVITED = "INVITED"
    ACTIVE = "ACTIVE"
    BLOCKED = "BLOCKED"


class Language(StrEnum):
    DE = "DE"
    FR = "FR"

    @property
    def reading(self) -> i18n.Language:
        """The catalogue's language for this one."""
        return i18n.Language(self.value.lower())


def reading(*languages: Language | None) -> i18n.Language | None:
    """The first language known, for mails; None: German and French."""
    return next((language.reading for language in languages if language), None)


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254)  # as typed, for display
    email_key = fields.CharField(max_length=254, unique=True)  # `email.normalized`, for identity
    first_name = fields.CharField(max_length=100, default="")
    last_name = fields.CharField(max_length=100, default="")
    role = fields.CharEnumField(Role, max_length=20, db_index=True)
    sponsor: fields.ForeignKeyNullableRelation[Sponsor] = fields.ForeignKeyField(
        "models.Sponsor", related_name="users", null=True, on_delete=fields.RESTRICT
    )
    sponsor_id: int | None
    institution: fields.ForeignKeyNullableRelation[Institution] = fields.ForeignKeyField(
        "models.Institution", related_name="users", null=True, on_delete=fields.RESTRICT
    )
    institution_id: int | None
    status = fields.CharEnumField(UserStatus, max_length=10)
    status_before_block = fields.CharEnumField(UserStatus, max_length=10, null=True)
    # Who imposed the current block: a canton's block is lifted only by canton staff.
    blocked_by_id = fields.IntField(null=True)  # no foreign key: the record outlives the account
    blocked_by_role = fields.CharEnumField(Role, max_length=20, null=True)
    # Blocked because its institution or sponsor was withdrawn: only a restore lifts it.
    blocked_by_withdrawal = fields.BooleanField(default=False)
    language = fields.CharEnumField(Language, max_length=2, null=True)
    # The sign-in identity (OIDC issuer + subject), bound on the first matching sign-in.
    issuer = fields.CharField(max_length=255, null=True)
    subject = fields.CharField(max_length=255, null=True)
    # Tokens issued before this moment are refused: a role change ends the current sign-in.
    signed_out_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    # Not a column. Set on an unsaved stand-in that shows an invited applicant as its invitation
    # describes it (`models.invitation.described`): the account itself, which operations act on.
    stands_for: User | None = None

    class Meta:
        table = "user"
        unique_together = (("issuer", "subject"),)

    def set_email(self, address: str) -> None:
        self.email = address.strip()
        self.email_key = email.normalized(self.email)

    @property
    def full_name(self) -> str | None:
        """As the sign-in gave it; None when the token carried no name."""
        return " ".join(part for part in (self.first_name, self.last_name) if part) or None

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    @property
    def itself(self) -> User:
        """The account operations act on: itself, or the one a stand-in shows."""
        return self.stands_for or self


def never_accepted(person: User) -> bool:
    """Invited and never signed in (a mistyped address, say): nothing but the invitation
    happened to this account, so it may go without a trace."""
    invited = person.status == UserStatus.INVITED or (
        person.status == UserStatus.BLOCKED and person.status_before_block == UserStatus.INVITED
    )
    return invited and person.subject is None and person.role != Role.APPLICANT


def person_row(person: User, institution: Institution | None) -> dict[str, object]:
    """`person` as the scope's checks read it; `institution` is the one it is tied to."""
    return place_row(
        id=person.id,
        sponsor_id=person.sponsor_id,
        institution_id=person.institution_id,
        institution_sponsor_id=institution.sponsor_id if institution else None,
    )


@dataclass(frozen=True, slots=True)
class Place:
    """What the scope rule reads about an account beyond its own row: the institution it is
    tied to (whatever its status) and whether a given actor sent it an invitation."""

    institution: Institution | None
    invited_by_actor: bool


async def places(user_ids: Sequence[int], *, actor_id: int | None) -> dict[int, Place]:
    """The place of each account, in one statement (for a page of people)."""
    db = connections.get("default")
    mark = raw_sql.placeholders(db.capabilities.dialect)
    sent = (
        'SELECT 1 FROM "invitation" v '  # noqa: S608
        f'WHERE v."user_id" = u."id" AND v."invited_by_id" = {next(mark)}'
    )
    listed = ", ".join(next(mark) for _ in user_ids)
    rows = await db.execute_query(
        f'SELECT u."id", i."id", i."sponsor_id", i."status", EXISTS ({sent}) '  # noqa: S608
        'FROM "user" u LEFT JOIN "institution" i ON i."id" = u."institution_id" '
        f'WHERE u."id" IN ({listed})',
        [actor_id or 0, *user_ids],
    )
    return {
        row[0]: Place(
            institution=None
            if row[1] is None
            else Institution(id=row[1], sponsor_id=row[2], status=InstitutionStatus(row[3])),
            invited_by_actor=bool(row[4]),
        )
        for row in rows[1]
    }


def can_grant_in(
    actor: User, role: Role, *, sponsor_id: int | None, institution: Institution | None
) -> bool:
    """The contract's role table: `actor` may give `role` where its holder would be in the
    actor's scope (canton roles: only the canton's)."""
    where = place_row(
        sponsor_id=sponsor_id,
        institution_id=institution.id if institution else None,
        institution_sponsor_id=institution.sponsor_id if institution else None,
    )
    return can_grant(actor.role, role) and Scope.of(actor).people().holds(where)


def can_manage(actor: User, target: User, *, institution: Institution | None) -> bool:
    """May block, unblock and change the role of `target` (whose institution is given): whoever
    could have granted its current role where it holds it. A canton admin oversees every
    account but a super admin's, so it can also stop a clerk whose sponsor has no admin left."""
    if actor.role == Role.CANTON_ADMIN and target.role != Role.SUPER_ADMIN:
        return True
    return can_grant_in(actor, target.role, sponsor_id=target.sponsor_id, institution=institution)


def visible_to(scope: Scope) -> QuerySet[User]:
    """Canton staff see everyone; sponsor staff their sponsor's and its institutions' people;
    institution staff their institution's; an applicant only itself."""
    return User.filter(scope.people().q())


def seen_by(scope: Scope) -> QuerySet[User]:
    """Whom `users`, `user` and `node` show: `visible_to`, and applicants invited in scope."""
    return User.filter(scope.people_seen().q())


async def _is_left_over(holder: User) -> bool:
    """An account that never accepted and whose invitations are all revoked or expired: the
    same address may be invited again, into any scope, and the account is reused."""
    if not never_accepted(holder):
        return False
    # By name, not by import: the invitation model is built on this one.
    invitations = Tortoise.apps["models"]["Invitation"]
    still_open = invitations.filter(user_id=holder.id, status="PENDING", expires_at__gt=clock.now())
    return not await still_open.exists()


async def invitee(
    *,
    address: str,
    role: Role,
    sponsor_id: int | None,
    institution_id: int | None,
    language: Language | None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """The account an invitation goes to: a new `INVITED` one, or an `APPLICANT` who signed in
    before being invited (that same account gets the role on acceptance). Any other holder of
    the address refuses: one e-mail, one person."""
    holder = await User.filter(email_key=email.normalized(address)).select_for_update().first()
    if holder is not None:
        if holder.role == Role.APPLICANT and holder.status != UserStatus.BLOCKED:
            return holder
        if holder.status == UserStatus.INVITED and await _is_left_over(holder):
            holder.role, holder.sponsor_id, holder.institution_id = role, sponsor_id, institution_id
            holder.language = language or holder.language
            holder.first_name, holder.last_name = first_name, last_name
            await holder.save()
            return holder
        raise EmailAlreadyInUse()
    user = User(
        role=role,
        sponsor_id=sponsor_id,
        institution_id=institution_id,
        status=UserStatus.INVITED,
        language=language,
        first_name=first_name,
        last_name=last_name,
    )
    user.set_email(address)
    try:
        async with in_transaction():  # a savepoint: the unique index decides concurrent claims
            await user.save()
    except IntegrityError:
        raise EmailAlreadyInUse() from None
    return user
