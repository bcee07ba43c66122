"""Writing to or into a withdrawn sponsor or institution. For everyone but the canton it does
not exist; canton staff are told, on the input field that names it, to restore it first."""

from __future__ import annotations

from models.errors import InvalidInput, NotFound
from models.institution import Institution, InstitutionStatus
from models.role import is_canton
from models.scope import Actor
from models.sponsor import Sponsor, SponsorStatus


def refuse_withdrawn(actor: Actor, target: Institution | Sponsor | None, *, field: str) -> None:
    if target is None or target.status not in (
        InstitutionStatus.WITHDRAWN,
        SponsorStatus.WITHDRAWN,
    ):
        return
    what = "institution" if isinstance(target, Institution) else "sponsor"
    if not is_canton(actor.role):
        raise NotFound(f"There is no such {what}.")
    raise InvalidInput({field: f"This {what} has been withdrawn; restore it first."})
