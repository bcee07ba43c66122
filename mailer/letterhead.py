"""Who the mails come from: the canton, its support contact and the sender's domain.

Set once per process from the configuration (`configure`), before any mail is queued; until
then the contract's defaults apply (Kanton Bern, no support contact).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr

from i18n import Named
from settings import Settings

DEFAULT_CANTON = Named("Kanton Bern", "Kanton Bern")


@dataclass(frozen=True)
class Letterhead:
    canton: Named = DEFAULT_CANTON
    support_email: str | None = None
    support_phone: str | None = None
    sender_domain: str = "localhost"

    @classmethod
    def from_settings(cls, settings: Settings) -> Letterhead:
        return cls(
            canton=Named.parse(settings.canton_name),
            support_email=settings.support_email,
            support_phone=settings.support_phone,
            sender_domain=sender_domain(settings.mail_from),
        )


def sender_domain(mail_from: str) -> str:
    """`kiBon <noreply@kibon.be.ch>` → `kibon.be.ch`: Message-IDs are made in that domain."""
    _, address = parseaddr(mail_from)
    _, at, domain = address.rpartition("@")
    return domain.strip().lower() if at and domain.strip() else "localhost"


_current = Letterhead()


def configure(settings: Settings) -> None:
    global _current
    _current = Letterhead.from_settings(settings)


def current() -> Letterhead:
    return _current
