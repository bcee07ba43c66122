"""The request context: who is calling, per-request loaders, settings. Built once per request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from engine.loaders import Loaders
from i18n import Language, Text, translate
from models.invitation import Invitation
from models.scope import Scope
from models.sign_in import Identity
from models.user import User
from settings import Settings


@dataclass(frozen=True)
class Caller:
    """Who sent a request with a valid token: the identity, and its account if it has one."""

    identity: Identity
    user: User | None
    pending_invitation: Invitation | None = None


@dataclass
class Context:
    """`scope` and `loaders` derive from `user`; change the caller only through `act_as`."""

    request: Request
    response: Response | None
    settings: Settings
    request_id: str
    identity: Identity | None = None
    user: User | None = None
    pending_invitation: Invitation | None = None
    language: Language = Language.DE  # negotiated from Accept-Language
    scope: Scope = field(init=False)
    loaders: Loaders = field(init=False)
    # The DataLoaders of batched fields resolved the long way (`engine.batch.one`).
    batches: dict[Any, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.act_as(self.user, self.pending_invitation)

    def act_as(self, user: User | None, pending_invitation: Invitation | None = None) -> None:
        """After a mutation that changed the caller's own role or binding, the rest of the
        request sees the caller as it is now: a new scope and loaders that cached nothing."""
        self.user, self.pending_invitation = user, pending_invitation
        self.scope = Scope.of(user)
        self.loaders = Loaders(self.scope)
        self.batches = {}

    def say(self, text: Text) -> str:
        """`text` in the reader's language."""
        return translate(text, self.language)

    @property
    def actor(self) -> User:
        """The signed-in account; fields that use it are gated by a permission class."""
        assert self.user is not None, "guarded by a permission class"
        return self.user


Info: TypeAlias = StrawberryInfo[Context, None]
