"""Reading the audit trail, within the caller's scope. Nothing in the API changes it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry

from engine.context import Info
from models import audit
from models.conditions import AllOf, Compare, Condition, Equals
from schema.types import ids
from schema.types import keyset as pagination
from schema.types.arguments import After, First
from schema.types.audit import AuditEntry, AuditLogFilter
from schema.types.pagination import Connection, connection


def in_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def filtered(wanted: AuditLogFilter) -> list[Condition]:
    where: list[Condition] = []
    if wanted.action:
        where.append(Equals("action", wanted.action.strip()))
    if wanted.actor_id is not None:
        actor = ids.decode(wanted.actor_id, "User", argument="actorId")
        where.append(Equals("actor_id", actor))
    if wanted.subject_id is not None:
        subject_type, subject_id = ids.decode_any(wanted.subject_id, argument="subjectId")
        where += [Equals("subject_type", subject_type), Equals("subject_id", subject_id)]
    if wanted.since is not None:
        where.append(Compare("at", "gte", in_utc(wanted.since)))
    if wanted.until is not None:
        where.append(Compare("at", "lt", in_utc(wanted.until)))
    return where


async def audit_log(
    info: Info,
    first: First = None,
    after: After = None,
    filter: Annotated[
        AuditLogFilter | None, strawberry.argument(description="Narrows the log.")
    ] = None,
) -> Connection[AuditEntry]:
    where = [audit.readable_by(info.context.scope), *filtered(filter or AuditLogFilter())]
    found = await pagination.page_where(
        audit.AuditEvent, AllOf(tuple(where)), first=first, after=after, descending=True
    )
    return connection(found, AuditEntry.from_model)
