"""Rows read by `models.reading` are the instances Tortoise makes, attribute by attribute: the
same values of the same types, datetimes in the same time zone, related rows where
select_related asked for them."""

from __future__ import annotations

from datetime import UTC, time
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.models import Model

from mailer.outbox import OutboxMessage
from models import audit, housekeeping, institution, invitation, reading
from models.conditions import EVERYTHING
from models.institution import Institution
from models.invitation import Invitation, InvitationStatus
from models.rate_limit import RateCounter
from models.role import Role
from models.scope import Reach, Scope
from models.sponsor import Sponsor
from models.user import User
from settings import Retention
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.flows import POLICY, registered_institution


def exactly(instance: Model) -> dict[str, Any]:
    """Every attribute with its type and time zone: a StrEnum equals its string, an aware
    datetime equals another in any zone, and neither would do here."""
    return {
        name: (type(value), value, getattr(value, "tzinfo", None))
        for name, value in vars(instance).items()
    }


async def rows_of_every_model() -> None:
    registered = await registered_institution(sponsor_id=(await make_sponsor()).id)
    assert registered.institution is not None
    await Institution.filter(id=registered.institution.id).update(
        opening_days=["MONDAY", "FRIDAY"], opening_time=time(7, tzinfo=UTC), places=12, iban="CH93"
    )
    await audit.record("sponsor.registered", actor=None, details={"name": "Sonne"})
    await RateCounter.create(key="mail:1", period=1, hits=2, ends_at=10)
    await housekeeping.run_once(Retention())


async def test_every_model_reads_as_tortoise_reads_it() -> None:
    await rows_of_every_model()

    for model in Tortoise.apps["models"].values():
        query = model.all().order_by(model._meta.pk_attr)
        _, rows = await model._meta.db.execute_query(query.sql())
        ours = await query  # by name, through FastSelect
        by_position = await reading.select(model, EVERYTHING, order=(model._meta.pk_attr,))

        assert rows, f"no {model.__name__} to compare"
        theirs = [model._init_from_db(**dict(row)) for row in rows]
        assert [exactly(o) for o in ours] == [exactly(t) for t in theirs], model.__name__
        assert [exactly(o) for o in by_position] == [exactly(t) for t in theirs], model.__name__


async def test_related_rows_read_as_tortoise_reads_them() -> None:
    await rows_of_every_model()
    await registered_institution(sponsor_id=None)

    for query in (
        Institution.all().select_related("sponsor"),
        Invitation.all().select_related("user", "institution__sponsor"),
    ):
        ours = await query.order_by("id")
        tortoise = query.order_by("id")
        tortoise._db = tortoise._choose_db()
        tortoise._make_query()
        executor = next(  # the backend's own, below models.reading's
            c for c in tortoise._db.executor_class.__mro__ if c.__module__.startswith("tortoise.")
        )
        theirs = await executor(
            model=tortoise.model,
            db=tortoise._db,
            select_related_idx=tortoise._select_related_idx,
        ).execute_select(*tortoise.query.get_parameterized_sql())

        assert len(ours) == len(theirs) > 0
        for mine, its in zip(ours, theirs, strict=True):
            assert exactly(mine) == exactly(its)
            for name in ("_sponsor", "_user", "_institution"):
                if name in vars(its) and vars(its)[name] is not None:
                    assert exactly(vars(mine)[name]) == exactly(vars(its)[name])


def test_the_service_reads_through_its_own_executor() -> None:
    db = Institution._meta.db

    assert isinstance(db.executor_class(model=Institution, db=db), reading.FastSelect)
    assert OutboxMessage._meta.db is db


async def test_rows_by_id_are_the_rows_the_orm_finds_with_the_same_condition() -> None:
    await rows_of_every_model()
    sponsor = await make_sponsor()
    await registered_institution(sponsor_id=sponsor.id)
    ids = [i.id for i in await Institution.all()] + [999_999]
    scope = Scope(Reach.SPONSOR, sponsor.id, Role.SPONSOR_ADMIN, 1)

    for where in (EVERYTHING, scope.institutions()):
        ours = await reading.by_ids(Institution, ids, where=where, related="sponsor")
        orm = await Institution.filter(where.q(), id__in=ids).select_related("sponsor")

        assert sorted(map(exactly, ours), key=str) == sorted(map(exactly, orm), key=str)
        assert {i.id: i.sponsor and i.sponsor.id for i in ours} == {
            i.id: i.sponsor and i.sponsor.id for i in orm
        }
    people = [u.id for u in await User.all()]
    ours_people = await reading.by_ids(User, people, where=scope.people())
    orm_people = await User.filter(scope.people().q(), id__in=people)
    assert sorted(map(exactly, ours_people), key=str) == sorted(map(exactly, orm_people), key=str)
    assert len(ours) == 1  # the sponsor's one institution, and nothing of the others


async def test_a_join_reads_what_its_relation_reads_by_ids_and_nothing_outside_it() -> None:
    await rows_of_every_model()
    bern, thun = await make_sponsor(name="Bern"), await make_sponsor(name="Thun")
    kita_bern = await make_institution(sponsor=bern)
    kita_thun = await make_institution(sponsor=thun)
    for place in (bern, thun):
        await make_user(Role.SPONSOR_CLERK, sponsor=place)
    for kita in (kita_bern, kita_thun):
        await make_user(Role.INSTITUTION_CLERK, institution=kita)
    scope = Scope(Reach.SPONSOR, bern.id, Role.SPONSOR_ADMIN, 1)
    relations: dict[str, reading.Relation[Any]] = {
        "sponsor_id": reading.RowsOf(Sponsor, scope.sponsors()),
        "institution_id": institution.ListedRows(scope.institutions()),
    }

    people, joined = await reading.select_joined(User, EVERYTHING, joins=relations)

    for key, relation in relations.items():
        pointed = {getattr(person, key) for person in people} - {None}
        by_ids = {row.id: row for row in await relation.by_ids(list(pointed))}
        expected = {i: by_ids.get(i) for i in pointed}
        assert pointed, key
        assert set(joined[key]) == pointed, key
        assert {i: exactly(r) if isinstance(r, Model) else r for i, r in joined[key].items()} == {
            i: exactly(r) if isinstance(r, Model) else r for i, r in expected.items()
        }, key
    assert joined["sponsor_id"][thun.id] is None
    assert joined["institution_id"][kita_thun.id] is None
    assert joined["institution_id"][kita_bern.id].sponsor_name == "Bern"


