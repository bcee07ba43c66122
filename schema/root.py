"""Every Query and Mutation field in one place, so the whole API reads at a glance."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache

from engine.cost import CostLimit
from engine.enum_output import write_enums_by_lookup
from engine.executor import STOCK_EXECUTOR, PlainFieldExecutor
from engine.faults import ErrorPolicy, Schema
from engine.hooks import PreparedHooksRunner
from engine.limits import RequestLimits, TokenLimit
from engine.metrics import OperationMetrics
from engine.request_errors import RequestErrors
from engine.validation import KeptValidation
from resolvers import (
    acceptance,
    audit,
    deletion,
    institution,
    invitation,
    master_data,
    node,
    public,
    registration,
    sponsor,
    user,
    user_admin,
    viewer,
    withdrawal,
)
from resolvers.permissions import (
    ACCOUNT,
    ADMIN,
    AUTHENTICATED,
    CANTON,
    CANTON_ADMIN,
    CANTON_OR_ADMIN,
    STAFF,
)
from schema.types.acceptance import (
    AcceptInvitationResult,
    ResendInvitationResult,
    RevokeInvitationResult,
)
from schema.types.audit import AuditEntry
from schema.types.deletion import DeleteUserResult
from schema.types.institution import Institution, Sponsor
from schema.types.invitation import Invitation
from schema.types.master_data import ActivateInstitutionResult, UpdateInstitutionMasterDataResult
from schema.types.nodes import Node
from schema.types.pagination import Connection
from schema.types.public import PublicInstitution
from schema.types.registration import (
    RegisterInstitutionResult,
    RegisterSponsorResult,
    UpdateInstitutionResult,
    UpdateSponsorResult,
)
from schema.types.user import User, Viewer
from schema.types.user_admin import (
    BlockUserResult,
    ChangeUserRoleResult,
    InviteUserResult,
    UnblockUserResult,
)
from schema.types.withdrawal import (
    RestoreInstitutionResult,
    RestoreSponsorResult,
    WithdrawInstitutionResult,
    WithdrawSponsorResult,
)

# Fields anyone may call without signing in; every other field has a permission class.
PUBLIC_FIELDS = frozenset({"Query.me", "Query.publicInstitutions", "Query.publicInstitution"})


@strawberry.type(
    description="Everything a client can read. Lists and lookups hold only what the caller "
    "may see; what it may not see is missing, as if it did not exist."
)
class Query:
    me: Viewer = strawberry.field(
        resolver=viewer.me, description="The caller; works without a token (`user` is null)."
    )
    node: Node | None = strawberry.field(
        resolver=node.node,
        permission_classes=AUTHENTICATED,
        description="Any sponsor, institution, user or invitation the caller may see, by ID.",
    )
    sponsors: Connection[Sponsor] | None = strawberry.field(
        resolver=sponsor.sponsors,
        permission_classes=STAFF,
        description="Staff: the sponsors the caller may see (canton staff all, withdrawn ones "
        "included; sponsor staff their own), by name.",
    )
    sponsor: Sponsor | None = strawberry.field(
        resolver=sponsor.sponsor_by_id,
        permission_classes=STAFF,
        description="Staff: one sponsor by ID; null when the caller may not see it.",
    )
    institutions: Connection[Institution] | None = strawberry.field(
        resolver=institution.institutions,
        permission_classes=STAFF,
        description="Staff: the institutions the caller may see, by name.",
    )
    institution: Institution | None = strawberry.field(
        resolver=institution.institution_by_id,
        permission_classes=STAFF,
        description="Staff: one institution by ID; null when the caller may not see it.",
    )
    users: Connection[User] | None = strawberry.field(
        resolver=user.users,
        permission_classes=ACCOUNT,
        description="The people the caller may see (an admin: the people of its scope; anyone "
        "else: only itself), by e-mail address.",
    )
    user: User | None = strawberry.field(
        resolver=user.user_by_id,
        permission_classes=ACCOUNT,
        description="One person by ID; null when the caller may not see them.",
    )
    invitations: Connection[Invitation] | None = strawberry.field(
        resolver=invitation.invitations,
        permission_classes=STAFF,
        description="Staff: the invitations to roles of the caller's scope, oldest first.",
    )
    public_institutions: Connection[PublicInstitution] = strawberry.field(
        resolver=public.public_institutions,
        description="The family portal: registered institutions whose voucher period "
        "overlaps the dates asked for (default: every period not yet ended), by name, then ID.",
    )
    public_institution: PublicInstitution | None = strawberry.field(
        resolver=public.public_institution,
        description="The family portal: one institution by its `PublicInstitution` ID; null "
        "when unknown.",
    )
    audit_log: Connection[AuditEntry] | None = strawberry.field(
        resolver=audit.audit_log,
        permission_classes=CANTON_OR_ADMIN,
        description="Newest first: everything for canton staff, an admin's own scope for admins.",
    )


@strawberry.type(
    description="Everything a client can change. Each returns a union of its success type and "
    "the typed errors it can produce (switch on `__typename`); a caller whose role or scope does "
    "not allow it gets a `FORBIDDEN` error instead, and nothing changes."
)
class Mutation:
    register_sponsor: RegisterSponsorResult | None = strawberry.mutation(
        resolver=registration.register_sponsor,
        permission_classes=CANTON,
        description="Canton staff: the sponsor, an INVITED `SPONSOR_ADMIN` for `adminEmail`, "
        "and the invitation mail to that address.",
    )
    register_institution: RegisterInstitutionResult | None = strawberry.mutation(
        resolver=registration.register_institution,
        permission_classes=CANTON,
        description="Canton staff: an INVITED institution, listed in the family portal from "
        "`vouchersFrom` on; its admin gets an invitation mail.",
    )
    update_sponsor: UpdateSponsorResult | None = strawberry.mutation(
        resolver=registration.update_sponsor,
        permission_classes=CANTON,
        description="Canton staff: corrects a sponsor's name.",
    )
    update_institution: UpdateInstitutionResult | None = strawberry.mutation(
        resolver=registration.update_institution,
        permission_classes=STAFF,
        description="Corrections: the canton changes anything; the institution's own and its "
        "sponsor's staff the name, and `vouchersFrom` until the institution is ACTIVE.",
    )
    withdraw_institution: WithdrawInstitutionResult | None = strawberry.mutation(
        resolver=withdrawal.withdraw_institution,
        permission_classes=CANTON,
        description="Canton staff: takes back an institution registered by mistake. It leaves "
        "the family portal at once; its open invitations are revoked; accounts tied only to it "
        "that never accepted are deleted, the others blocked until a restore.",
    )
    withdraw_sponsor: WithdrawSponsorResult | None = strawberry.mutation(
        resolver=withdrawal.withdraw_sponsor,
        permission_classes=CANTON_ADMIN,
        description="Canton admins: withdraws a sponsor with all its institutions and the "
        "accounts tied to either; its name is free for another registration.",
    )
    restore_institution: RestoreInstitutionResult | None = strawberry.mutation(
        resolver=withdrawal.restore_institution,
        permission_classes=CANTON_ADMIN,
        description="Canton admins: a withdrawn institution back in its status from before, "
        "the accounts its withdrawal blocked unblocked. Revoked invitations stay revoked.",
    )
    restore_sponsor: RestoreSponsorResult | None = strawberry.mutation(
        resolver=withdrawal.restore_sponsor,
        permission_classes=CANTON_ADMIN,
        description="Canton admins: a withdrawn sponsor back, with the institutions withdrawn "
        "with it and the accounts their withdrawal blocked.",
    )
    accept_invitation: AcceptInvitationResult | None = strawberry.mutation(
        resolver=acceptance.accept_invitation,
        permission_classes=AUTHENTICATED,
        description="With the token from the invitation link, after signing in.",
    )
    resend_invitation: ResendInvitationResult | None = strawberry.mutation(
        resolver=acceptance.resend_invitation,
        permission_classes=STAFF,
        description="A new link, a new expiry and a new mail; the old link stops working.",
    )
    revoke_invitation: RevokeInvitationResult | None = strawberry.mutation(
        resolver=acceptance.revoke_invitation,
        permission_classes=STAFF,
        description="Withdraws an open invitation; its link stops working.",
    )
    activate_institution: ActivateInstitutionResult | None = strawberry.mutation(
        resolver=master_data.activate_institution,
        permission_classes=STAFF,
        description="Enter the master data of an INVITED institution; it becomes ACTIVE.",
    )
    update_institution_master_data: UpdateInstitutionMasterDataResult | None = strawberry.mutation(
        resolver=master_data.update_institution_master_data,
        permission_classes=STAFF,
        description="Change an ACTIVE institution's master data, or save an INVITED one's draft "
        "(partial data allowed; it stays INVITED).",
    )
    invite_user: InviteUserResult | None = strawberry.mutation(
        resolver=user_admin.invite_user,
        permission_classes=ADMIN,
        description="Invites a colleague with a role you may grant: canton admins grant canton "
        "roles and the first admin roles of sponsors and institutions; sponsor admins sponsor "
        "and institution roles within their sponsor; institution admins institution roles for "
        "their institution.",
    )
    change_user_role: ChangeUserRoleResult | None = strawberry.mutation(
        resolver=user_admin.change_user_role,
        permission_classes=ADMIN,
        description="Replaces the person's role; their current sign-in ends.",
    )
    delete_user: DeleteUserResult | None = strawberry.mutation(
        resolver=deletion.delete_user,
        permission_classes=CANTON_OR_ADMIN,
        description="Removes an account that never accepted an invitation and never signed in "
        "(a mistyped address), with its invitations; the address is free at once. Whoever may "
        "manage the account, and canton clerks for accounts their registrations invited.",
    )
    block_user: BlockUserResult | None = strawberry.mutation(
        resolver=user_admin.block_user,
        permission_classes=ADMIN,
        description="Refuses the person from their very next request on.",
    )
    unblock_user: UnblockUserResult | None = strawberry.mutation(
        resolver=user_admin.unblock_user,
        permission_classes=ADMIN,
        description="Restores the status from before the block.",
    )


def build_schema(*, planned: bool = True) -> Schema:
    """The API's schema, run by the planned executor with the extensions' hooks wrapped once
    (`engine.hooks`), or by graphql-core's executor and Strawberry's runner as Strawberry
    ships them (`KIBON_PLANNED_EXECUTOR=off`): the same answers, slower."""
    built = Schema(
        execution_context_class=PlainFieldExecutor if planned else STOCK_EXECUTOR,
        query=Query,
        mutation=Mutation,
        types=[Sponsor, Institution, User, Invitation],
        # Order matters: every extension that adds validation rules comes before the kept
        # validation, which validates with the rules present when its turn comes (and keys on
        # them).
        extensions=[
            RequestLimits,
            RequestErrors,
            TokenLimit,
            lambda: ParserCache(maxsize=512),
            KeptValidation,
            CostLimit,
            ErrorPolicy,
            OperationMetrics,
        ],
    )
    if planned:  # the stock run stays Strawberry's own throughout
        write_enums_by_lookup(built._schema)
        built.extensions_runner = PreparedHooksRunner
    return built


schema = build_schema()
