"""Flow 3: parents see every registered institution from its voucher date on."""

from __future__ import annotations

from datetime import date

from models.institution import CareType, Institution, InstitutionStatus
from models.role import Role
from schema.types import ids
from schema.types.institution import SPONSOR_INSTITUTIONS_ORDER
from schema.types.keyset import decode_cursor
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.flows import registered_institution
from tests.support.operations import PUBLIC_INSTITUTIONS


async def activate(institution: Institution) -> None:
    institution.status = InstitutionStatus.ACTIVE
    institution.organisation = "Kita Sonne GmbH"
    institution.street, institution.house_number = "Sonnenweg", "3a"
    institution.postal_code, institution.town = "3000", "Bern"
    institution.contact_email = "eltern@kita-sonne.ch"
    institution.phone, institution.website = "+41311234567", "https://kita-sonne.ch"
    institution.iban, institution.account_holder = "CH9300762011623852957", "Kita Sonne GmbH"
    institution.opening_days, institution.places = ["MONDAY"], 12
    await institution.save()


async def listed(api: Api, **filter_: object) -> list[dict[str, object]]:
    result = await api(PUBLIC_INSTITUTIONS, {"filter": filter_} if filter_ else {})
    return [edge["node"] for edge in result.ok()["publicInstitutions"]["edges"]]


async def test_a_registered_institution_is_visible_at_once_without_a_token(api: Api) -> None:
    await registered_institution(name="Kita Sonne", vouchers_from=date(2024, 8, 1))

    nodes = await listed(api)

    assert [n["name"] for n in nodes] == ["Kita Sonne"]


async def test_an_invited_institution_shows_name_type_and_sponsor_only(api: Api) -> None:
    await make_institution(name="Kita Mond", sponsor=await make_sponsor(name="Kitas Bern"))

    (node,) = await listed(api)

    assert node["careType"] == "DAYCARE_CENTER"
    assert node["status"] == "INVITED"
    assert node["sponsor"] == {"name": "Kitas Bern"}
    assert (node["address"], node["contactEmail"], node["phone"], node["website"]) == (
        None,
        None,
        None,
        None,
    )


async def test_an_active_institution_also_shows_address_and_contact(api: Api) -> None:
    await activate(await make_institution(name="Kita Sonne"))

    (node,) = await listed(api)

    assert node["address"] == {
        "organisation": "Kita Sonne GmbH",
        "street": "Sonnenweg",
        "houseNumber": "3a",
        "postalCode": "3000",
        "town": "Bern",
    }
    assert node["contactEmail"] == "eltern@kita-sonne.ch"
    assert node["phone"] == "+41311234567"


async def test_no_staff_iban_or_internal_field_can_be_asked_for(api: Api) -> None:
    await activate(await make_institution())

    for field in ("iban", "accountHolder", "users", "masterData", "version"):
        result = await api(f"{{ publicInstitutions {{ edges {{ node {{ {field} }} }} }} }}")

        assert result.status in (200, 400)
        assert result.errors, field
        assert "CH93" not in str(result.body)


async def test_only_institutions_accepting_vouchers_on_the_date_are_listed(api: Api) -> None:
    await make_institution(name="Ab August", vouchers_from=date(2025, 8, 1))
    await make_institution(name="Ab Januar", vouchers_from=date(2025, 1, 1))

    before = await listed(api, availableOn="2025-07-31")
    on_the_day = await listed(api, availableOn="2025-08-01")

    assert [n["name"] for n in before] == ["Ab Januar"]
    assert [n["name"] for n in on_the_day] == ["Ab August", "Ab Januar"]


async def test_search_ignores_case_and_accents_and_matches_parts(api: Api) -> None:
    await make_institution(name="Kita Zürich-Nord")
    await make_institution(name="Tagesschule Genève")
    await make_institution(name="Ferieninsel Thun")

    zurich = await listed(api, search="zurich")
    geneve = await listed(api, search="GENEVE")
    none = await listed(api, search="Basel")

    assert [n["name"] for n in zurich] == ["Kita Zürich-Nord"]
    assert [n["name"] for n in geneve] == ["Tagesschule Genève"]
    assert none == []


async def test_filter_by_care_type(api: Api) -> None:
    await make_institution(name="Kita", care_type=CareType.DAYCARE_CENTER)
    await make_institution(name="Ferien", care_type=CareType.HOLIDAY_CARE)

    nodes = await listed(api, careType="HOLIDAY_CARE")

    assert [n["name"] for n in nodes] == ["Ferien"]


async def test_pages_follow_each_other_in_a_stable_order_without_gaps(api: Api) -> None:
    for name in ["Delta", "alpha", "Charlie", "Bravo", "Echo"]:
        await make_institution(name=name)

    seen: list[str] = []
    after = None
    for _ in range(3):
        page = (await api(PUBLIC_INSTITUTIONS, {"first": 2, "after": after})).ok()
        seen += [e["node"]["name"] for e in page["publicInstitutions"]["edges"]]
        info = page["publicInstitutions"]["pageInfo"]
        after = info["endCursor"]
        if not info["hasNextPage"]:
            break

    assert seen == ["alpha", "Bravo", "Charlie", "Delta", "Echo"]


async def test_a_malformed_cursor_or_a_page_over_100_is_bad_user_input(api: Api) -> None:
    bad_cursor = await api(PUBLIC_INSTITUTIONS, {"after": "garbage!"})
    too_many = await api(PUBLIC_INSTITUTIONS, {"first": 101})

    assert bad_cursor.codes == ["BAD_USER_INPUT"]
    assert too_many.codes == ["BAD_USER_INPUT"]


async def test_every_edges_cursor_resumes_the_list_right_after_its_node(api: Api) -> None:
    for name in ["Delta", "alpha", "Charlie", "Bravo"]:
        await make_institution(name=name, sponsor=await make_sponsor(name=f"Träger {name}"))
    clerk = api.token_for(await make_user(Role.CANTON_CLERK))
    public = "query ($after: String) { publicInstitutions(first: 3, after: $after) {"
    public += " edges { cursor node { name } } pageInfo { startCursor endCursor } } }"
    nested = "{ sponsors(first: 4) { edges { node { institutions(first: 3) {"
    nested += " edges { cursor node { id } } } } } } }"

    async def names_after(cursor: str) -> list[str]:
        page = (await api(public, {"after": cursor})).ok()["publicInstitutions"]
        return [edge["node"]["name"] for edge in page["edges"]]

    page = (await api(public)).ok()["publicInstitutions"]
    sponsors = (await api(nested, token=clerk)).ok()["sponsors"]["edges"]
    inner = [e for s in sponsors for e in s["node"]["institutions"]["edges"]]

    assert [await names_after(edge["cursor"]) for edge in page["edges"]] == [
        ["Bravo", "Charlie", "Delta"],
        ["Charlie", "Delta"],
        ["Delta"],
    ]
    assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
    assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
    assert len(inner) == 4
    assert [decode_cursor(e["cursor"], SPONSOR_INSTITUTIONS_ORDER)[-1] for e in inner] == [
        ids.decode(e["node"]["id"], "Institution") for e in inner
    ]
