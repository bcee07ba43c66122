"""The audit trail as the API shows it: read-only, newest first."""

from __future__ import annotations

import datetime

import strawberry
from strawberry.scalars import JSON

from models import audit
from schema.types import ids


@strawberry.type(description="One entry of the audit trail: who did what to whom, and when.")
class AuditEntry:
    id: strawberry.ID = strawberry.field(description="Global and opaque.")
    at: datetime.datetime = strawberry.field(description="When it happened (UTC).")
    action: str = strawberry.field(
        description="What happened, e.g. `user.invited`, `user.blocked`, `access.denied`."
    )
    actor_id: strawberry.ID | None = strawberry.field(
        description="The `User` who acted; null for the system and the command line."
    )
    actor_email: str | None = strawberry.field(description="Masked: `a***@kita-sonne.ch`.")
    subject_type: str | None = strawberry.field(description="e.g. `User`, `Institution`.")
    subject_id: strawberry.ID | None = strawberry.field(
        description="The global ID of what was acted on (use it with `node`)."
    )
    details: JSON = strawberry.field(description="What changed; e-mail addresses are masked.")
    request_id: str | None = strawberry.field(
        description="The request that made the change, as in `X-Request-Id` and the logs."
    )

    @classmethod
    def from_model(cls, row: audit.AuditEvent) -> AuditEntry:
        subject = None
        if row.subject_type is not None and row.subject_id is not None:
            subject = ids.encode(row.subject_type, row.subject_id)
        return cls(
            id=strawberry.ID(ids.encode("AuditEntry", row.id)),
            at=row.at,
            action=row.action,
            actor_id=strawberry.ID(ids.encode("User", row.actor_id)) if row.actor_id else None,
            actor_email=row.actor_email,
            subject_type=row.subject_type,
            subject_id=strawberry.ID(subject) if subject else None,
            details=JSON(row.details),
            request_id=row.request_id,
        )


@strawberry.input(description="Narrows the audit log; every condition given must hold.")
class AuditLogFilter:
    action: str | None = strawberry.field(
        default=None, description="Exactly this action, e.g. `user.blocked`."
    )
    actor_id: strawberry.ID | None = strawberry.field(default=None, description="A `User` ID.")
    subject_id: strawberry.ID | None = strawberry.field(
        default=None, description="The ID of a sponsor, institution, user or invitation."
    )
    since: datetime.datetime | None = strawberry.field(
        default=None, description="Entries at or after this moment (UTC when no offset is given)."
    )
    until: datetime.datetime | None = strawberry.field(
        default=None, description="Entries before this moment (UTC when no offset is given)."
    )
