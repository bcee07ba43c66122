"""The outbox: messages stored in the transaction of the change that causes them."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import make_msgid
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


class OutboxMessage(Model):
    id = fields.BigIntField(primary_key=True)
    message_id = fields.CharField(max_length=200, unique=True)  # stable across retries
    recipient = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=300)
    body_text = fields.TextField(null=True)  # cleared once sent or failed: it holds the link
    body_html = fields.TextField(null=True)
    status = fields.CharEnumField(DeliveryStatus, max_length=10, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    locked_until = fields.DatetimeField(null=True)  # the lease of the worker that claimed it
    claimed_by = fields.CharField(max_length=100, null=True)
    first_attempt_at = fields.DatetimeField(null=True)  # retries end 24 h after it
    last_error = fields.CharField(max_length=500, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"),)


async def enqueue(
    *, recipient: str, subject: str, text: str, html: str, domain: str
) -> OutboxMessage:
    """Stores a message for delivery; call it inside the transaction of the change it reports,
    so the mail is sent if and only if the change commits. `domain` is the sender's: receivers
    judge a Message-ID from another domain as a sign of forgery."""
    return await OutboxMessage.create(
        message_id=make_msgid(domain=domain),
        recipient=recipient,
        subject=subject,
        body_text=text,
        body_html=html,
        next_attempt_at=datetime.now(UTC),
    )
