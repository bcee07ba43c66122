"""Every Query and Mutation field in one place, so the whole API reads at a glance."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from resolvers import (
    acceptance,
    institution,
    invitation,
    node,
    public,
    registration,
    sponsor,
    user,
    viewer,
)
from resolvers.permissions import AUTHENTICATED, CANTON, STAFF
from schema.acceptance import (
    AcceptInvitationResult,
    ResendInvitationResult,
    RevokeInvitationResult,
)
from schema.faults import ErrorPolicy, Schema
from schema.institution import Institution
from schema.invitation import Invitation
from schema.pagination import Connection
from schema.public import PublicInstitution
from schema.registration import (
    RegisterInstitutionResult,
    RegisterSponsorResult,
    UpdateInstitutionResult,
    UpdateSponsorResult,
)
from schema.request_errors import RequestErrors
from schema.sponsor import Sponsor
from schema.user import User, Viewer

# Fields anyone may call without signing in; every other field has a permission class.
PUBLIC_FIELDS = frozenset({"Query.me", "Query.publicInstitutions"})


@strawberry.type
class Query:
    me: Viewer = strawberry.field(
        resolver=viewer.me, description="The caller; works without a token (`user` is null)."
    )
    node: relay.Node | None = strawberry.field(
        resolver=node.node,
        permission_classes=AUTHENTICATED,
        description="Any sponsor, institution, user or invitation the caller may see, by ID.",
    )
    sponsors: Connection[Sponsor] | None = strawberry.field(
        resolver=sponsor.sponsors, permission_classes=STAFF
    )
    sponsor: Sponsor | None = strawberry.field(
        resolver=sponsor.sponsor_by_id, permission_classes=STAFF
    )
    institutions: Connection[Institution] | None = strawberry.field(
        resolver=institution.institutions, permission_classes=STAFF
    )
    institution: Institution | None = strawberry.field(
        resolver=institution.institution_by_id, permission_classes=STAFF
    )
    users: Connection[User] | None = strawberry.field(
        resolver=user.users, permission_classes=AUTHENTICATED
    )
    user: User | None = strawberry.field(resolver=user.user_by_id, permission_classes=AUTHENTICATED)
    invitations: Connection[Invitation] | None = strawberry.field(
        resolver=invitation.invitations, permission_classes=STAFF
    )
    public_institutions: Connection[PublicInstitution] = strawberry.field(
        resolver=public.public_institutions,
        description="The family portal: registered institutions accepting vouchers on a date.",
    )


@strawberry.type
class Mutation:
    register_sponsor: RegisterSponsorResult | None = strawberry.mutation(
        resolver=registration.register_sponsor, permission_classes=CANTON
    )
    register_institution: RegisterInstitutionResult | None = strawberry.mutation(
        resolver=registration.register_institution, permission_classes=CANTON
    )
    update_sponsor: UpdateSponsorResult | None = strawberry.mutation(
        resolver=registration.update_sponsor, permission_classes=CANTON
    )
    update_institution: UpdateInstitutionResult | None = strawberry.mutation(
        resolver=registration.update_institution, permission_classes=STAFF
    )
    accept_invitation: AcceptInvitationResult | None = strawberry.mutation(
        resolver=acceptance.accept_invitation,
        permission_classes=AUTHENTICATED,
        description="With the token from the invitation link, after signing in.",
    )
    resend_invitation: ResendInvitationResult | None = strawberry.mutation(
        resolver=acceptance.resend_invitation, permission_classes=STAFF
    )
    revoke_invitation: RevokeInvitationResult | None = strawberry.mutation(
        resolver=acceptance.revoke_invitation, permission_classes=STAFF
    )


schema = Schema(
    query=Query,
    mutation=Mutation,
    types=[Sponsor, Institution, User, Invitation],
    extensions=[
        lambda: QueryDepthLimiter(max_depth=10),
        lambda: MaxAliasesLimiter(max_alias_count=15),
        lambda: MaxTokensLimiter(max_token_count=2000),
        ErrorPolicy,
        RequestErrors,
    ],
)
