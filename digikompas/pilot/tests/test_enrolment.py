"""The enrolment service (pilot.enrolment) and the mails it sends: seats and the waiting list,
moving up when a seat is freed, changing the number of seats, attendance and completions; and
that many people enrolling at once never fill more seats than the session has.

Mails are in the site's language (Danish); expected texts are looked up in the Danish catalogue,
so the assertions hold before and after the Danish translation exists.
"""

import datetime
import threading
import time
from collections import Counter

import icalendar
import pytest
from django.db import connection, connections
from django.utils import timezone, translation
from django.utils.translation import gettext

from digikompas.pilot import enrolment as service
from digikompas.pilot.enrolment import EnrolmentError, enrol, seats
from digikompas.pilot.models import Completion, Enrolment, EnrolmentStatus, Session
from digikompas.testing import make_person

ENROLLED, WAITLISTED, CANCELLED = (
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.CANCELLED,
)


def da(msgid, **values):
    with translation.override("da"):
        text = gettext(msgid)
    return text % values if values else text


def colleagues(library, count, *, start=0):
    return [
        make_person(f"Kollega {n}", f"kollega{n}@odense.example", library=library, login=False)
        for n in range(start, start + count)
    ]


def statuses(session) -> dict[str, str]:
    return dict(session.enrolments.values_list("person__name", "status"))


def subjects_to(smtp_server) -> list[tuple[str, str]]:
    return [(message["To"], message["Subject"]) for message in smtp_server.messages]


