"""The cost bound: an answer's worst-case size is known before execution, and an operation over
the budget is refused before anything runs. And the deadline, which ends CPU-bound work too."""

from __future__ import annotations

import time
from typing import Any

import pytest
from graphql import DocumentNode, parse

import engine.cost
from engine.cost import operation_cost, query_cost
from models.institution import Institution
from models.role import Role
from schema.root import schema
from settings import HttpSettings, Settings
from tests.support.api import Api
from tests.support.apps import client_for, with_http
from tests.support.builders import make_sponsor, make_user
from tests.support.sql import statements
from tests.test_limits import CONTRACT_QUERIES
from web.graphiql import examples

NESTED = (
    "sponsors(first: 100) { edges { node { institutions(first: 100) { edges { node { "
    "sponsor { institutions(first: 100) { edges { node { name } } } } } } } } } }"
)
ATTACK = "{ " + " ".join(f"a{n}: {NESTED}" for n in range(15)) + " }"
HEAVY = "{ " + " ".join(f"a{n}: {NESTED}" for n in range(5)) + " }"  # under 10,000,000
DEFAULT_BUDGET = HttpSettings().max_query_nodes


def cost(document: str, variables: dict[str, object] | None = None) -> int:
    return query_cost(schema._schema, parse(document), variables=variables)


def test_viewer_can_adds_nothing_to_the_cost() -> None:
    """One object per object that holds it, read without a statement per row: like every field
    that is not a connection, it is bounded by the connections around it."""
    plain = "{ users(first: 50) { edges { node { email } } } }"
    asked = "{ users(first: 50) { edges { node { email viewerCan { block delete } } } } }"

    assert cost(asked) == cost(plain) == 50


def test_the_cost_is_the_worst_case_number_of_objects() -> None:
    assert cost("{ sponsors(first: 10) { edges { node { name } } } }") == 10
    assert cost(f"{{ {NESTED} }}") == 100 + 100 * 100 + 100 * 100 * 100
    assert cost(ATTACK) == 15 * 1_010_100


def test_a_total_count_costs_one_per_connection() -> None:
    plain = (
        "{ sponsors(first: 10) { edges { node { institutions(first: 5) { edges { cursor } } } } } }"
    )
    counted = (
        "{ sponsors(first: 10) { totalCount edges { node {"
        " institutions(first: 5) { totalCount edges { cursor } } } } } }"
    )

    assert cost(counted) == cost(plain) + 1 + 10


def test_an_omitted_first_costs_the_default_page_size_and_a_variable_counts_as_sent() -> None:
    nested = "query ($n: Int) { sponsors(first: $n) { edges { node { institutions { pageInfo {"
    nested += " hasNextPage } } } } } }"

    assert cost(nested) == 20 + 20 * 20
    assert cost(nested, {"n": 5}) == 5 + 5 * 20
    assert cost(nested.replace("$n: Int", "$n: Int = 3")) == 3 + 3 * 20


def test_fragments_count_like_the_fields_they_stand_for() -> None:
    document = """{ sponsors(first: 10) { edges { node { ...S } } } }
        fragment S on Sponsor { institutions(first: 10) { edges { node { ...I } } } }
        fragment I on Institution { sponsor { name } }"""

    assert cost(document) == 10 + 10 * 10


@pytest.mark.parametrize("example", examples.load(), ids=lambda example: example.path.stem)
def test_every_example_fits_the_default_budget(example: examples.Example) -> None:
    for operation in example.operations:
        assert (
            query_cost(
                schema._schema,
                example.document,
                operation_name=operation.name or None,
                variables=example.variables,
            )
            <= DEFAULT_BUDGET
        )


@pytest.mark.parametrize("name", CONTRACT_QUERIES)
def test_every_query_the_portals_need_fits_the_default_budget(name: str) -> None:
    assert cost(CONTRACT_QUERIES[name], {"id": "x"}) <= DEFAULT_BUDGET


