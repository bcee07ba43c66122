"""Invitations: a single-use link that gives an account its role once the right person signs in."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from mailer.outbox import OutboxMessage
from models import clock
from models.institution import Institution
from models.role import Role, is_canton
from models.sponsor import Sponsor
from models.user import Language, User


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
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "invitation"

    @property
    def current_status(self) -> InvitationStatus:
        if self.status == InvitationStatus.PENDING and self.expires_at <= clock.now():
            return InvitationStatus.EXPIRED
        return self.status


def visible_to(actor: User) -> QuerySet[Invitation]:
    if is_canton(actor.role):
        return Invitation.all()
    if actor.sponsor_id is not None:
        return Invitation.filter(
            Q(sponsor_id=actor.sponsor_id) | Q(institution__sponsor_id=actor.sponsor_id)
        )
    if actor.institution_id is not None:
        return Invitation.filter(institution_id=actor.institution_id)
    return Invitation.filter(id__in=[])
