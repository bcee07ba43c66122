"""Where a role sits: the role and the sponsor or institution it ties to.

Shared by inviting and by changing a role, so both follow the contract's role table the same
way: the role must fit its kind of scope (invalid input otherwise), the scope must exist (not
found otherwise), and the actor must be allowed to grant that role there (not allowed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from i18n import _
from models.errors import DomainError, FieldErrorCode, NotAllowed, NotFound
from models.form import Form
from models.institution import Institution
from models.role import INSTITUTION_ROLES, Role, Scope, scope_level
from models.sponsor import Sponsor
from models.user import User, can_grant_in
from models.verdict import GO, Verdict, refused
from models.withdrawn import withdrawn_refusal


@dataclass(frozen=True)
class Placement:
    role: Role
    sponsor: Sponsor | None = None
    institution: Institution | None = None

    @property
    def sponsor_id(self) -> int | None:
        return self.sponsor.id if self.sponsor else None

    @property
    def institution_id(self) -> int | None:
        return self.institution.id if self.institution else None

    def is_held_by(self, user: User) -> bool:
        return (user.role, user.sponsor_id, user.institution_id) == (
            self.role,
            self.sponsor_id,
            self.institution_id,
        )


class ScopeIds(TypedDict):
    """A sponsor or institution by id, as keyword arguments (`**scope`)."""

    sponsor_id: int | None
    institution_id: int | None


def audit_scope(*, sponsor_id: int | None, institution: Institution | None) -> ScopeIds:
    """The audit columns that decide which admins see an entry; an institution's entry also
    names its sponsor at that moment."""
    if institution is not None:
        return {"sponsor_id": institution.sponsor_id, "institution_id": institution.id}
    return {"sponsor_id": sponsor_id, "institution_id": None}


REQUIRED, DOES_NOT_FIT = FieldErrorCode.REQUIRED, FieldErrorCode.INVALID_FORMAT


def check_fits(
    form: Form, role: Role, *, sponsor_id: int | None, institution_id: int | None
) -> None:
    scope = scope_level(role)
    if scope == Scope.SPONSOR and sponsor_id is None:
        form.fail("sponsorId", REQUIRED, _("A sponsor role needs a sponsor."))
    if scope != Scope.SPONSOR and sponsor_id is not None:
        form.fail("sponsorId", DOES_NOT_FIT, _("This role is not tied to a sponsor."))
    if scope == Scope.INSTITUTION and institution_id is None:
        form.fail("institutionId", REQUIRED, _("An institution role needs an institution."))
    if scope != Scope.INSTITUTION and institution_id is not None:
        form.fail(
            "institutionId",
            FieldErrorCode.INVALID_FORMAT,
            _("This role is not tied to an institution."),
        )


def placement_refusal(
    by: User, role: Role, *, sponsor: Sponsor | None, institution: Institution | None
) -> DomainError | None:
    """Why `by` may not give `role` at this sponsor or institution (found already), if not."""
    for target, field in ((sponsor, "sponsorId"), (institution, "institutionId")):
        refusal = withdrawn_refusal(by, target, field=field)
        if refusal is not None:
            return refusal
    sponsor_id = sponsor.id if sponsor else None
    if not can_grant_in(by, role, sponsor_id=sponsor_id, institution=institution):
        return NotAllowed(_("You may not give this role there."))
    return None


def invite_into_verdict(by: User, institution: Institution) -> Verdict:
    """Inviting someone into the institution with at least one of its roles (`inviteUser`
    with `institutionId`); the refusal is the one for its first role."""
    refusals = [
        placement_refusal(by, role, sponsor=None, institution=institution)
        for role in sorted(INSTITUTION_ROLES)
    ]
    if any(refusal is None for refusal in refusals):
        return GO
    return refused(next(refusal for refusal in refusals if refusal is not None))


async def place(
    *, by: User, role: Role, sponsor_id: int | None, institution_id: int | None
) -> Placement:
    """Call after `check_fits`: loads the scope and checks that `by` may grant the role there."""
    sponsor = institution = None
    if sponsor_id is not None:
        sponsor = await Sponsor.get_or_none(id=sponsor_id)
        if sponsor is None:
            raise NotFound(_("There is no such sponsor."))
    if institution_id is not None:
        institution = await Institution.get_or_none(id=institution_id)
        if institution is None:
            raise NotFound(_("There is no such institution."))
    refusal = placement_refusal(by, role, sponsor=sponsor, institution=institution)
    if refusal is not None:
        raise refusal
    return Placement(role, sponsor, institution)
