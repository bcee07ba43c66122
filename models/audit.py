"""The audit trail: who did what to whom, when, from which request. Written, never changed."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


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
