"""The API speaks the request's language (Accept-Language over German and French): typed
errors, field errors, warnings, its own GraphQL errors and its HTTP refusals, each answer
saying which language it is in."""

from __future__ import annotations

import httpx
import pytest

from i18n import Language
from models.role import Role
from tests.support.api import Api, Result
from tests.support.builders import make_user
from tests.support.operations import REGISTER_SPONSOR
from web.language import telling

BAD_SPONSOR = {"input": {"name": "  ", "adminEmail": "nicht-eine-adresse"}}


def assert_told(result: Result, language: str) -> None:
    assert result.headers["Content-Language"] == language
    assert "Accept-Language" in result.headers["Vary"]


async def test_invalid_input_is_answered_in_french_for_fr_ch(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)

    result = await api(REGISTER_SPONSOR, BAD_SPONSOR, user=canton, language="fr-CH, fr;q=0.9")

    answer = result.ok()["registerSponsor"]
    assert answer == {
        "__typename": "InvalidInput",
        "message": "La saisie n'est pas valable.",
        "fieldErrors": [
            {"field": "name", "code": "REQUIRED", "message": "Saisissez un nom."},
            {
                "field": "adminEmail",
                "code": "INVALID_EMAIL",
                "message": "Ce n'est pas une adresse e-mail valable, p. ex. "
                "anna.muster@kita-sonne.ch.",
            },
        ],
    }
    assert_told(result, "fr")


@pytest.mark.parametrize("header", [None, "de-CH", "en-US, it;q=0.8"])
async def test_invalid_input_is_answered_in_german_otherwise(api: Api, header: str | None) -> None:
    canton = await make_user(Role.CANTON_ADMIN)

    result = await api(REGISTER_SPONSOR, BAD_SPONSOR, user=canton, language=header)

    answer = result.ok()["registerSponsor"]
    assert answer["message"] == "Die Eingabe ist ungültig."
    assert [(e["code"], e["message"]) for e in answer["fieldErrors"]] == [
        ("REQUIRED", "Geben Sie einen Namen ein."),
        (
            "INVALID_EMAIL",
            "Dies ist keine gültige E-Mail-Adresse, z. B. anna.muster@kita-sonne.ch.",
        ),
    ]
    assert_told(result, "de")


async def test_a_warning_has_its_code_and_a_message_in_the_requests_language(api: Api) -> None:
    canton = await make_user(Role.CANTON_ADMIN)
    sponsor = {"input": {"name": "Kitas Genève", "adminEmail": "info@kitas-geneve.ch"}}

    result = await api(REGISTER_SPONSOR, sponsor, user=canton, language="fr")

    [warning] = result.ok()["registerSponsor"]["warnings"]
    assert warning["code"] == "SHARED_MAILBOX"
    assert warning["message"].startswith(
        "Cette adresse semble être une boîte aux lettres partagée."
    )


@pytest.mark.parametrize(
    ("header", "unauthenticated", "forbidden"),
    [
        ("fr", "Connectez-vous d'abord.", "Votre rôle ne le permet pas."),
        ("de", "Melden Sie sich zuerst an.", "Ihre Rolle erlaubt dies nicht."),
    ],
)
async def test_unauthenticated_and_forbidden_say_it_in_the_requests_language(
    api: Api, header: str, unauthenticated: str, forbidden: str
) -> None:
    applicant = await make_user(Role.APPLICANT)

    anonymous = await api(REGISTER_SPONSOR, BAD_SPONSOR, language=header)
    refused = await api(REGISTER_SPONSOR, BAD_SPONSOR, user=applicant, language=header)

    assert anonymous.codes == ["UNAUTHENTICATED"]
    assert anonymous.errors[0]["message"] == unauthenticated
    assert refused.codes == ["FORBIDDEN"]
    assert refused.errors[0]["message"] == forbidden
    assert_told(refused, header)


async def test_bad_user_input_and_limits_say_it_in_the_requests_language(api: Api) -> None:
    too_many = await api("{ publicInstitutions(first: 101) { edges { cursor } } }", language="fr")
    twice = (
        "sponsor { institutions { edges { node { " * 2
        + "sponsor { institutions { edges { cursor } } }"
        + " } } } }" * 2
    )
    too_deep = await api(
        "mutation ($input: RegisterSponsorInput!) { registerSponsor(input: $input) { "
        f"... on RegisterSponsorSuccess {{ {twice} }} }} }}",
        BAD_SPONSOR,
        language="fr",
    )

    assert too_many.codes == ["BAD_USER_INPUT"]
    assert too_many.errors[0]["message"] == "`first` doit être compris entre 0 et 100."
    assert too_deep.codes == ["BAD_USER_INPUT"]
    assert too_deep.errors[0]["message"] == "L'opération est imbriquée sur plus de 10 niveaux."


async def test_the_token_limit_says_it_in_the_requests_language_and_other_syntax_errors_do_not(
    api: Api,
) -> None:
    too_long = await api("{ " + " ".join(["__typename"] * 2001) + " }", language="fr")
    broken = await api("{ __typename", language="fr")

    assert too_long.codes == ["BAD_USER_INPUT"]
    assert too_long.errors[0]["message"] == "L'opération compte plus de 2000 jetons."
    assert broken.codes == ["BAD_USER_INPUT"]
    assert broken.errors[0]["message"].startswith("Syntax Error")  # graphql-core's own


async def test_a_refusal_of_the_http_layer_says_it_in_the_requests_language(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql",
        content='{"query": "{ me { user { id } } }"}',
        headers={"Content-Type": "text/plain", "Accept-Language": "fr-CH"},
    )

    assert response.status_code == 415
    assert response.json()["errors"][0]["message"] == (
        "Envoyez l'opération en JSON avec `Content-Type: application/json`."
    )
    assert response.headers["Content-Language"] == "fr"
    assert "Accept-Language" in response.headers["Vary"]


async def test_a_body_that_is_not_json_is_refused_in_the_requests_language(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql",
        content="{ this is not json",
        headers={"Content-Type": "application/json", "Accept-Language": "fr"},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        "Le contenu de la requête n'est pas du JSON lisible par ce serveur."
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_rejected_token_says_it_in_the_requests_language(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "{ me { user { id } } }"},
        headers={"Authorization": "Bearer not-a-token", "Accept-Language": "fr"},
    )

    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == (
        "La connexion n'est pas valable ; veuillez vous reconnecter."
    )


def test_an_answer_tells_one_language_and_adds_it_to_what_it_varies_by() -> None:
    answer = [(b"vary", b"Origin"), (b"content-language", b"en"), (b"etag", b"1")]

    assert telling(answer, Language.FR) == [
        (b"etag", b"1"),
        (b"content-language", b"fr"),
        (b"vary", b"Origin, Accept-Language"),
    ]
    assert telling([], Language.DE) == [
        (b"content-language", b"de"),
        (b"vary", b"Accept-Language"),
    ]
