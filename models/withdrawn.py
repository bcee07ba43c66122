"""Writing to or into a withdrawn sponsor or institution. For everyone but the canton it does
not exist; canton staff are told, on the input field that names it, to restore it first."""

from __future__ import annotations

from i18n import _
from models.errors import DomainError, FieldErrorCode, FieldProblem, InvalidInput, NotFound
from models.institution import Institution, InstitutionStatus
from models.role import is_canton
from models.scope import Actor
from models.sponsor import Sponsor, SponsorStatus


def withdrawn_refusal(
    actor: Actor, target: Institution | Sponsor | None, *, field: str
) -> DomainError | None:
    """What writing to or into `target` is refused with, if it is withdrawn."""
    if target is None or target.status not in (
        InstitutionStatus.WITHDRAWN,
        SponsorStatus.WITHDRAWN,
    ):
        return None
    if isinstance(target, Institution):
        unknown = _("There is no such institution.")
        withdrawn = _("This institution has been withdrawn; restore it first.")
    else:
        unknown = _("There is no such sponsor.")
        withdrawn = _("This sponsor has been withdrawn; restore it first.")
    if not is_canton(actor.role):
        return NotFound(unknown)
    return InvalidInput({field: FieldProblem(FieldErrorCode.WITHDRAWN, withdrawn)})


def refuse_withdrawn(actor: Actor, target: Institution | Sponsor | None, *, field: str) -> None:
    refusal = withdrawn_refusal(actor, target, field=field)
    if refusal is not None:
        raise refusal
