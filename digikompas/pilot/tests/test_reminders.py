"""Reminders before a session (manage.py send_session_reminders, the task of the same name):
everyone with a seat in a session that starts within 48 hours is reminded once."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext

from digikompas.pilot import tasks
from digikompas.pilot.enrolment import cancel, enrol
from digikompas.pilot.models import Enrolment, Session
from digikompas.testing import make_person


def da(msgid, **values):
    with translation.override("da"):
        text = gettext(msgid)
    return text % values if values else text


def remind() -> str:
    out = StringIO()
    call_command("send_session_reminders", stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def people(odense_main):
    return [
        make_person(name, f"{name.lower()}@odense.example", library=odense_main, login=False)
        for name in ("Anna", "Bo", "Carl", "Dina")
    ]


@pytest.fixture
def next_month(module):
    starts = timezone.now() + datetime.timedelta(days=30)
    return Session.objects.create(
        module=module,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        meeting_url="https://meet.example/pilot",
        capacity=5,
    )


def test_everyone_with_a_seat_in_a_session_within_two_days_is_reminded_once(
    session, next_month, people, smtp_server
):
    anna, bo, carl, dina = people
    enrol(session, anna)  # the session starts tomorrow: two seats
    enrol(session, bo)
    enrol(session, carl)  # waiting: no reminder
    enrol(next_month, dina)  # too far ahead
    smtp_server.messages.clear()

    assert remind() == "2 reminders sent."

    assert sorted(m["To"] for m in smtp_server.messages) == [anna.email, bo.email]
    date = timezone.localtime(session.starts_at)
    with translation.override("da"):
        from django.utils.formats import date_format

        expected = da(
            "Reminder: %(module)s on %(date)s",
            module="Formidling af eReolen til seniorer",
            date=date_format(date, "DATE_FORMAT"),
        )
    assert {m["Subject"] for m in smtp_server.messages} == {expected}
    message = smtp_server.messages[0]
    assert "Odense Hovedbibliotek, mødelokale 2" in smtp_server.text_of(message)
    assert [a.get_content_type() for a in message.iter_attachments()] == ["text/calendar"]
    reminded = Enrolment.objects.filter(reminder_sent_at__isnull=False)
    assert sorted(e.person.name for e in reminded) == ["Anna", "Bo"]

    assert remind() == "0 reminders sent."
    assert len(smtp_server.messages) == 2


def test_someone_who_moves_up_is_reminded_on_the_next_run(session, people, smtp_server):
    anna, bo, carl, _dina = people
    for person in (anna, bo, carl):
        enrol(session, person)
    tasks.send_session_reminders.call()
    smtp_server.messages.clear()

    cancel(Enrolment.objects.get(person=anna))  # Carl gets her seat
    sent = tasks.send_session_reminders.call()

    assert sent == 1
    assert [m["To"] for m in smtp_server.messages] == [carl.email]


def test_a_session_that_has_started_is_not_reminded(session, people, smtp_server):
    enrol(session, people[0])
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    smtp_server.messages.clear()

    assert tasks.send_session_reminders.call() == 0
    assert smtp_server.messages == []


def test_a_failed_reminder_is_sent_on_the_next_run(session, people, smtp_server, settings):
    enrol(session, people[0])
    smtp_server.messages.clear()
    good = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},  # nothing listens
        }
    }

    with pytest.raises(ConnectionRefusedError):
        tasks.send_session_reminders.call()
    assert not Enrolment.objects.filter(reminder_sent_at__isnull=False).exists()

    settings.MAILERS = good
    assert tasks.send_session_reminders.call() == 1
    assert [m["To"] for m in smtp_server.messages] == [people[0].email]
