"""Flows 1 and 2: the canton registers sponsors and institutions, each with an invited admin."""

from __future__ import annotations

import pytest

from mailer.outbox import DeliveryStatus, OutboxMessage
from models.audit import AuditEvent
from models.institution import Institution
from models.invitation import Invitation
from models.role import Role
from models.sponsor import Sponsor
from models.user import User, UserStatus
from schema.types import ids
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.flows import registered_sponsor
from tests.support.operations import REGISTER_INSTITUTION, REGISTER_SPONSOR


def sponsor_input(**overrides: object) -> dict[str, object]:
    return {
        "input": {"name": "Kitas Sonnenschein", "adminEmail": "Jana.Muster@Kita-Sonne.ch"}
        | overrides
    }


def institution_input(**overrides: object) -> dict[str, object]:
    values = {
        "name": "Kita Sonne",
        "careType": "DAYCARE_CENTER",
        "vouchersFrom": "2024-08-01",
        "adminEmail": "leitung@kita-sonne.ch",
    }
    return {"input": values | overrides}


@pytest.mark.parametrize("role", [Role.CANTON_ADMIN, Role.CANTON_CLERK, Role.SUPER_ADMIN])
async def test_canton_staff_register_a_sponsor_with_an_invited_admin(api: Api, role: Role) -> None:
    canton = await make_user(role)

    result = await api(REGISTER_SPONSOR, sponsor_input(), user=canton)

    payload = result.ok()["registerSponsor"]
    assert payload["__typename"] == "RegisterSponsorSuccess"
    assert payload["sponsor"]["name"] == "Kitas Sonnenschein"
    assert payload["invitation"]["email"] == "Jana.Muster@Kita-Sonne.ch"
    assert payload["invitation"]["role"] == "SPONSOR_ADMIN"
    assert payload["invitation"]["status"] == "PENDING"
    assert payload["invitation"]["deliveryStatus"] == "PENDING"
    assert payload["warnings"] == []
    admin = await User.get(email_key="jana.muster@kita-sonne.ch")
    assert (admin.role, admin.status, admin.email) == (
        Role.SPONSOR_ADMIN,
        UserStatus.INVITED,
        "Jana.Muster@Kita-Sonne.ch",
    )
    assert admin.sponsor_id == ids.decode(payload["sponsor"]["id"], "Sponsor")
    assert await OutboxMessage.filter(recipient="Jana.Muster@Kita-Sonne.ch").count() == 1
    assert await AuditEvent.filter(action="sponsor.registered", actor_id=canton.id).count() == 1


@pytest.mark.parametrize(
    "role",
    [
        Role.SPONSOR_ADMIN,
        Role.SPONSOR_CLERK,
        Role.INSTITUTION_ADMIN,
        Role.INSTITUTION_CLERK,
        Role.APPLICANT,
    ],
)
async def test_other_roles_may_not_register_a_sponsor(api: Api, role: Role) -> None:
    someone = await make_user(role)

    result = await api(REGISTER_SPONSOR, sponsor_input(), user=someone)

    assert result.codes == ["FORBIDDEN"]
    assert result.data == {"registerSponsor": None}
    assert await Sponsor.all().count() == 0


async def test_registering_without_a_token_is_unauthenticated(api: Api) -> None:
    result = await api(REGISTER_SPONSOR, sponsor_input())

    assert result.codes == ["UNAUTHENTICATED"]
    assert await Sponsor.all().count() == 0


