"""The authorization matrix: every root field of the schema, every kind of caller, one outcome.

Each row is one field: the expected outcome for each caller, then the call (its selection is
added from the schema). A field without a row, or a row without a field, fails the suite; adding
a field is adding its row. Callers: the eight roles at home (sponsor "Heim", institution "Kita
Heim"), an anonymous caller, and FS, the admin of the foreign sponsor "Fremd". The call's
`$variables` are IDs of home objects: $sponsor, $institution, $clerk (the institution clerk),
$blocked (a blocked clerk of the institution), $invitation (pending, for the institution).

Outcomes: `ok` an answer (a list with entries; a mutation's `…Success`), `0` an empty list,
`nul` null without an error (not visible), `401` UNAUTHENTICATED, `403` FORBIDDEN (and an
`access.denied` audit entry), or a typed result: `NF` NotFound, `INF` InvitationNotFound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import GraphQLField, GraphQLObjectType, get_named_type

from models import user_admin
from models.audit import AuditEvent
from models.role import Role
from models.user import User, UserStatus
from schema.root import schema
from schema.types import ids
from tests.support.api import Api, Result
from tests.support.builders import make_user
from tests.support.flows import POLICY
from tests.support.user_admin import gid, seed_world

CALLERS = [*Role, "anonymous", "foreign"]  # the columns, in this order
TYPED = {"NF": "NotFound", "INF": "InvitationNotFound"}

MASTER_DATA = (
    '{address: {organisation: "Kita Heim GmbH", street: "Weg", houseNumber: "1", '
    'postalCode: "3000", town: "Bern"}, contactEmail: "eltern@heim.ch", openingDays: [MONDAY], '
    'openingTime: "07:00", closingTime: "18:00", iban: "CH9300762011623852957", '
    'accountHolder: "Kita Heim GmbH", places: 10}'
)

# fmt: off
MATRIX = {
    #                               SU  CA  CC  SA  SC  IA  IC  AP  --  FS
    "Query.me":                   ("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ",
                                   "me"),
    "Query.node":                 ("ok  ok  ok  ok  ok  ok  ok  nul 401 nul",
                                   "node(id: $institution)"),
    "Query.sponsors":             ("ok  ok  ok  ok  ok  ok  ok  403 401 0  ",
                                   'sponsors(search: "Heim")'),
    "Query.sponsor":              ("ok  ok  ok  ok  ok  ok  ok  403 401 nul",
                                   "sponsor(id: $sponsor)"),
    "Query.institutions":         ("ok  ok  ok  ok  ok  ok  ok  403 401 0  ",
                                   "institutions(filter: {sponsorId: $sponsor})"),
    "Query.institution":          ("ok  ok  ok  ok  ok  ok  ok  403 401 nul",
                                   "institution(id: $institution)"),
    "Query.users":                ("ok  ok  ok  ok  ok  ok  ok  0   401 0  ",
                                   "users(filter: {institutionId: $institution})"),
    "Query.user":                 ("ok  ok  ok  ok  ok  ok  ok  nul 401 nul",
                                   "user(id: $clerk)"),
    "Query.invitations":          ("ok  ok  ok  ok  ok  ok  ok  403 401 0  ",
                                   "invitations(filter: {institutionId: $institution})"),
    "Query.publicInstitutions":   ("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ",
                                   "publicInstitutions"),
    "Query.publicInstitution":    ("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ",
                                   "publicInstitution(id: $public)"),
    "Query.auditLog":             ("ok  ok  ok  ok  403 ok  403 403 401 0  ",
                                   "auditLog"),
    "Mutation.registerSponsor":   ("ok  ok  ok  403 403 403 403 403 401 403",
                                   'registerSponsor(input: {name: "Neu", adminEmail: "a@neu.ch"})'),
    "Mutation.registerInstitution": ("ok  ok  ok  403 403 403 403 403 401 403",
                                   'registerInstitution(input: {name: "Neu", careType: DAY_SCHOOL,'
                                   ' vouchersFrom: "2025-08-01", adminEmail: "a@neu.ch"})'),
    "Mutation.updateSponsor":     ("ok  ok  ok  403 403 403 403 403 401 403",
                                   'updateSponsor(id: $sponsor, input: {name: "Kitas Heim 2"})'),
    "Mutation.updateInstitution": ("ok  ok  ok  ok  ok  ok  ok  403 401 403",
                                   'updateInstitution(id: $institution, input: {name: "Kita 2"})'),
    "Mutation.withdrawInstitution": ("ok  ok  ok  403 403 403 403 403 401 403",
                                   'withdrawInstitution(id: $institution, reason: "doppelt")'),
    "Mutation.withdrawSponsor":   ("ok  ok  403 403 403 403 403 403 401 403",
                                   'withdrawSponsor(id: $sponsor, reason: "doppelt")'),
    "Mutation.restoreInstitution": ("ok  ok  403 403 403 403 403 403 401 403",
                                   "restoreInstitution(id: $institution)"),
    "Mutation.restoreSponsor":    ("ok  ok  403 403 403 403 403 403 401 403",
                                   "restoreSponsor(id: $sponsor)"),
    "Mutation.acceptInvitation":  ("INF INF INF INF INF INF INF INF 401 INF",
                                   'acceptInvitation(token: "not-a-token")'),
    "Mutation.resendInvitation":  ("ok  ok  ok  ok  403 ok  403 403 401 NF ",
                                   "resendInvitation(id: $invitation)"),
    "Mutation.revokeInvitation":  ("ok  ok  ok  ok  403 ok  403 403 401 NF ",
                                   "revokeInvitation(id: $invitation)"),
    "Mutation.activateInstitution": ("ok  ok  ok  ok  ok  ok  ok  403 401 403",
                                   f"activateInstitution(id: $institution, input: {MASTER_DATA})"),
    "Mutation.updateInstitutionMasterData": ("ok  ok  ok  ok  ok  ok  ok  403 401 403",
                                   "updateInstitutionMasterData(id: $institution, "
                                   f"input: {MASTER_DATA})"),
    "Mutation.inviteUser":        ("ok  403 403 ok  403 ok  403 403 401 403",
                                   'inviteUser(input: {email: "neu@heim.ch",'
                                   " role: INSTITUTION_CLERK, institutionId: $institution})"),
    "Mutation.changeUserRole":    ("ok  ok  403 ok  403 ok  403 403 401 NF ",
                                   "changeUserRole(id: $clerk, input: {role: INSTITUTION_ADMIN,"
                                   " institutionId: $institution})"),
    "Mutation.deleteUser":        ("ok  ok  403 ok  403 ok  403 403 401 NF ",
                                   "deleteUser(id: $invitee)"),
    "Mutation.blockUser":         ("ok  ok  403 ok  403 ok  403 403 401 NF ",
                                   "blockUser(id: $clerk)"),
    "Mutation.unblockUser":       ("ok  ok  403 ok  403 ok  403 403 401 NF ",
                                   "unblockUser(id: $blocked)"),
}
# fmt: on


@dataclass(frozen=True)
class Home:
    callers: dict[str, User | None]
    ids: dict[str, str]


async def seed_home() -> Home:
    world = await seed_world()
    clerk = world.people[Role.INSTITUTION_CLERK]
    blocked = await make_user(
        Role.INSTITUTION_CLERK, institution=world.institution, status=UserStatus.BLOCKED
    )
    invited = await user_admin.invite(
        by=world.people[Role.SUPER_ADMIN],
        address="eingeladen@heim.ch",
        role=Role.INSTITUTION_CLERK,
        sponsor_id=None,
        institution_id=world.institution.id,
        language=None,
        policy=POLICY,
    )
    callers: dict[str, User | None] = {role.value: world.people[role] for role in Role}
    callers |= {"anonymous": None, "foreign": world.foreign}
    return Home(
        callers,
        {
            "sponsor": gid(world.sponsor),
            "institution": gid(world.institution),
            "public": ids.encode("PublicInstitution", world.institution.id),
            "clerk": gid(clerk),
            "blocked": gid(blocked),
            "invitation": gid(invited.invitation),
            "invitee": gid(invited.user),
        },
    )


def schema_fields() -> dict[str, GraphQLField]:
    found: dict[str, GraphQLField] = {}
    for root in (schema._schema.query_type, schema._schema.mutation_type):
        assert root is not None
        found |= {f"{root.name}.{name}": field for name, field in root.fields.items()}
    return found


def selection(field: GraphQLField) -> str:
    returned = get_named_type(field.type)
    if isinstance(returned, GraphQLObjectType) and "edges" in returned.fields:
        return "{ edges { node { __typename } } }"
    return "{ __typename }"


def operation(name: str) -> tuple[str, list[str]]:
    root, field_name = name.split(".")
    call = MATRIX[name][1]
    assert call.startswith(field_name), f"the row of {name} calls another field"
    used = sorted(set(re.findall(r"\$(\w+)", call)))
    declared = f"({', '.join(f'${v}: ID!' for v in used)})" if used else ""
    body = f"{call} {selection(schema_fields()[name])}"
    return f"{root.lower()} {declared} {{ {body} }}", used


def outcome(result: Result, name: str) -> str:
    if result.codes == ["UNAUTHENTICATED"]:
        return "401"
    if result.codes == ["FORBIDDEN"]:
        return "403"
    root, field_name = name.split(".")
    value: Any = result.ok()[field_name]
    if value is None:
        return "nul"
    if "edges" in value:
        return "ok" if value["edges"] else "0"
    typename: str = value["__typename"]
    if root == "Query" or typename.endswith("Success"):
        return "ok"
    return {full: short for short, full in TYPED.items()}.get(typename, typename)


def test_every_root_field_of_the_schema_has_exactly_one_row() -> None:
    fields = set(schema_fields())

    assert sorted(fields - set(MATRIX)) == [], "add a row to MATRIX for each new field"
    assert sorted(set(MATRIX) - fields) == [], "a row names a field the schema does not have"


def test_every_row_names_an_outcome_for_each_caller() -> None:
    known = {"ok", "0", "nul", "401", "403", *TYPED}

    for name, (outcomes, _) in MATRIX.items():
        assert len(outcomes.split()) == len(CALLERS), name
        assert set(outcomes.split()) <= known, name


@pytest.mark.parametrize("caller", [str(c) for c in CALLERS])
@pytest.mark.parametrize("name", list(MATRIX))
async def test_the_caller_gets_the_outcome_the_matrix_says(
    api: Api, name: str, caller: str
) -> None:
    home = await seed_home()
    document, used = operation(name)
    expected = MATRIX[name][0].split()[[str(c) for c in CALLERS].index(caller)]

    result = await api(document, {v: home.ids[v] for v in used}, user=home.callers[caller])

    assert outcome(result, name) == expected, result.body
    if expected == "403":
        denied = await AuditEvent.get(action="access.denied")
        assert denied.details == {"fields": [name.split(".")[1]]}
