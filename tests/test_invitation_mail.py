"""The invitation mail as the SMTP server receives it: who invites, to what (the sponsor and the
institution each named for what they are), master data only while some is missing, the link,
the language, and the canton's headers and footer."""

from __future__ import annotations

import re
from datetime import date

from models import registration, user_admin
from models.institution import CareType, InstitutionStatus
from models.invitation import Invitation
from models.role import Role
from models.user import Language
from settings import Settings
from tests.support.api import Api
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.flows import POLICY, canton_admin
from tests.support.letters import assert_letter_form, canton_letterhead, delivered
from tests.support.operations import ACCEPT
from tests.support.smtp import SmtpServer

LINK = re.compile(r"https://portal\.kibon\.test/invitation#token=([\w-]{43,})")


async def test_a_reused_sponsor_admin_is_invited_to_activate_institution_x_of_sponsor_y(
    settings: Settings, smtp: SmtpServer
) -> None:
    sponsor = await make_sponsor(name="Kitas Bärn")
    admin = await make_user(Role.SPONSOR_ADMIN, email="eva@kitas-baern.ch", sponsor=sponsor)

    with canton_letterhead(settings) as configured:
        await registration.register_institution(
            by=await canton_admin(),
            name="Kita Sonne",
            care_type=CareType.DAYCARE_CENTER,
            vouchers_from=date(2025, 8, 1),
            admin_email=admin.email,
            sponsor_id=sponsor.id,
            language=None,
            policy=POLICY,
        )
        [mail] = await delivered(configured, smtp)

    assert mail.subject == "kiBon – Einladung zur Mitarbeit / Invitation à coopérer"
    assert_letter_form(mail, german=True, french=True)
    assert (
        "lädt Sie als Administrator/in der Trägerschaft «Kitas Bärn» ein, deren neue Institution "
        "«Kita Sonne» in kiBon zu aktivieren." in mail.text
    )
    assert (
        "en tant qu'administrateur/-trice de l'organisme responsable « Kitas Bärn », à activer sa "
        "nouvelle institution « Kita Sonne » dans kiBon." in mail.text
    )
    assert "Erfassen Sie dazu nach der Anmeldung ihre Stammdaten." in mail.text
    assert "Die kantonale Administration (Kanton Bern)" not in mail.text  # the inviter has a name
    assert "Anna Muster (Kanton Bern) lädt Sie" in mail.text
    assert "Anna Muster (Canton de Berne) vous invite" in mail.text
    assert LINK.search(mail.text)
    assert LINK.search(mail.html)


async def test_an_institution_admin_learns_which_sponsor_the_institution_belongs_to(
    settings: Settings, smtp: SmtpServer
) -> None:
    sponsor = await make_sponsor(name="Kitas Bärn")

    with canton_letterhead(settings) as configured:
        await registration.register_institution(
            by=await canton_admin(),
            name="Kita Mond",
            care_type=CareType.DAYCARE_CENTER,
            vouchers_from=date(2025, 8, 1),
            admin_email="leitung@kita-mond.ch",
            sponsor_id=sponsor.id,
            language=Language.DE,
            policy=POLICY,
        )
        [mail] = await delivered(configured, smtp)

    assert mail.subject == "kiBon – Einladung zur Mitarbeit"
    assert_letter_form(mail, german=True, french=False)
    assert (
        "lädt Sie ein, in kiBon als Administrator/in der Institution «Kita Mond» mitzuarbeiten."
        in mail.text
    )
    assert "Die Institution «Kita Mond» gehört zur Trägerschaft «Kitas Bärn»." in mail.text
    assert "Bitte erfassen Sie nach der Anmeldung die Stammdaten der Institution «Kita Mond»." in (
        mail.text
    )


async def test_an_invitation_to_an_active_institution_asks_for_no_master_data_and_leads_home(
    settings: Settings, smtp: SmtpServer, api: Api
) -> None:
    institution = await make_institution(name="Kita Stern", status=InstitutionStatus.ACTIVE)
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)

    with canton_letterhead(settings) as configured:
        await user_admin.invite(
            by=admin,
            address="clerk@kita-stern.ch",
            role=Role.INSTITUTION_CLERK,
            sponsor_id=None,
            institution_id=institution.id,
            language=Language.FR,
            policy=POLICY,
        )
        [mail] = await delivered(configured, smtp)
    link = LINK.search(mail.text)
    assert link is not None
    accepted = await api(
        ACCEPT, {"token": link.group(1)}, token=api.idp.token(email="clerk@kita-stern.ch")
    )

    assert mail.subject == "kiBon – Invitation à coopérer"
    assert_letter_form(mail, german=False, french=True)
    assert (
        "Anna Muster vous invite à collaborer dans kiBon en tant que collaborateur/-trice de "
        "l'institution « Kita Stern »." in mail.text
    )
    assert "données de base" not in mail.text
    assert accepted.ok()["acceptInvitation"]["next"] == "HOME"


async def test_an_invitation_to_an_institution_without_master_data_leads_to_them() -> None:
    institution = await make_institution(name="Kita Neu")
    admin = await make_user(Role.INSTITUTION_ADMIN, institution=institution)

    invited = await user_admin.invite(
        by=admin,
        address="zweite@kita-neu.ch",
        role=Role.INSTITUTION_ADMIN,
        sponsor_id=None,
        institution_id=institution.id,
        language=Language.DE,
        policy=POLICY,
    )

    message = await Invitation.get(id=invited.invitation.id).prefetch_related("message")
    assert message.message is not None
    assert "die Stammdaten der Institution «Kita Neu»" in (message.message.body_text or "")


async def test_an_inviter_without_a_name_is_named_by_role_and_organisation(
    settings: Settings, smtp: SmtpServer
) -> None:
    sponsor = await make_sponsor(name="Kitas Bärn")
    admin = await make_user(Role.SPONSOR_ADMIN, email="ohne.name@kitas-baern.ch", sponsor=sponsor)
    admin.first_name = admin.last_name = ""
    await admin.save()

    with canton_letterhead(settings) as configured:
        await user_admin.invite(
            by=admin,
            address="kollegin@kitas-baern.ch",
            role=Role.SPONSOR_CLERK,
            sponsor_id=sponsor.id,
            institution_id=None,
            language=None,
            policy=POLICY,
        )
        [mail] = await delivered(configured, smtp)

    assert "ohne.name@kitas-baern.ch" not in mail.text
    assert (
        "Die Administration der Trägerschaft «Kitas Bärn» lädt Sie ein, in kiBon als "
        "Sachbearbeiter/in der Trägerschaft «Kitas Bärn» mitzuarbeiten." in mail.text
    )
    assert "L'administration de l'organisme responsable « Kitas Bärn » vous invite" in mail.text


async def test_without_a_language_for_the_invitation_the_persons_stored_language_is_used(
    settings: Settings, smtp: SmtpServer
) -> None:
    sponsor = await make_sponsor(name="Crèches Bienne")
    admin = await make_user(Role.SPONSOR_ADMIN, email="anne@creches.ch", sponsor=sponsor)
    admin.language = Language.FR
    await admin.save()

    with canton_letterhead(settings) as configured:
        await registration.register_institution(
            by=await canton_admin(),
            name="Crèche Soleil",
            care_type=CareType.DAYCARE_CENTER,
            vouchers_from=date(2025, 8, 1),
            admin_email=admin.email,
            sponsor_id=sponsor.id,
            language=None,
            policy=POLICY,
        )
        [mail] = await delivered(configured, smtp)

    assert mail.subject == "kiBon – Invitation à coopérer"
    assert_letter_form(mail, german=False, french=True)