async def test_a_sponsor_name_is_unique_whatever_its_case_and_accents(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    await make_sponsor(name="Kitas Zürich")

    result = await api(REGISTER_SPONSOR, sponsor_input(name="  kitas zurich "), user=canton)

    payload = result.ok()["registerSponsor"]
    assert payload["__typename"] == "InvalidInput"
    assert [e["field"] for e in payload["fieldErrors"]] == ["name"]
    assert await Sponsor.all().count() == 1
    assert await User.filter(role=Role.SPONSOR_ADMIN).count() == 0


async def test_every_invalid_field_is_reported_at_once_and_nothing_is_written(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)

    result = await api(
        REGISTER_SPONSOR, sponsor_input(name="   ", adminEmail="not-an-address"), user=canton
    )

    payload = result.ok()["registerSponsor"]
    assert payload["__typename"] == "InvalidInput"
    assert {e["field"] for e in payload["fieldErrors"]} == {"name", "adminEmail"}
    assert await Sponsor.all().count() == 0
    assert await OutboxMessage.all().count() == 0


async def test_names_are_trimmed_and_bounded(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)

    trimmed = await api(REGISTER_SPONSOR, sponsor_input(name="  Kitas   Bern  "), user=canton)
    too_long = await api(
        REGISTER_SPONSOR, sponsor_input(name="x" * 201, adminEmail="b@x.ch"), user=canton
    )

    assert trimmed.ok()["registerSponsor"]["sponsor"]["name"] == "Kitas Bern"
    assert too_long.ok()["registerSponsor"]["fieldErrors"][0]["field"] == "name"


async def test_an_email_held_by_staff_is_refused_and_nothing_is_created(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    await make_user(Role.INSTITUTION_CLERK, email="jana.muster@kita-sonne.ch")

    result = await api(REGISTER_SPONSOR, sponsor_input(), user=canton)

    assert result.ok()["registerSponsor"]["__typename"] == "EmailAlreadyInUse"
    assert await Sponsor.all().count() == 0
    assert await Invitation.all().count() == 0
    assert await OutboxMessage.all().count() == 0


async def test_an_applicant_may_be_invited_and_keeps_its_account(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    applicant = await make_user(Role.APPLICANT, email="jana.muster@kita-sonne.ch")

    result = await api(REGISTER_SPONSOR, sponsor_input(), user=canton)

    assert result.ok()["registerSponsor"]["__typename"] == "RegisterSponsorSuccess"
    invitation = await Invitation.get()
    assert invitation.user_id == applicant.id
    assert (await User.get(id=applicant.id)).role == Role.APPLICANT  # until acceptance


async def test_a_shared_mailbox_is_allowed_with_a_warning(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)

    result = await api(
        REGISTER_SPONSOR, sponsor_input(adminEmail="Info@kita-sonne.ch"), user=canton
    )

    payload = result.ok()["registerSponsor"]
    assert payload["__typename"] == "RegisterSponsorSuccess"
    assert [w["code"] for w in payload["warnings"]] == ["SHARED_MAILBOX"]


async def test_registering_an_institution_invites_a_new_institution_admin(api: Api) -> None:
    canton = await make_user(Role.CANTON_CLERK)

    result = await api(REGISTER_INSTITUTION, institution_input(), user=canton)

    payload = result.ok()["registerInstitution"]
    assert payload["__typename"] == "RegisterInstitutionSuccess"
    assert payload["institution"] == {
        "id": payload["institution"]["id"],
        "name": "Kita Sonne",
        "careType": "DAYCARE_CENTER",
        "status": "INVITED",
        "vouchersFrom": "2024-08-01",
        "sponsor": None,
    }
    assert payload["invitation"]["role"] == "INSTITUTION_ADMIN"
    admin = await User.get(email_key="leitung@kita-sonne.ch")
    assert (admin.role, admin.status) == (Role.INSTITUTION_ADMIN, UserStatus.INVITED)
    assert admin.institution_id == ids.decode(payload["institution"]["id"], "Institution")


async def test_an_admin_of_the_given_sponsor_is_reused_for_a_new_institution(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    sponsor = await make_sponsor(name="Kitas Bern")
    sponsor_admin = await make_user(
        Role.SPONSOR_ADMIN, email="chefin@kitas-bern.ch", sponsor=sponsor
    )
    sponsor_id = ids.encode("Sponsor", sponsor.id)

    result = await api(
        REGISTER_INSTITUTION,
        institution_input(adminEmail="CHEFIN@kitas-bern.ch", sponsorId=sponsor_id),
        user=canton,
    )

    payload = result.ok()["registerInstitution"]
    assert payload["__typename"] == "RegisterInstitutionSuccess"
    assert payload["institution"]["sponsor"] == {"name": "Kitas Bern"}
    assert payload["invitation"]["role"] == "SPONSOR_ADMIN"
    assert payload["invitation"]["institution"] == {"name": "Kita Sonne"}
    assert await User.all().count() == 2  # nobody new
    invitation = await Invitation.get()
    assert invitation.user_id == sponsor_admin.id


async def test_an_admin_of_another_sponsor_is_refused(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    sponsor, other = await make_sponsor(), await make_sponsor()
    await make_user(Role.SPONSOR_ADMIN, email="chefin@kitas-bern.ch", sponsor=other)

    result = await api(
        REGISTER_INSTITUTION,
        institution_input(
            adminEmail="chefin@kitas-bern.ch", sponsorId=ids.encode("Sponsor", sponsor.id)
        ),
        user=canton,
    )

    assert result.ok()["registerInstitution"]["__typename"] == "EmailAlreadyInUse"
    assert await Institution.all().count() == 0


async def test_a_sponsor_admin_without_a_sponsor_given_is_refused(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    await make_user(Role.SPONSOR_ADMIN, email="chefin@kitas-bern.ch", sponsor=await make_sponsor())

    result = await api(
        REGISTER_INSTITUTION, institution_input(adminEmail="chefin@kitas-bern.ch"), user=canton
    )

    assert result.ok()["registerInstitution"]["__typename"] == "EmailAlreadyInUse"
    assert await Institution.all().count() == 0


async def test_an_unknown_sponsor_is_not_found_and_a_malformed_id_is_bad_input(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)

    unknown = await api(
        REGISTER_INSTITUTION, institution_input(sponsorId=ids.encode("Sponsor", 999)), user=canton
    )
    malformed = await api(
        REGISTER_INSTITUTION, institution_input(sponsorId="nonsense"), user=canton
    )

    assert unknown.ok()["registerInstitution"]["__typename"] == "NotFound"
    assert malformed.codes == ["BAD_USER_INPUT"]
    assert await Institution.all().count() == 0


async def test_institution_fields_are_checked_together(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)

    result = await api(
        REGISTER_INSTITUTION,
        institution_input(name="", vouchersFrom="1850-01-01", adminEmail="@@"),
        user=canton,
    )

    payload = result.ok()["registerInstitution"]
    assert {e["field"] for e in payload["fieldErrors"]} == {"name", "vouchersFrom", "adminEmail"}
    assert await Institution.all().count() == 0


async def test_a_missing_care_type_is_refused_by_the_schema(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    values = institution_input()
    del values["input"]["careType"]  # type: ignore[attr-defined]

    result = await api(REGISTER_INSTITUTION, values, user=canton)

    assert result.errors
    assert await Institution.all().count() == 0


async def test_the_registration_writes_the_invitation_mail_and_audit_together(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)

    await api(REGISTER_INSTITUTION, institution_input(), user=canton)

    invitation = await Invitation.get().prefetch_related("message")
    assert invitation.message is not None
    assert invitation.message.status == DeliveryStatus.PENDING
    assert invitation.token_hash not in (invitation.message.body_text or "")
    assert await AuditEvent.filter(action="institution.registered").count() == 1


async def test_canton_staff_correct_a_sponsors_name(api: Api) -> None:
    canton = await make_user(Role.CANTON_CLERK)
    done = await registered_sponsor(name="Kitas Bärn")
    assert done.sponsor is not None

    result = await api(
        'mutation ($id: ID!) { updateSponsor(id: $id, input: {name: "Kitas Bern"}) '
        "{ __typename ... on UpdateSponsorSuccess { sponsor { name } } } }",
        {"id": ids.encode("Sponsor", done.sponsor.id)},
        user=canton,
    )

    assert result.ok()["updateSponsor"]["sponsor"] == {"name": "Kitas Bern"}
    assert (await Sponsor.get(id=done.sponsor.id)).name == "Kitas Bern"


UPDATE_INSTITUTION = """
mutation ($id: ID!, $input: UpdateInstitutionInput!) {
  updateInstitution(id: $id, input: $input) {
    __typename
    ... on UpdateInstitutionSuccess { institution { name careType vouchersFrom } }
  }
}
"""


async def test_canton_staff_correct_an_institutions_registration_data(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    kita = await make_institution(name="Kita Sone")

    result = await api(
        UPDATE_INSTITUTION,
        {
            "id": ids.encode("Institution", kita.id),
            "input": {"name": "Kita Sonne", "careType": "DAY_SCHOOL", "vouchersFrom": "2025-01-01"},
        },
        user=canton,
    )

    assert result.ok()["updateInstitution"]["institution"] == {
        "name": "Kita Sonne",
        "careType": "DAY_SCHOOL",
        "vouchersFrom": "2025-01-01",
    }


async def test_after_activation_only_the_canton_changes_the_voucher_date(api: Api) -> None:
    sponsor = await make_sponsor()
    kita = await make_institution(sponsor=sponsor)
    kita.status = kita.status.ACTIVE
    await kita.save()
    sponsor_admin = await make_user(Role.SPONSOR_ADMIN, sponsor=sponsor)
    variables = {"id": ids.encode("Institution", kita.id), "input": {"vouchersFrom": "2030-01-01"}}

    refused = await api(UPDATE_INSTITUTION, variables, user=sponsor_admin)
    renamed = await api(
        UPDATE_INSTITUTION, variables | {"input": {"name": "Kita Neu"}}, user=sponsor_admin
    )

    assert refused.codes == ["FORBIDDEN"]
    assert renamed.ok()["updateInstitution"]["institution"]["name"] == "Kita Neu"
    assert (await Institution.get(id=kita.id)).vouchers_from.year == 2020
