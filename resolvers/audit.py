"""Reading the audit trail, within the caller's scope. Nothing in the API changes it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from tortoise.queryset import QuerySet

from engine.context import Info
from models import audit
from schema.types import ids
from schema.types import keyset as pagination
from schema.types.arguments import After, First
from schema.types.audit import AuditEntry, AuditLogFilter
from schema.types.pagination import Connection, connection


def in_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def filtered(
    rows: QuerySet[audit.AuditEvent], wanted: AuditLogFilter
) -> QuerySet[audit.AuditEvent]:
    if wanted.action:
        rows = rows.filter(action=wanted.action.strip())
    if wanted.actor_id is not None:
        rows = rows.filter(actor_id=ids.decode(wanted.actor_id, "User", argument="actorId"))
    if wanted.subject_id is not None:
        subject_type, subject_id = ids.decode_any(wanted.subject_id, argument="subjectId")
        rows = rows.filter(subject_type=subject_type, subject_id=subject_id)
    if wanted.since is not None:
        rows = rows.filter(at__gte=in_utc(wanted.since))
    if wanted.until is not None:
        rows = rows.filter(at__lt=in_utc(wanted.until))
    return rows


async def audit_log(
    info: Info,
    first: First = None,
    after: After = None,
    filter: Annotated[
        AuditLogFilter | None, strawberry.argument(description="Narrows the log.")
    ] = None,
) -> Connection[AuditEntry]:
    rows = filtered(audit.visible_to(info.context.actor), filter or AuditLogFilter())
    found = await pagination.page(rows, first=first, after=after, descending=True)
    return connection(found, AuditEntry.from_model)
