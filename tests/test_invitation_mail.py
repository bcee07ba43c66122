"""The invitation mail: both languages unless one is known, both parts, the link, the expiry."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from mailer.invitation_mail import InvitationMail, render
from mailer.outbox import OutboxMessage
from mailer.worker import MailWorker
from models import registration
from models.user import Language
from settings import Settings
from tests.support.api import Api
from tests.support.flows import POLICY, canton_admin
from tests.support.operations import ACCEPT
from tests.support.smtp import SmtpServer

LINK = "https://portal.kibon.test/invitation#token=abc_DEF-123"


def mail(**overrides: object) -> InvitationMail:
    values: dict[str, object] = {
        "email": "jana@kita-sonne.ch",
        "role": "INSTITUTION_ADMIN",
        "sponsor": None,
        "institution": "Kita <Sonne> & Mond",
        "inviter": "Eva Beispiel (Kanton Bern)",
        "link": LINK,
        "valid_until": datetime(2026, 12, 4, 12, 0, tzinfo=UTC),
        "language": None,
    }
    return InvitationMail(**(values | overrides))  # type: ignore[arg-type]


def test_without_a_language_the_mail_is_german_and_french() -> None:
    subject, text, html = render(mail())

    assert subject == "kiBon – Einladung zur Mitarbeit / Invitation à coopérer"
    assert "Guten Tag" in text
    assert "Bonjour" in text
    assert 'lang="de"' in html
    assert 'lang="fr"' in html


def test_a_known_language_gives_one_language_only() -> None:
    subject_de, text_de, _ = render(mail(language="DE"))
    subject_fr, text_fr, _ = render(mail(language="FR"))

    assert subject_de == "kiBon – Einladung zur Mitarbeit"
    assert "Bonjour" not in text_de
    assert subject_fr == "kiBon – Invitation à coopérer"
    assert "Guten Tag" not in text_fr


def test_the_mail_names_place_role_inviter_link_and_validity_in_both_parts() -> None:
    _, text, html = render(mail())

    for part in (text, html):
        assert "Administrator/in der Institution" in part
        assert "Eva Beispiel (Kanton Bern)" in part
        assert LINK in part
        assert "04.12.2026 13:00" in part  # Swiss time
    assert "Kita <Sonne> & Mond" in text
    assert "Kita &lt;Sonne&gt; &amp; Mond" in html  # escaped in HTML


async def test_registering_queues_the_mail_with_a_working_link_and_language() -> None:
    done = await registration.register_sponsor(
        by=await canton_admin(),
        name="Kitas Sonne",
        admin_email="jana@kita-sonne.ch",
        language=Language.FR,
        policy=POLICY,
    )

    message = await OutboxMessage.get(id=done.invitation.message_id)
    assert message.subject == "kiBon – Invitation à coopérer"
    assert re.search(
        r"https://portal\.kibon\.test/invitation#token=[\w-]{43,}", message.body_text or ""
    )
    assert "Kitas Sonne" in (message.body_html or "")


async def test_the_invitation_of_a_registration_arrives_at_the_mail_server_with_a_working_link(
    settings: Settings, smtp: SmtpServer, api: Api
) -> None:
    done = await registration.register_sponsor(
        by=await canton_admin(),
        name="Kitas Sonne",
        admin_email="Jana@Kita-Sonne.ch",
        language=None,
        policy=POLICY,
    )
    assert settings.smtp is not None

    await MailWorker(settings, smtp=settings.smtp).deliver_due()

    [mail] = smtp.mails
    assert mail.recipients == ["Jana@Kita-Sonne.ch"]
    assert mail.subject == "kiBon – Einladung zur Mitarbeit / Invitation à coopérer"
    for part in (mail.text, mail.html):
        assert "Guten Tag" in part
        assert "Bonjour" in part
        assert "Kitas Sonne" in part
    link = re.search(r"https://portal\.kibon\.test/invitation#token=([\w-]+)", mail.text)
    assert link is not None
    assert link.group(0) in mail.html
    accepted = await api(
        ACCEPT, {"token": link.group(1)}, token=api.idp.token(email="jana@kita-sonne.ch")
    )
    assert accepted.ok()["acceptInvitation"]["__typename"] == "AcceptInvitationSuccess"
    assert done.invitation.email == "Jana@Kita-Sonne.ch"
