"""GraphQL documents for user administration, and a small world of two sponsors to run them in."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.models import Model

from models.institution import Institution
from models.role import INSTITUTION_ROLES, SPONSOR_ROLES, Role
from models.sponsor import Sponsor
from models.user import User
from schema.types import ids
from tests.support.builders import make_institution, make_sponsor, make_user

# The contract's role table, written out again on purpose: the code's table is under test.
MAY_GRANT = {
    Role.SUPER_ADMIN: set(Role),
    Role.CANTON_ADMIN: {
        Role.CANTON_ADMIN,
        Role.CANTON_CLERK,
        Role.SPONSOR_ADMIN,
        Role.INSTITUTION_ADMIN,
    },
    Role.SPONSOR_ADMIN: {
        Role.SPONSOR_ADMIN,
        Role.SPONSOR_CLERK,
        Role.INSTITUTION_ADMIN,
        Role.INSTITUTION_CLERK,
    },
    Role.INSTITUTION_ADMIN: {Role.INSTITUTION_ADMIN, Role.INSTITUTION_CLERK},
}

INVITE_USER = """
mutation ($input: InviteUserInput!) {
  inviteUser(input: $input) {
    __typename
    ... on InviteUserSuccess {
      user { id email role status firstName lastName sponsor { name } institution { name } }
      invitation { id email role status sponsor { name } institution { name } }
      warnings { code message }
    }
    ... on InvalidInput { fieldErrors { field message } }
    ... on Error { message }
  }
}
"""

CHANGE_USER_ROLE = """
mutation ($id: ID!, $input: ChangeUserRoleInput!) {
  changeUserRole(id: $id, input: $input) {
    __typename
    ... on ChangeUserRoleSuccess { user { id role status sponsor { name } institution { name } } }
    ... on InvalidInput { fieldErrors { field message } }
    ... on Error { message }
  }
}
"""

BLOCK_USER = """
mutation ($id: ID!) {
  blockUser(id: $id) {
    __typename
    ... on BlockUserSuccess { user { id status } }
    ... on Error { message }
  }
}
"""

UNBLOCK_USER = """
mutation ($id: ID!) {
  unblockUser(id: $id) {
    __typename
    ... on UnblockUserSuccess { user { id status } }
    ... on Error { message }
  }
}
"""


def gid(row: Model) -> str:
    """The global ID of a sponsor, institution, user or invitation."""
    return ids.encode(type(row).__name__, row.pk)


@dataclass
class World:
    """Sponsor "Heim" runs institution "Kita Heim"; sponsor "Fremd" runs "Kita Fremd". One
    person per role at home (canton roles and the applicant belong nowhere), and `foreign`,
    the admin of "Fremd"."""

    sponsor: Sponsor
    institution: Institution
    other_sponsor: Sponsor
    other_institution: Institution
    people: dict[Role, User]
    foreign: User

    def scope_of(self, role: Role) -> dict[str, str]:
        """Input fields that put `role` at home."""
        if role in SPONSOR_ROLES:
            return {"sponsorId": gid(self.sponsor)}
        if role in INSTITUTION_ROLES:
            return {"institutionId": gid(self.institution)}
        return {}


async def seed_world() -> World:
    sponsor = await make_sponsor(name="Kitas Heim")
    institution = await make_institution(name="Kita Heim", sponsor=sponsor)
    other_sponsor = await make_sponsor(name="Kitas Fremd")
    other_institution = await make_institution(name="Kita Fremd", sponsor=other_sponsor)
    people = {}
    for role in Role:
        people[role] = await make_user(
            role,
            email=f"{role.value.lower().replace('_', '.')}@heim.ch",
            sponsor=sponsor if role in SPONSOR_ROLES else None,
            institution=institution if role in INSTITUTION_ROLES else None,
        )
    foreign = await make_user(Role.SPONSOR_ADMIN, email="admin@fremd.ch", sponsor=other_sponsor)
    return World(sponsor, institution, other_sponsor, other_institution, people, foreign)
