"""A person's role as mails say it: "as administrator of the institution «Kita Sonne»"."""

from __future__ import annotations

from i18n import Text, _


def role_as(role: str, *, sponsor: str | None, institution: str | None) -> Text:
    """The role with the sponsor or institution it is tied to, as one phrase (French elides
    "que" before a vowel, so the whole phrase is one message)."""
    if role == "SPONSOR_ADMIN":
        return _("as administrator of the sponsor «{sponsor}»", sponsor=sponsor)
    if role == "SPONSOR_CLERK":
        return _("as clerk of the sponsor «{sponsor}»", sponsor=sponsor)
    if role == "INSTITUTION_ADMIN":
        return _("as administrator of the institution «{institution}»", institution=institution)
    if role == "INSTITUTION_CLERK":
        return _("as clerk of the institution «{institution}»", institution=institution)
    if role == "CANTON_ADMIN":
        return _("as canton administrator")
    if role == "CANTON_CLERK":
        return _("as canton clerk")
    if role == "SUPER_ADMIN":
        return _("as super administrator")
    return _("as applicant")
