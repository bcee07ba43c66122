"""Turning a verified identity into an account: find it by issuer + subject, never by e-mail.

An e-mail finds an account only once, to bind it: an account made by `create-admin` binds to the
first identity with its verified e-mail; an `INVITED` account binds only through its invitation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import audit, clock, email, reading
from models.conditions import AllOf, Equals
from models.errors import AccountBlocked, SignedOut
from models.institution import Institution
from models.invitation import Invitation, InvitationStatus
from models.role import Role, is_canton
from models.sponsor import Sponsor
from models.user import User, UserStatus


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    email: str
    given_name: str = ""
    family_name: str = ""
    issued_at: datetime | None = None


@dataclass(frozen=True)
class SignedIn:
    user: User | None
    pending_invitation: Invitation | None = None


async def sign_in(identity: Identity) -> SignedIn:
    user = await account_bound_to(identity)
    if user is not None:
        _check_may_act(user, identity)
        await _sync_profile(user, identity)
        return SignedIn(user)
    holder = await User.get_or_none(email_key=email.normalized(identity.email))
    if holder is None:
        return SignedIn(await _new_applicant(identity))
    if holder.status == UserStatus.BLOCKED:
        raise AccountBlocked()
    if holder.issuer is not None:
        return SignedIn(None)  # the address belongs to another identity
    if holder.status == UserStatus.INVITED:
        return SignedIn(None, await newest_invitation_of(holder))
    return SignedIn(await _bind(holder, identity))


async def account_bound_to(identity: Identity) -> User | None:
    """Every request with a token starts here: one indexed lookup, written from its condition
    (`reading.select`): building it through the ORM took twice as long as running it."""
    bound = AllOf((Equals("issuer", identity.issuer), Equals("subject", identity.subject)))
    found = await reading.select(User, bound, order=())
    return found[0] if found else None


async def pending_invitation_for(user: User) -> Invitation | None:
    """An account's open invitation (an applicant invited to a role)."""
    return (
        await Invitation.filter(
            user_id=user.id, status=InvitationStatus.PENDING, expires_at__gt=clock.now()
        )
        .order_by("-id")
        .prefetch_related("sponsor", "institution", "invited_by")
        .first()
    )


async def newest_invitation_of(holder: User) -> Invitation | None:
    """A never-accepted account's newest invitation, whatever has become of it: an expired
    or revoked one still tells the person whom to ask."""
    newest = Invitation.filter(user_id=holder.id).order_by("-id")
    return await newest.prefetch_related("sponsor", "institution", "invited_by").first()


async def inviter_name(invitation: Invitation, *, canton: str) -> str | None:
    """Whom to ask: the inviter's name from their sign-in, else their organisation (the
    canton's name for canton staff); never an address."""
    by = invitation.invited_by
    if by is None:
        return canton
    if by.full_name:
        return by.full_name
    if is_canton(by.role):
        return canton
    if by.sponsor_id is not None:
        return (await Sponsor.get(id=by.sponsor_id)).name
    if by.institution_id is not None:
        return (await Institution.get(id=by.institution_id)).name
    return None


def _check_may_act(user: User, identity: Identity) -> None:
    if user.status == UserStatus.BLOCKED:
        raise AccountBlocked()
    # Tokens carry whole seconds: one issued in the very second of the sign-out is refused too,
    # so no token from before a role change or a block survives it (signing in anew takes the
    # person longer than that second).
    if user.signed_out_at is not None and (
        identity.issued_at is None
        or identity.issued_at <= user.signed_out_at.replace(microsecond=0)
    ):
        raise SignedOut()


async def _new_applicant(identity: Identity) -> User:
    user = User(
        role=Role.APPLICANT,
        status=UserStatus.ACTIVE,
        first_name=identity.given_name,
        last_name=identity.family_name,
        issuer=identity.issuer,
        subject=identity.subject,
    )
    user.set_email(identity.email)
    try:
        async with in_transaction():
            await user.save()
            await audit.record("user.signed_up", actor=user, subject=user)
    except IntegrityError:
        # Two first requests of the same person raced; the other one created the account.
        return await User.get(issuer=identity.issuer, subject=identity.subject)
    return user


async def _bind(user: User, identity: Identity) -> User:
    async with in_transaction():
        updated = await User.filter(id=user.id, issuer__isnull=True).update(
            issuer=identity.issuer,
            subject=identity.subject,
            first_name=identity.given_name or user.first_name,
            last_name=identity.family_name or user.last_name,
        )
        if updated:
            await audit.record("user.identity_bound", actor=user, subject=user)
    return await User.get(id=user.id)


async def _sync_profile(user: User, identity: Identity) -> None:
    """The provider may change a person's e-mail or names; keep ours in step, and audit it."""
    changes: dict[str, object] = {}
    if identity.given_name and identity.given_name != user.first_name:
        changes["first_name"] = identity.given_name
    if identity.family_name and identity.family_name != user.last_name:
        changes["last_name"] = identity.family_name
    if email.normalized(identity.email) != user.email_key:
        changes["email"] = identity.email
        changes["email_key"] = email.normalized(identity.email)
    if not changes:
        return
    try:
        async with in_transaction():
            await User.filter(id=user.id).update(**changes)
            await audit.record(
                "user.profile_synced",
                actor=user,
                subject=user,
                details={"fields": sorted(k for k in changes if k != "email_key")},
            )
    except IntegrityError:
        return  # the new address is taken by another account: keep the old one
    for name, value in changes.items():
        setattr(user, name, value)
