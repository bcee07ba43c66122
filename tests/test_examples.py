"""The example operations in `examples/` stay valid, and the main flows run as written."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from graphql import DocumentNode, GraphQLSchema, validate
from graphql.execution.values import get_variable_values

from mailer.outbox import OutboxMessage
from models.role import Role
from schema.root import schema
from tests.support import flows
from tests.support.api import Api
from tests.support.builders import make_user
from web.graphiql import examples

FLOWS = [
    "register-sponsor-and-institution",
    "accept-invitation",
    "activate-institution",
    "invite-user",
    "block-user",
    "family-portal",
]
OPERATIONS = [
    pytest.param(example, operation, id=f"{example.path.stem}:{operation.name}")
    for example in examples.load()
    for operation in example.operations
]


def by_name(stem: str) -> examples.Example:
    return next(example for example in examples.load() if example.path.stem == stem)


def graphql_schema() -> GraphQLSchema:
    return schema._schema


async def run(
    client: httpx.AsyncClient,
    example: examples.Example,
    operation: str,
    *,
    bearer: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    body = {
        "query": example.text,
        "operationName": operation,
        "variables": {**example.variables, **overrides},
    }
    response = await client.post("/graphql", json=body, headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    assert "errors" not in result, result
    data: dict[str, Any] = result["data"]
    return data


def test_every_flow_has_an_example_with_its_variables() -> None:
    found = {example.path.stem: example for example in examples.load()}

    assert sorted(found) == sorted(FLOWS)
    for example in found.values():
        assert example.operations, example.path
        assert all(operation.name for operation in example.operations), example.path
        assert example.path.with_suffix(".variables.json").exists()


@pytest.mark.parametrize(("example", "operation"), OPERATIONS)
def test_the_example_operation_is_valid_against_the_schema(
    example: examples.Example, operation: examples.Operation
) -> None:
    missing = operation.missing_in(graphql_schema())
    if missing:
        pytest.skip(f"validated once {', '.join(missing)} exists (not on this branch yet)")
    alone = DocumentNode(definitions=(operation.definition,))

    errors = validate(graphql_schema(), alone)
    coerced = get_variable_values(
        graphql_schema(), operation.definition.variable_definitions or (), example.variables
    )

    assert [error.message for error in errors] == []
    assert not isinstance(coerced, list), f"the variables do not fit: {coerced}"


async def test_the_registration_example_registers_a_sponsor_and_its_institution(
    client: httpx.AsyncClient, api: Api
) -> None:
    example = by_name("register-sponsor-and-institution")
    bearer = api.token_for(await make_user(Role.CANTON_CLERK))

    sponsor = await run(client, example, "RegisterSponsor", bearer=bearer)
    sponsor_id = sponsor["registerSponsor"]["sponsor"]["id"]
    institution = await run(
        client,
        example,
        "RegisterInstitution",
        bearer=bearer,
        institution={**example.variables["institution"], "sponsorId": sponsor_id},
    )

    assert sponsor["registerSponsor"]["__typename"] == "RegisterSponsorSuccess"
    registered = institution["registerInstitution"]
    assert registered["__typename"] == "RegisterInstitutionSuccess"
    assert registered["institution"]["sponsor"] == {"id": sponsor_id, "name": "Kitas Bärn"}
    assert await OutboxMessage.all().count() == 2


async def test_the_acceptance_example_accepts_the_invitation_from_the_mail(
    client: httpx.AsyncClient, api: Api
) -> None:
    example = by_name("accept-invitation")
    registered = await flows.registered_sponsor(admin_email="anna.muster@kitas-baern.ch")
    bearer = api.idp.token(email="anna.muster@kitas-baern.ch")

    before = await run(client, example, "Me", bearer=bearer)
    accepted = await run(
        client,
        example,
        "AcceptInvitation",
        bearer=bearer,
        token=await flows.token_of(registered.invitation),
    )

    assert before["me"]["pendingInvitation"]["role"] == "SPONSOR_ADMIN"
    result = accepted["acceptInvitation"]
    assert result["__typename"] == "AcceptInvitationSuccess"
    assert (result["next"], result["user"]["status"]) == ("HOME", "ACTIVE")


async def test_the_family_portal_example_finds_a_registered_institution(
    client: httpx.AsyncClient,
) -> None:
    example = by_name("family-portal")
    await flows.registered_institution(name="Kita Sunneschyn", vouchers_from=date(2025, 1, 1))
    await flows.registered_institution(name="Kita Sunneschyn Thun", vouchers_from=date(2026, 1, 1))

    data = await run(client, example, "PublicInstitutions")

    nodes = [edge["node"] for edge in data["publicInstitutions"]["edges"]]
    assert [(node["name"], node["status"], node["address"]) for node in nodes] == [
        ("Kita Sunneschyn", "INVITED", None)
    ]
