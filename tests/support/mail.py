"""Queued invitation-like messages for the delivery tests, each with a secret link."""

from __future__ import annotations

import itertools

from tortoise.transactions import in_transaction

from mailer.outbox import OutboxMessage, enqueue

_serial = itertools.count(1)


def link(number: int) -> str:
    return f"https://portal.kibon.test/invitation#token=s3cret-{number}"


async def queue(count: int = 1, *, recipient: str = "anna@kita-sonne.ch") -> list[OutboxMessage]:
    queued = []
    async with in_transaction():
        for _ in range(count):
            number = next(_serial)
            queued.append(
                await enqueue(
                    recipient=recipient,
                    subject=f"Einladung zur Mitarbeit {number}",
                    text=f"Guten Tag\n\nEinladung annehmen: {link(number)}\n",
                    html=f'<p>Guten Tag</p><p><a href="{link(number)}">Einladung annehmen</a></p>',
                    domain="kibon.test",
                )
            )
    return queued


async def reload(message: OutboxMessage) -> OutboxMessage:
    return await OutboxMessage.get(id=message.id)