async def test_people_are_seen_alike_with_their_open_invitations_joined_or_read_after() -> None:
    bern, thun = await make_sponsor(name="Bern"), await make_sponsor(name="Thun")
    kita_bern, kita_thun = (
        await make_institution(sponsor=bern),
        await make_institution(sponsor=thun),
    )
    for place in (kita_bern, kita_thun, None):  # applicants invited in and out of the scope
        parent = await make_user(Role.APPLICANT)
        for clerk in (True, False):  # two open ones: the newest is shown
            await invitation.issue(
                user=parent,
                role=(Role.INSTITUTION_CLERK if clerk else Role.INSTITUTION_ADMIN)
                if place
                else (Role.SPONSOR_CLERK if clerk else Role.SPONSOR_ADMIN),
                sponsor=None if place else bern,
                institution=place,
                by=None,
                language=None,
                policy=POLICY,
            )
    await Invitation.all().update(status=InvitationStatus.PENDING)
    await make_user(Role.APPLICANT)
    await make_user(Role.SPONSOR_CLERK, sponsor=bern)
    for scope in (
        Scope(Reach.CANTON, None, Role.CANTON_ADMIN, 1),
        Scope(Reach.SPONSOR, bern.id, Role.SPONSOR_ADMIN, 1),
    ):
        people, joined = await reading.select_joined(
            User, EVERYTHING, joins={"id": invitation.open_invitations(scope)}
        )
        after = await invitation.as_seen(people, by=scope)
        joined_in = await invitation.as_seen(people, by=scope, newest=joined["id"])

        described = {p.id for p in after if getattr(p, "stands_for", None) is not None}
        assert described
        assert all(p.role.endswith("_ADMIN") for p in after if p.id in described)
        assert [exactly(p) for p in joined_in] == [exactly(p) for p in after]
        assert {p.id for p in people if joined["id"][p.id] is not None} == described


async def test_a_few_columns_read_joined_or_by_ids_are_the_rows_own() -> None:
    await rows_of_every_model()
    await registered_institution(sponsor_id=(await make_sponsor()).id)
    deliveries = invitation.deliveries()

    invitations, joined = await reading.select_joined(
        Invitation, EVERYTHING, joins={"message_id": deliveries}
    )

    messages = {m.id: m for m in await OutboxMessage.all()}
    pointed = {i.message_id for i in invitations if i.message_id is not None}
    assert len(pointed) >= 2
    for found in (joined["message_id"], {d.id: d for d in await deliveries.by_ids(list(pointed))}):
        assert found == {i: invitation.Delivery(i, messages[i].status) for i in pointed}
        assert all(type(d.status) is type(messages[d.id].status) for d in found.values())


async def test_master_data_columns_are_the_rows_own_and_only_those_in_the_condition() -> None:
    await rows_of_every_model()  # one institution with master data, opening days and times
    sponsor = await make_sponsor()
    await registered_institution(sponsor_id=sponsor.id)
    rows = {i.id: i for i in await Institution.all()}
    scope = Scope(Reach.SPONSOR, sponsor.id, Role.SPONSOR_ADMIN, 1)

    for where in (EVERYTHING, scope.institutions()):
        found = await institution.master_data_of(where).by_ids([*rows, 999_999])
        orm = {i.id for i in await Institution.filter(where.q())}

        assert {c.id for c in found} == orm
        for columns in found:
            row = rows[columns.id]
            assert {n: (type(v), v) for n, v in columns._asdict().items()} == {
                n: (type(getattr(row, n)), getattr(row, n)) for n in columns._fields
            }
        if where is EVERYTHING:
            assert any(c.opening_days and c.opening_time and c.iban for c in found)


async def test_a_list_read_in_a_shape_is_its_instances_columns_in_the_same_order() -> None:
    await rows_of_every_model()
    await registered_institution(sponsor_id=(await make_sponsor()).id)
    await registered_institution(sponsor_id=None)
    order = ("search_name", "id")

    shaped, joined = await reading.select_joined(
        Institution,
        EVERYTHING,
        shape=institution.PublicColumns,
        joins={"sponsor_id": institution.sponsor_names()},
        order=order,
        limit=10,
    )
    instances = await reading.select(
        Institution, EVERYTHING, related="sponsor", order=order, limit=10
    )

    assert len(shaped) == len(instances) >= 3
    for record, row in zip(shaped, instances, strict=True):
        assert {n: (type(v), v) for n, v in record._asdict().items()} == {
            n: (type(getattr(row, n)), getattr(row, n)) for n in record._fields
        }
        named = joined["sponsor_id"].get(record.sponsor_id)
        assert (named and named.name) == (row.sponsor and row.sponsor.name)
    assert any(r.sponsor_id is None for r in shaped)
    assert any(r.sponsor_id for r in shaped)
    with pytest.raises(ValueError, match="shape"):
        await reading.select_joined(
            Institution, EVERYTHING, shape=institution.PublicColumns, related="sponsor"
        )
