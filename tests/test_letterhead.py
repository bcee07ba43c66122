"""The canton's letterhead from the configuration: its name (German / French), its support
contact, and the sender's domain that every Message-ID is made in."""

from __future__ import annotations

import pytest

from i18n import Named
from mailer.letterhead import Letterhead, sender_domain
from settings import ConfigurationError, Settings


def test_without_configuration_the_mails_come_from_kanton_bern_without_a_support_contact() -> None:
    letterhead = Letterhead.from_settings(Settings.from_env({}))

    assert letterhead == Letterhead(
        canton=Named("Kanton Bern", "Kanton Bern"),
        support_email=None,
        support_phone=None,
        sender_domain="localhost",
    )


def test_the_canton_its_support_contact_and_the_sender_domain_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "KIBON_CANTON_NAME": "  Kanton Bern /  Canton de Berne ",
            "KIBON_SUPPORT_EMAIL": "support@kibon.be.ch",
            "KIBON_SUPPORT_PHONE": "031 633 00 00",
            "KIBON_MAIL_FROM": "kiBon <NoReply@KiBon.Be.ch>",
        }
    )

    assert Letterhead.from_settings(settings) == Letterhead(
        canton=Named("Kanton Bern", "Canton de Berne"),
        support_email="support@kibon.be.ch",
        support_phone="031 633 00 00",
        sender_domain="kibon.be.ch",
    )


@pytest.mark.parametrize(
    ("mail_from", "domain"),
    [("noreply@kibon.be.ch", "kibon.be.ch"), ("kiBon <a@b.ch>", "b.ch"), ("kiBon", "localhost")],
)
def test_the_sender_domain_is_the_domain_of_the_sender_address(mail_from: str, domain: str) -> None:
    assert sender_domain(mail_from) == domain


def test_a_canton_name_longer_than_a_hundred_characters_stops_the_start() -> None:
    with pytest.raises(ConfigurationError, match="KIBON_CANTON_NAME"):
        Settings.from_env({"KIBON_CANTON_NAME": "K" * 101})