async def test_the_fifteen_alias_attack_is_refused_before_any_resolver_or_sql_runs(
    api: Api,
) -> None:
    clerk = await make_user(Role.CANTON_CLERK)
    await make_sponsor()
    token = api.token_for(clerk)
    await api("{ me { user { id } } }", token=token)  # the sign-in is remembered

    with statements() as sent:
        started = time.perf_counter()
        result = await api(ATTACK, token=token)
        elapsed = time.perf_counter() - started

    assert result.status == 200
    assert result.data is None
    (error,) = result.errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["cost"] == 15 * 1_010_100
    assert error["extensions"]["budget"] == DEFAULT_BUDGET
    assert all('FROM "user"' in statement for statement in sent), sent  # only the sign-in
    assert elapsed < 0.5


async def test_an_operation_over_the_budget_is_a_400_for_graphql_response_clients(
    api: Api,
) -> None:
    response = await api.client.post(
        "/graphql",
        json={"query": ATTACK},
        headers={"Accept": "application/graphql-response+json"},
    )

    assert response.status_code == 400
    assert "data" not in response.json()
    assert response.json()["errors"][0]["extensions"]["cost"] == 15 * 1_010_100


async def test_the_budget_is_a_setting(settings: Settings) -> None:
    query = "{ publicInstitutions(first: 100) { edges { cursor } } }"

    async with client_for(with_http(settings, max_query_nodes=99)) as client:
        refused = (await client.post("/graphql", json={"query": query})).json()
    async with client_for(with_http(settings, max_query_nodes=100)) as client:
        admitted = (await client.post("/graphql", json={"query": query})).json()

    assert refused["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "cost": 100,
        "budget": 99,
    }
    assert admitted == {"data": {"publicInstitutions": {"edges": []}}}


async def test_cpu_bound_work_ends_soon_after_the_time_limit_instead_of_running_to_its_end(
    settings: Settings, api: Api
) -> None:
    for sponsor in [await make_sponsor() for _ in range(4)]:  # 5 × 4 × 100 × 100 names
        institutions = [
            Institution(sponsor=sponsor, care_type="DAYCARE_CENTER", vouchers_from="2020-01-01")
            for _ in range(100)
        ]
        for number, institution in enumerate(institutions):
            institution.set_name(f"Kita {sponsor.id}-{number}")
        await Institution.bulk_create(institutions)
    clerk = await make_user(Role.CANTON_CLERK)
    limits = {"request_timeout_seconds": 0.2, "max_query_nodes": 10_000_000}

    async with client_for(with_http(settings, **limits)) as client:
        # CPU time of this process: what the request itself burned, whatever else the shared
        # machine runs meanwhile.
        started = time.process_time()
        response = await client.post(
            "/graphql",
            json={"query": HEAVY},
            headers={"Authorization": f"Bearer {api.token_for(clerk)}"},
        )
        burned = time.process_time() - started

    assert response.status_code == 504, response.text[:300]
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    # Run to its end, the query takes about 2.5 s of CPU here; stopped, about 0.3 s.
    assert burned < 0.2 + 1.0


def test_a_documents_cost_is_counted_once_unless_a_page_size_is_a_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counted: list[str | None] = []
    count = engine.cost._counted

    def counting(*arguments: Any) -> tuple[int, bool]:
        counted.append(arguments[2])
        return count(*arguments)

    monkeypatch.setattr(engine.cost, "_counted", counting)
    graph = schema._schema
    written = parse("{ sponsors(first: 10) { edges { node { name } } } }")
    sent = parse("query ($n: Int) { sponsors(first: $n) { edges { node { name } } } }")
    named = parse(
        "query A { sponsors(first: 1) { edges { cursor } } } "
        "query B { sponsors(first: 7) { edges { cursor } } }"
    )

    def cost_of(document: DocumentNode, name: str | None = None, **variables: Any) -> int:
        return operation_cost(graph, document, operation_name=name, variables=variables)

    assert [cost_of(written) for _ in range(3)] == [10, 10, 10]
    assert len(counted) == 1
    assert [cost_of(sent, n=n) for n in (5, 50, 5)] == [5, 50, 5]
    assert len(counted) == 4
    assert [cost_of(named, "A"), cost_of(named, "B"), cost_of(named, "A")] == [1, 7, 1]
    assert counted[4:] == ["A", "B"]
