"""Every Query and Mutation field in one place, so the whole API reads at a glance."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from resolvers import master_data as master_data_resolvers
from resolvers import node as node_resolvers
from resolvers import viewer
from resolvers.permissions import AUTHENTICATED, STAFF
from schema.faults import ErrorPolicy, Schema
from schema.institution import Institution
from schema.invitation import Invitation
from schema.master_data import ActivateInstitutionResult, UpdateInstitutionMasterDataResult
from schema.sponsor import Sponsor
from schema.user import User, Viewer

# Fields anyone may call without signing in; every other field has a permission class.
PUBLIC_FIELDS = frozenset({"Query.me"})


@strawberry.type
class Query:
    me: Viewer = strawberry.field(
        resolver=viewer.me, description="The caller; works without a token (`user` is null)."
    )
    node: relay.Node | None = strawberry.field(
        resolver=node_resolvers.node,
        permission_classes=AUTHENTICATED,
        description="Any sponsor, institution, user or invitation the caller may see, by ID.",
    )


@strawberry.type
class Mutation:
    activate_institution: ActivateInstitutionResult | None = strawberry.mutation(
        resolver=master_data_resolvers.activate_institution,
        permission_classes=STAFF,
        description="Enter the master data of an INVITED institution; it becomes ACTIVE.",
    )
    update_institution_master_data: UpdateInstitutionMasterDataResult | None = strawberry.mutation(
        resolver=master_data_resolvers.update_institution_master_data,
        permission_classes=STAFF,
        description="Change an ACTIVE institution's master data, or save an INVITED one's draft "
        "(partial data allowed; it stays INVITED).",
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
    ],
)
