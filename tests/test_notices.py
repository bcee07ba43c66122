"""The short notices and the reminder, as the SMTP server receives them: what happened, to
whom, in the person's language (else both), with the canton's headers and footer."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from mailer.outbox import OutboxMessage
from mailer.worker import CHORE_INTERVAL, MailWorker
from models import (
    blocking,
    correction,
    notices,
    registration,
    reminders,
    revocation,
    user_admin,
    withdrawal,
)
from models.invitation import Invitation
from models.role import Role
from models.user import Language
from settings import Settings
from tests.support import database
from tests.support.builders import make_institution, make_sponsor, make_user
from tests.support.clock import Clock
from tests.support.flows import POLICY, canton_admin, registered_sponsor
from tests.support.letters import assert_letter_form, canton_letterhead, delivered
from tests.support.smtp import SmtpServer


async def test_a_blocked_person_is_told_in_both_languages_when_none_is_known(
    settings: Settings, smtp: SmtpServer
) -> None:
    institution = await make_institution(name="Kita Sonne")
    clerk = await make_user(
        Role.INSTITUTION_CLERK, email="tom@kita-sonne.ch", institution=institution
    )

    with canton_letterhead(settings) as configured:
        await blocking.block(by=await canton_admin(), user_id=clerk.id)
        [mail] = await delivered(configured, smtp)

    assert mail.recipients == ["tom@kita-sonne.ch"]
    assert mail.subject == "kiBon – Ihr Zugang wurde gesperrt / Votre accès a été bloqué"
    assert_letter_form(mail, german=True, french=True)
    assert (
        "Ihr Zugang zu kiBon als Sachbearbeiter/in der Institution «Kita Sonne» wurde gesperrt."
        in mail.text
    )
    assert (
        "Votre accès à kiBon en tant que collaborateur/-trice de l'institution « Kita Sonne » a "
        "été bloqué." in mail.text
    )


async def test_blocking_someone_who_never_accepted_sends_no_notice(
    settings: Settings, smtp: SmtpServer
) -> None:
    done = await registered_sponsor()
    await delivered(settings, smtp)  # the invitation itself
    smtp.reset()

    await blocking.block(by=await canton_admin(), user_id=done.invitation.user_id)

    assert await delivered(settings, smtp) == []


async def test_a_role_change_names_the_new_and_the_old_role_in_the_persons_language(
    settings: Settings, smtp: SmtpServer
) -> None:
    sponsor = await make_sponsor(name="Kitas Bärn")
    institution = await make_institution(name="Kita Sonne", sponsor=sponsor)
    person = await make_user(Role.INSTITUTION_CLERK, institution=institution)
    person.language = Language.DE
    await person.save()

    with canton_letterhead(settings) as configured:
        await user_admin.change_role(
            by=await canton_admin(),
            user_id=person.id,
            role=Role.SPONSOR_ADMIN,
            sponsor_id=sponsor.id,
            institution_id=None,
            policy=POLICY,
        )
        [mail] = await delivered(configured, smtp)

    assert mail.subject == "kiBon – Ihre Rolle wurde geändert"
    assert_letter_form(mail, german=True, french=False)
    assert (
        "Ab sofort arbeiten Sie in kiBon als Administrator/in der Trägerschaft «Kitas Bärn» mit."
        in mail.text
    )
    assert "Bisher arbeiteten Sie als Sachbearbeiter/in der Institution «Kita Sonne» mit." in (
        mail.text
    )


async def test_moving_an_institution_tells_its_staff_the_new_and_the_old_sponsor(
    settings: Settings, smtp: SmtpServer
) -> None:
    old, new = await make_sponsor(name="Kitas Alt"), await make_sponsor(name="Kitas Neu")
    institution = await make_institution(name="Kita Sonne", sponsor=old)
    staff = await make_user(Role.INSTITUTION_ADMIN, institution=institution)
    staff.language = Language.FR
    await staff.save()

    with canton_letterhead(settings) as configured:
        await correction.update_institution(
            by=await canton_admin(),
            institution_id=institution.id,
            change=correction.InstitutionCorrection(sponsor_id=new.id),
        )
        [mail] = await delivered(configured, smtp)

    assert mail.recipients == [staff.email]
    assert mail.subject == "kiBon – Votre institution fait partie d'un autre organisme responsable"
    assert_letter_form(mail, german=False, french=True)
    assert (
        "L'institution « Kita Sonne » fait désormais partie de l'organisme responsable « Kitas "
        "Neu »." in mail.text
    )
    assert "Jusqu'ici, elle faisait partie de l'organisme responsable « Kitas Alt »." in mail.text


async def test_the_withdrawal_hook_tells_the_institutions_staff_and_names_its_sponsor(
    settings: Settings, smtp: SmtpServer
) -> None:
    sponsor = await make_sponsor(name="Kitas Bärn")
    institution = await make_institution(name="Kita Sonne", sponsor=sponsor)
    staff = await make_user(Role.INSTITUTION_ADMIN, institution=institution)
    await make_user(Role.INSTITUTION_CLERK)  # of another institution: not told

    with canton_letterhead(settings) as configured:
        async with in_transaction():
            told = await notices.institution_withdrawn(institution)
        [mail] = await delivered(configured, smtp)

    assert told == 1
    assert mail.recipients == [staff.email]
    assert mail.subject == (
        "kiBon – Ihre Institution wurde zurückgezogen / Votre institution a été retirée"
    )
    assert_letter_form(mail, german=True, french=True)
    assert "Der Kanton hat die Institution «Kita Sonne» aus kiBon zurückgezogen" in mail.text
    assert "Die Institution gehörte zur Trägerschaft «Kitas Bärn»." in mail.text
    assert "Le canton a retiré l'institution « Kita Sonne » de kiBon" in mail.text


async def test_withdrawing_an_institution_tells_its_active_staff_through_the_hook(
    settings: Settings, smtp: SmtpServer
) -> None:
    institution = await make_institution(name="Kita Doppelt")
    staff = await make_user(Role.INSTITUTION_ADMIN, institution=institution)
    clerk = await make_user(Role.CANTON_CLERK)

    with canton_letterhead(settings) as configured:
        await withdrawal.withdraw_institution(
            by=clerk, institution_id=institution.id, reason="doppelt"
        )
        [mail] = await delivered(configured, smtp)

    assert mail.recipients == [staff.email]
    assert "Der Kanton hat die Institution «Kita Doppelt» aus kiBon zurückgezogen" in mail.text


async def test_one_reminder_goes_out_two_days_before_an_open_invitation_expires(
    settings: Settings, smtp: SmtpServer, clock: Clock
) -> None:
    done = await registered_sponsor(name="Kitas Bärn", admin_email="eva@kitas-baern.ch")
    with canton_letterhead(settings) as configured:
        assert configured.smtp is not None
        worker = MailWorker(
            configured, smtp=configured.smtp, now=clock, chores=(reminders.remind_due,)
        )
        await worker.deliver_due()  # the invitation; no reminder yet
        clock.advance(timedelta(days=5, minutes=1))
        await worker.deliver_due()
        clock.advance(CHORE_INTERVAL * 2)
        await worker.deliver_due()

    invitation, reminder = smtp.mails
    assert invitation.subject == "kiBon – Einladung zur Mitarbeit / Invitation à coopérer"
    assert reminder.recipients == ["eva@kitas-baern.ch"]
    assert (
        reminder.subject == "kiBon – Ihre Einladung läuft bald ab / Votre invitation expire bientôt"
    )
    assert_letter_form(reminder, german=True, french=True)
    assert (
        "Ihre Einladung, in kiBon als Administrator/in der Trägerschaft «Kitas Bärn» "
        "mitzuarbeiten, läuft am" in reminder.text
    )
    assert "#token=" not in reminder.text  # the token exists only in the invitation mail
    assert (await Invitation.get(id=done.invitation.id)).remind_at is None


async def test_an_invitation_too_short_for_a_reminder_and_a_revoked_one_get_none(
    clock: Clock,
) -> None:
    brief = await registration.register_sponsor(
        by=await canton_admin(),
        name="Kitas Kurz",
        admin_email="kurz@kitas.ch",
        language=None,
        policy=dataclasses.replace(POLICY, ttl_days=2),
    )
    revoked = await registered_sponsor()
    await revocation.revoke(by=await canton_admin(), invitation_id=revoked.invitation.id)

    queued_early = await reminders.remind_due(clock() + timedelta(days=1, hours=12))
    queued_late = await reminders.remind_due(clock() + timedelta(days=6))

    assert (queued_early, queued_late) == (0, 0)
    assert (await Invitation.get(id=brief.invitation.id)).remind_at is None
    assert await OutboxMessage.filter(subject__contains="bald ab").count() == 0


@pytest.mark.skipif(not database.is_postgres(), reason="concurrent writers need PostgreSQL")
async def test_two_workers_reminding_at_the_same_moment_queue_each_reminder_once(
    clock: Clock,
) -> None:
    for _ in range(10):
        await registered_sponsor()
    due = clock() + timedelta(days=5, minutes=1)

    queued = await asyncio.gather(reminders.remind_due(due), reminders.remind_due(due))

    assert sum(queued) == 10
    assert await OutboxMessage.filter(subject__contains="läuft bald ab").count() == 10
    assert await Invitation.filter(remind_at__isnull=False).count() == 0


async def test_the_migration_gives_open_invitations_from_before_it_their_reminder() -> None:
    migration = importlib.import_module("models.migrations.0009_invitation_reminder")
    open_one = await registered_sponsor()
    short = await registration.register_sponsor(
        by=await canton_admin(),
        name="Kitas Kurz",
        admin_email="kurz@kitas.ch",
        language=None,
        policy=dataclasses.replace(POLICY, ttl_days=2),
    )
    revoked = await registered_sponsor()
    await revocation.revoke(by=await canton_admin(), invitation_id=revoked.invitation.id)
    await Invitation.all().update(remind_at=None)  # as they were before the migration

    # The schema editor of a migration run, reduced to what the step uses: its connection.
    await migration.remind_open_invitations(
        None, SimpleNamespace(client=connections.get("default"))
    )

    opened = await Invitation.get(id=open_one.invitation.id)
    assert opened.remind_at == opened.expires_at - timedelta(days=2)
    assert (await Invitation.get(id=short.invitation.id)).remind_at is None
    assert (await Invitation.get(id=revoked.invitation.id)).remind_at is None