@pytest.fixture
def mail(django_capture_on_commit_callbacks):
    """Run the service and send the mails its commit would send."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


# -- seats and the waiting list -------------------------------------------------------------------


def test_the_first_people_get_the_seats_and_the_rest_wait(session, odense_main):
    first, second, third = colleagues(odense_main, 3)

    assert enrol(session, first).status == ENROLLED
    assert enrol(session, second).status == ENROLLED
    waiting = enrol(session, third)

    assert waiting.status == WAITLISTED
    assert waiting.waitlisted_at is not None
    assert seats(session) == service.Seats(capacity=2, taken=2, waiting=1)
    assert seats(session).free == 0


def test_a_freed_seat_goes_to_the_first_on_the_waiting_list(session, odense_main):
    first, second, third, fourth = colleagues(odense_main, 4)
    seat = enrol(session, first)
    enrol(session, second)
    enrol(session, third)
    enrol(session, fourth)

    promoted = service.cancel(seat)

    assert promoted.person == third
    assert promoted.promoted_at is not None
    assert statuses(session) == {
        first.name: CANCELLED,
        second.name: ENROLLED,
        third.name: ENROLLED,
        fourth.name: WAITLISTED,
    }


def test_leaving_the_waiting_list_moves_nobody_up(session, odense_main):
    first, second, third, fourth = colleagues(odense_main, 4)
    for person in (first, second, third, fourth):
        enrol(session, person)

    promoted = service.cancel(Enrolment.objects.get(person=third))

    assert promoted is None
    assert seats(session) == service.Seats(capacity=2, taken=2, waiting=1)


def test_enrolling_twice_keeps_one_place(session, staff, smtp_server, mail):
    first = mail(enrol, session, staff)
    second = mail(enrol, session, staff)

    assert second.pk == first.pk
    assert session.enrolments.count() == 1
    # Only the first enrolment changed anything, so only it is told.
    assert len(smtp_server.messages) == 1


def test_cancelling_twice_cancels_once(session, staff, smtp_server, mail):
    enrolment = enrol(session, staff)

    mail(service.cancel, enrolment)
    mail(service.cancel, enrolment)

    enrolment.refresh_from_db()
    assert enrolment.status == CANCELLED
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Subject"] == da(
        "Place cancelled: %(module)s", module="Formidling af eReolen til seniorer"
    )


def test_a_cancelled_person_can_enrol_again_at_the_back_of_the_queue(session, odense_main):
    first, second, third = colleagues(odense_main, 3)
    enrol(session, first)
    enrol(session, second)
    service.cancel(Enrolment.objects.get(person=first))
    enrol(session, third)  # takes the freed seat

    again = enrol(session, first)

    assert again.status == WAITLISTED
    assert again.cancelled_at is None
    assert session.enrolments.filter(person=first).count() == 1


def test_enrolment_closes_when_the_session_starts(session, staff):
    session.starts_at = timezone.now() - datetime.timedelta(minutes=1)
    session.save()

    with pytest.raises(EnrolmentError) as refused:
        enrol(session, staff)

    assert str(refused.value) == "The session has already started; enrolment is closed."
    assert not session.enrolments.exists()


def test_a_seat_cannot_be_cancelled_after_the_start(session, staff):
    enrolment = enrol(session, staff)
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    with pytest.raises(EnrolmentError) as refused:
        service.cancel(enrolment)

    assert str(refused.value) == "The session has already started; the place cannot be cancelled."


def test_a_person_holds_one_place_per_module(session, staff):
    later = Session.objects.create(
        module=session.module,
        starts_at=session.starts_at + datetime.timedelta(days=7),
        ends_at=session.ends_at + datetime.timedelta(days=7),
        meeting_url="https://meet.example/pilot",
        capacity=10,
    )
    enrol(session, staff)

    with pytest.raises(EnrolmentError) as refused:
        enrol(later, staff)

    when = timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")
    assert str(refused.value) == (
        f"Alice Andersen already has a place in another session of this module ({when}). "
        "Cancel that place first."
    )
    # Once the first place is given up, the other session is open to her.
    service.cancel(Enrolment.objects.get(session=session, person=staff))
    assert enrol(later, staff).status == ENROLLED


# -- the number of seats --------------------------------------------------------------------------


def test_more_seats_move_people_up_from_the_waiting_list(session, odense_main, smtp_server, mail):
    people = colleagues(odense_main, 5)
    for person in people:
        enrol(session, person)

    promoted = mail(service.change_capacity, session, 4)

    assert [e.person for e in promoted] == people[2:4]
    assert seats(session) == service.Seats(capacity=4, taken=4, waiting=1)
    assert sorted(subjects_to(smtp_server)) == sorted(
        (
            person.email,
            da("You got a seat: %(module)s", module="Formidling af eReolen til seniorer"),
        )
        for person in people[2:4]
    )


def test_fewer_seats_than_are_taken_are_refused(session, odense_main):
    for person in colleagues(odense_main, 2):
        enrol(session, person)

    with pytest.raises(EnrolmentError) as refused:
        service.change_capacity(session, 1)

    assert str(refused.value) == (
        "2 people already have a seat; the session needs at least that many seats."
    )
    session.refresh_from_db()
    assert session.capacity == 2
    assert seats(session).taken == 2


# -- attendance -----------------------------------------------------------------------------------


def test_attending_completes_the_module_and_absence_undoes_it(session, staff, facilitator):
    enrolment = enrol(session, staff)

    changed = service.record_attendance(session, {enrolment.pk: True}, by=facilitator)

    assert changed == 1
    completion = Completion.objects.get(person=staff, module=session.module)
    assert completion.session == session
    enrolment.refresh_from_db()
    assert enrolment.attended is True
    assert enrolment.attendance_recorded_by == facilitator

    assert service.record_attendance(session, {enrolment.pk: True}, by=facilitator) == 0
    service.record_attendance(session, {enrolment.pk: False}, by=facilitator)

    assert not Completion.objects.filter(person=staff).exists()
    enrolment.refresh_from_db()
    assert enrolment.attended is False


def test_attendance_is_only_for_people_with_a_seat(session, odense_main):
    first, second, third = colleagues(odense_main, 3)
    enrol(session, first)
    enrol(session, second)
    waiting = enrol(session, third)

    with pytest.raises(EnrolmentError) as refused:
        service.record_attendance(session, {waiting.pk: True})

    assert str(refused.value) == "Attendance can only be registered for people with a seat."
    assert not Completion.objects.exists()


# -- the mails ------------------------------------------------------------------------------------


def test_a_seat_is_confirmed_by_mail_with_the_session_for_the_calendar(
    session, staff, smtp_server, mail, settings
):
    mail(enrol, session, staff)

    [message] = smtp_server.messages
    assert message["To"] == staff.email
    assert message["Subject"] == da(
        "You have a seat: %(module)s", module="Formidling af eReolen til seniorer"
    )
    text = smtp_server.text_of(message)
    assert "Odense Hovedbibliotek, mødelokale 2" in text
    assert "Kirsten Krog" in text
    assert f"{settings.SITE_ROOT}/pilot/mine/" in text  # where to cancel
    start = timezone.localtime(session.starts_at)
    assert f"{start:%H:%M}–" in text
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    event = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert str(event["UID"]) == f"{session.uid}@digikompas"
    assert event.decoded("DTSTART") == session.starts_at


def test_the_waiting_list_mail_gives_the_number_and_no_calendar(
    session, odense_main, smtp_server, mail
):
    first, second, third = colleagues(odense_main, 3)
    enrol(session, first)
    enrol(session, second)

    mail(enrol, session, third)

    [message] = smtp_server.messages
    assert message["To"] == third.email
    assert message["Subject"] == da(
        "On the waiting list: %(module)s", module="Formidling af eReolen til seniorer"
    )
    assert da("You are number %(position)s.", position=1) in smtp_server.text_of(message)
    assert not list(message.iter_attachments())


def test_a_freed_seat_is_announced_to_the_one_who_moves_up(session, odense_main, smtp_server, mail):
    first, second, third = colleagues(odense_main, 3)
    for person in (first, second, third):
        enrol(session, person)

    mail(service.cancel, Enrolment.objects.get(person=first))

    assert sorted(subjects_to(smtp_server)) == sorted(
        [
            (first.email, da("Place cancelled: %(module)s", module=session.module.title_da)),
            (third.email, da("You got a seat: %(module)s", module=session.module.title_da)),
        ]
    )
    promoted = next(m for m in smtp_server.messages if m["To"] == third.email)
    assert [a.get_content_type() for a in promoted.iter_attachments()] == ["text/calendar"]


def test_the_mail_names_who_enrolled_someone_else(
    session, staff, library_leader, smtp_server, mail
):
    mail(enrol, session, staff, by=library_leader)

    text = smtp_server.text_of(smtp_server.messages[0])
    assert da(
        "%(by)s has enrolled you in a session of the pilot education, and you have a seat.",
        by="Bent Bech",
    ) in " ".join(text.split())


# -- many at once ---------------------------------------------------------------------------------

POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time, so there is no race to lose; the same test runs "
    "against PostgreSQL in `make test`",
)


def _at_once(calls):
    """Run the calls in threads released together; each closes its own connection."""
    start = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            start.wait(timeout=20)
            results.append(call())
        except Exception as error:  # reported below, with the test's failure
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.fixture
def slow_count(monkeypatch):
    """Counting the taken seats takes a moment, so that every enrolment is inside the window
    between counting and saving at the same time: without the lock on the session they all see
    free seats."""
    count = service._taken

    def slow(session):
        taken = count(session)
        time.sleep(0.05)
        return taken

    monkeypatch.setattr(service, "_taken", slow)


@POSTGRESQL_ONLY
def test_twelve_enrolling_at_once_fill_five_seats_and_wait_for_the_rest(
    transactional_db, session, odense_main, slow_count, smtp_server
):
    session.capacity = 5
    session.save()
    people = colleagues(odense_main, 12)

    results = _at_once([lambda person=person: enrol(session, person) for person in people])

    assert Counter(e.status for e in results) == {ENROLLED: 5, WAITLISTED: 7}
    assert seats(session) == service.Seats(capacity=5, taken=5, waiting=7)
    # Everyone was told what they got, once.
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(p.email for p in people)


@POSTGRESQL_ONLY
def test_without_the_lock_the_seats_overflow(
    transactional_db, session, odense_main, slow_count, monkeypatch
):
    # The race the lock prevents is real: with a plain read of the session, more people than
    # seats get one.
    monkeypatch.setattr(
        service, "_locked", lambda s: Session.objects.select_related("module").get(pk=s.pk)
    )
    session.capacity = 5
    session.save()
    people = colleagues(odense_main, 12)

    _at_once([lambda person=person: enrol(session, person) for person in people])

    assert seats(session).taken > 5


@POSTGRESQL_ONLY
def test_cancelling_and_enrolling_at_once_keeps_the_seats_and_the_queue(
    transactional_db, session, odense_main, slow_count
):
    session.capacity = 5
    session.save()
    seated = colleagues(odense_main, 5)
    waiting = colleagues(odense_main, 5, start=5)
    newcomers = colleagues(odense_main, 6, start=10)
    for person in seated + waiting:
        enrol(session, person)
    leaving = Enrolment.objects.filter(person__in=seated[:3]).order_by("pk")

    _at_once(
        [lambda e=e: service.cancel(e) for e in leaving]
        + [lambda person=person: enrol(session, person) for person in newcomers]
    )

    assert seats(session) == service.Seats(capacity=5, taken=5, waiting=8)
    now = statuses(session)
    # The freed seats went to the first three who were waiting, never to someone who came
    # later: a seat is filled from the waiting list inside the same lock that frees it.
    assert [now[p.name] for p in waiting] == [ENROLLED] * 3 + [WAITLISTED] * 2
    assert {now[p.name] for p in newcomers} == {WAITLISTED}
