"""Bounded work per request: depth and aliases checked during validation, before any resolver.

Strawberry's limiters build a new rule class per request; the validation cache keys on the rule
classes, so it would never hit. Built once here, the same classes serve every request and a
document validated once is not validated again.
"""

from __future__ import annotations

from strawberry.extensions import AddValidationRules
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

MAX_DEPTH = 10  # every legitimate query of the contract, through Relay connections, fits
MAX_ALIASES = 15
MAX_TOKENS = 2000
# Pages of a connection (`first`): what an omitted `first` means, and the most one may ask.
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

_RULES = [depth_rule(MAX_DEPTH, None, None), aliases_rule(MAX_ALIASES)]


class RequestLimits(AddValidationRules):
    def __init__(self) -> None:
        super().__init__(list(_RULES))
