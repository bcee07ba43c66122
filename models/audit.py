"""The audit trail: who did what to whom, when, from which request. Written, never changed."""

from __future__ import annotations

from contextvars import ContextVar

from tortoise import fields
from tortoise.models import Model

from i18n import _
from models import email
from models.conditions import NOTHING, Condition
from models.errors import NotAllowed
from models.institution import Institution
from models.scope import Scope
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
        # Declared here, not as `db_index` on the field: on SQLite, altering a field rebuilds
        # the table and drops its other indexes (Tortoise 1.1.9).
        indexes = (("actor_id",), ("subject_type", "subject_id"))


async def record(
    action: str,
    *,
    actor: User | None,
    subject: Model | None = None,
    sponsor_id: int | None = None,
    institution_id: int | None = None,
    details: dict[str, object] | None = None,
) -> AuditEvent:
    """Written inside the caller's transaction, so the trail and the change commit together.
    An entry about an institution also names the sponsor it belongs to at this moment: the
    entry stays in the scope it was written in when the institution moves."""
    if sponsor_id is None and institution_id is not None:
        place = await Institution.get_or_none(id=institution_id).only("id", "sponsor_id")
        sponsor_id = place.sponsor_id if place else None
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


async def record_denied(*, actor: User | None, fields: list[str]) -> AuditEvent:
    """The refused attempts of one request, by field (`inviteUser`). Call it outside the refused
    operation's transaction, which rolled back; it lands in the scope of the actor, so its own
    admins see it too."""
    return await record(
        "access.denied",
        actor=actor,
        sponsor_id=actor.sponsor_id if actor else None,
        institution_id=actor.institution_id if actor else None,
        details={"fields": fields},
    )


def readable_by(scope: Scope) -> Condition:
    """Canton staff read the whole trail; an admin the entries written in its own scope (a
    sponsor admin's includes what happened in its institutions while they were its own);
    nobody else reads it."""
    if scope.audit_entries() is NOTHING:
        raise NotAllowed(_("Only the canton and admins read the audit log."))
    return scope.audit_entries()
