"""Entering master data through the API: the two mutations, a complete input, and the trail."""

from __future__ import annotations

from typing import Any

from models.audit import AuditEvent
from models.institution import CareType, Institution, InstitutionStatus
from models.role import Role
from models.user import User
from schema.types import ids
from tests.support.api import Api, Result
from tests.support.builders import make_institution, make_user

PAYLOAD = """
    __typename
    ... on Error { message }
    ... on InvalidInput { fieldErrors { field message } }
    ... on StaleData { currentVersion }
"""
INSTITUTION = """
    institution {
        id status version
        masterData {
            address { organisation street houseNumber postalCode town }
            contactEmail phone website openingDays openingTime closingTime
            iban accountHolder places
        }
    }
"""
ACTIVATE = f"""
mutation Activate($id: ID!, $input: MasterDataInput!) {{
    activateInstitution(id: $id, input: $input) {{
        {PAYLOAD}
        ... on ActivateInstitutionSuccess {{ {INSTITUTION} }}
    }}
}}"""
UPDATE = f"""
mutation Update($id: ID!, $input: MasterDataInput!) {{
    updateInstitutionMasterData(id: $id, input: $input) {{
        {PAYLOAD}
        ... on UpdateInstitutionMasterDataSuccess {{ {INSTITUTION} }}
    }}
}}"""

SWISS_IBAN = "CH9300762011623852957"
LIECHTENSTEIN_IBAN = "LI21088100002324013AA"


def complete_input(**changes: Any) -> dict[str, Any]:
    """A complete, valid input for a day-care centre; `address={...}` changes single lines."""
    lines = changes.pop("address", {})
    address = (
        None
        if lines is None
        else {
            "organisation": "Verein Kita Sonnenschein",
            "street": "Bahnhofstrasse",
            "houseNumber": "12a",
            "postalCode": "3011",
            "town": "Bern",
            **lines,
        }
    )
    given = {
        "address": address,
        "contactEmail": "info@kita-sonne.ch",
        "phone": "031 123 45 67",
        "website": "https://www.kita-sonne.ch",
        "openingDays": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
        "openingTime": "07:00",
        "closingTime": "18:30",
        "iban": "CH93 0076 2011 6238 5295 7",
        "accountHolder": "Verein Kita Sonnenschein",
        "places": 24,
    }
    given.update(changes)
    return given


def global_id(institution: Institution) -> str:
    return ids.encode("Institution", institution.id)


async def activate(
    api: Api, institution: Institution, *, by: User | None, **changes: Any
) -> Result:
    variables = {"id": global_id(institution), "input": complete_input(**changes)}
    return await api(ACTIVATE, variables, user=by)


async def update(
    api: Api, institution: Institution, *, by: User | None, given: dict[str, Any]
) -> Result:
    return await api(UPDATE, {"id": global_id(institution), "input": given}, user=by)


async def trail(institution: Institution) -> list[tuple[str, dict[str, object]]]:
    """The institution's audit entries, oldest first: (action, details)."""
    events = await AuditEvent.filter(institution_id=institution.id).order_by("id")
    return [(event.action, event.details) for event in events]


async def activated(
    api: Api, care_type: CareType = CareType.DAYCARE_CENTER, **changes: Any
) -> Institution:
    """Activates a fresh institution with `changes` to a complete input; returns the stored row."""
    institution = await make_institution(care_type=care_type)
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)

    result = await activate(api, institution, by=admin, **changes)

    assert result.ok()["activateInstitution"]["__typename"] == "ActivateInstitutionSuccess"
    return await Institution.get(id=institution.id)


async def refusal(
    api: Api, care_type: CareType = CareType.DAYCARE_CENTER, **changes: Any
) -> dict[str, str]:
    """Tries to activate with `changes`; asserts that nothing was saved; returns field → message."""
    institution = await make_institution(care_type=care_type)
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)

    result = await activate(api, institution, by=admin, **changes)

    payload = result.ok()["activateInstitution"]
    assert payload["__typename"] == "InvalidInput", payload
    row = await Institution.get(id=institution.id)
    assert (row.status, row.version, row.organisation, row.iban) == (
        InstitutionStatus.INVITED,
        1,
        None,
        None,
    )
    assert await AuditEvent.filter(institution_id=institution.id).count() == 0
    return {error["field"]: error["message"] for error in payload["fieldErrors"]}
