"""Every Query and Mutation field in one place, so the whole API reads at a glance."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from resolvers import node as node_resolvers
from resolvers import viewer
from resolvers.permissions import AUTHENTICATED
from schema.faults import ErrorPolicy, Schema
from schema.institution import Institution
from schema.invitation import Invitation
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


schema = Schema(
    query=Query,
    types=[Sponsor, Institution, User, Invitation],
    extensions=[
        lambda: QueryDepthLimiter(max_depth=10),
        lambda: MaxAliasesLimiter(max_alias_count=15),
        lambda: MaxTokensLimiter(max_token_count=2000),
        ErrorPolicy,
    ],
)
