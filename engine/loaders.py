"""Per-request DataLoaders: relations resolve in one query per level, never one per row."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from engine import deadline
from models import institution, invitation, reading, user
from models.conditions import EVERYTHING
from models.institution import Institution, Listed
from models.scope import Scope
from models.sponsor import Sponsor
from models.user import Place, User

M = TypeVar("M", bound=Model)
K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R", bound=reading.Record)


def primed(loader: DataLoader[K, V], keys: Sequence[K]) -> dict[K, V]:
    """The values of these keys a list read already (`prime`d, see `Of`)."""
    known = {}
    for key in keys:
        found = loader.cache_map.get(key)
        if found is not None and found.done() and found.exception() is None:
            known[key] = found.result()
    return known


async def at_once(
    loader: DataLoader[K, V], keys: Sequence[K], known: dict[K, V] | None = None
) -> list[V]:
    """A whole level's keys: those a list read already (`primed`, or `known`) as they are,
    the others by the loader's own statement, in one call, with no future per key."""
    if not keys:
        return []
    known = primed(loader, keys) if known is None else known
    missing = [key for key in keys if key not in known]
    if missing:
        for key, value in zip(missing, await loader.load_fn(missing), strict=True):
            if isinstance(value, BaseException):
                raise value
            known[key] = value
    return [known[key] for key in keys]


def _in_time() -> None:
    """Work left over from an operation that ran out of time reads nothing more."""
    if deadline.passed():
        raise deadline.Expired("the request's deadline has passed")


def _by_id(model: type[M]) -> DataLoader[int, M | None]:
    """Every row of `model` by id, whatever scope: for the scope rule's own checks."""

    async def load(ids: Sequence[int]) -> list[M | None]:
        _in_time()
        found = await reading.by_ids(model, list(ids), where=EVERYTHING)
        rows = {row.pk: row for row in found}
        return [rows.get(i) for i in ids]

    return DataLoader(load_fn=load)


class Of(DataLoader[int, R | None]):
    """The rows of a relation by id: loaded by the relation's statement, or `prime`d with
    what a list read by joining the same relation (`schema.types.keyset.page_where`), so
    a nested field finds them without a statement of its own."""

    def __init__(self, relation: reading.Relation[R]) -> None:
        async def load(ids: Sequence[int]) -> list[R | None]:
            _in_time()
            rows = {row.id: row for row in await relation.by_ids(ids)}
            return [rows.get(i) for i in ids]

        super().__init__(load_fn=load)
        self.relation = relation


# (sponsor id, page size, the sort key to start after or None)
SponsorPage = tuple[int, int, tuple[Any, ...] | None]


def _institutions_per_sponsor(scope: Scope) -> DataLoader[SponsorPage, list[Listed]]:
    async def load(keys: Sequence[SponsorPage]) -> list[list[Listed]]:
        _in_time()
        pages: dict[SponsorPage, list[Listed]] = {}
        for size, after in {(size, after) for _, size, after in keys}:
            ids = [sponsor_id for sponsor_id, s, a in keys if (s, a) == (size, after)]
            found = await institution.pages_per_sponsor(scope, ids, size=size, after=after)
            pages.update({(i, size, after): rows for i, rows in found.items()})
        return [pages[key] for key in keys]

    return DataLoader(load_fn=load)


def _places(actor_id: int | None) -> DataLoader[int, Place | None]:
    async def load(user_ids: Sequence[int]) -> list[Place | None]:
        _in_time()
        found = await user.places(user_ids, actor_id=actor_id)
        return [found.get(user_id) for user_id in user_ids]

    return DataLoader(load_fn=load)


class Loaders:
    """Every loader of sponsors, institutions and people answers within the caller's scope: a
    nested field shows what the caller may see, never what the parent row points to. The two
    exceptions show nothing: `placement` (institutions) and `place` (people) feed the scope
    rule's own checks (`viewerCan`), which must read a row's place as the operations read it.
    Each loader is made when a request first asks for it: most requests use none or one."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    @cached_property
    def sponsor(self) -> Of[Sponsor]:
        return Of(reading.RowsOf(Sponsor, self.scope.sponsors()))

    @cached_property
    def master_data(self) -> Of[institution.MasterDataColumns]:
        """An institution's master data columns, no more."""
        return Of(institution.master_data_of(self.scope.institutions()))

    @cached_property
    def listed_institution(self) -> Of[Listed]:
        """As lists show it: no master data."""
        return Of(institution.ListedRows(self.scope.institutions()))

    @cached_property
    def user(self) -> Of[User]:
        return Of(reading.RowsOf(User, self.scope.people()))

    @cached_property
    def delivery(self) -> Of[invitation.Delivery]:
        return Of(invitation.deliveries())

    @cached_property
    def institutions_per_sponsor(self) -> DataLoader[SponsorPage, list[Listed]]:
        return _institutions_per_sponsor(self.scope)

    @cached_property
    def placement(self) -> DataLoader[int, Institution | None]:
        return _by_id(Institution)  # whatever its status: never shown

    @cached_property
    def place(self) -> DataLoader[int, Place | None]:
        return _places(self.scope.actor_id)
