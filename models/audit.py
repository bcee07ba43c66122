"""The audit trail: who did what to whom, when, from which request. Written, never changed."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models import email

if TYPE_CHECKING:
    from models.user import User

# Set by the HTTP layer for each request, so every audit entry says which request made it.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


class AuditEvent(Model):
    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)
    actor_id = fields.IntField(null=True)  # no foreign key: the trail outlives the accounts
    actor_email = fields.CharField(max_length=254, null=True)  # masked
    action = fields.CharField(max_length=60, db_index=True)
    subject_type = fields.CharField(max_length=30, null=True)
    subject_id = fields.IntField(null=True)
    sponsor_id = fields.IntField(null=True, db_index=True)
    institution_id = fields.IntField(null=True, db_index=True)
    details = fields.JSONField[dict[str, object]](default=dict)
    request_id = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "audit_event"


async def record(
    action: str,
    *,
    actor: User | None,
    subject: Model | None = None,
    sponsor_id: int | None = None,
    institution_id: int | None = None,
    details: dict[str, object] | None = None,
) -> AuditEvent:
    """Written inside the caller's transaction, so the trail and the change commit together."""
    return await AuditEvent.create(
        actor_id=actor.id if actor else None,
        actor_email=email.mask(actor.email) if actor else None,
        action=action,
        subject_type=type(subject).__name__ if subject else None,
        subject_id=subject.pk if subject else None,
        sponsor_id=sponsor_id,
        institution_id=institution_id,
        details=details or {},
        request_id=request_id.get(),
    )
