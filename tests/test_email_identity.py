"""E-mail identity in one function: ASCII case folding of the local part, IDNA for the domain,
every other character exactly (NFC), so no Unicode mapping makes two mailboxes one."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from tortoise import connections

from models import email
from models.migrations import __name__ as migrations_package
from models.role import Role
from models.user import User
from tests.support.builders import make_user

rekey = __import__(f"{migrations_package}.0008_scope_block_and_email_key", fromlist=["x"])


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Anna.Muster@Kita-Sonne.CH", "anna.muster@kita-sonne.ch"),
        (" anna@kita.ch ", "anna@kita.ch"),
        ("anna@Bücher.ch", "anna@xn--bcher-kva.ch"),
        ("anna@BÜCHER.ch", "anna@bücher.ch"),
        ("jose\u0301@kita.ch", "jos\u00e9@kita.ch"),  # NFC: composed and decomposed é
    ],
)
def test_spellings_of_one_mailbox_have_one_key(one: str, other: str) -> None:
    assert email.normalized(one) == email.normalized(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("\u212aira@heim.ch", "kira@heim.ch"),  # KELVIN SIGN
        ("\u017fara@heim.ch", "sara@heim.ch"),  # LATIN SMALL LETTER LONG S
        ("\uff4bira@heim.ch", "kira@heim.ch"),  # FULLWIDTH LATIN SMALL LETTER K
        ("\u00c9va@heim.ch", "\u00e9va@heim.ch"),  # non-ASCII letters keep their case
    ],
)
def test_look_alike_addresses_are_other_mailboxes(one: str, other: str) -> None:
    assert email.normalized(one) != email.normalized(other)


async def test_two_look_alike_addresses_are_two_accounts_in_the_database() -> None:
    """PostgreSQL's lower() folds KELVIN SIGN to `k`: an index on lower(email) refused this."""
    kelvin = await make_user(Role.APPLICANT, email="\u212aira@heim.ch", bound=False)
    plain = await make_user(Role.APPLICANT, email="kira@heim.ch")

    assert {kelvin.email_key, plain.email_key} == {"Kira@heim.ch", "kira@heim.ch"}
    assert await User.filter(id__in=[kelvin.id, plain.id]).count() == 2


async def test_the_migration_recomputes_every_key_with_the_identity_function() -> None:
    person = await make_user(Role.APPLICANT, email="Eva@B\u00fccher.ch")
    await User.filter(id=person.id).update(email_key="eva@b\u00fccher.ch")  # as lower() had it

    await rekey.rekey_emails(None, SimpleNamespace(client=connections.get("default")))

    assert (await User.get(id=person.id)).email_key == "eva@xn--bcher-kva.ch"
