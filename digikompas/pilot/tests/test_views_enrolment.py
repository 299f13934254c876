"""The enrolment pages: enrolling oneself and one's staff, cancelling, "My pilot education",
and a session's participants with attendance and seats for those who run it.

Pages are read in English (the language cookie), so the expected texts are the English msgids.
"""

import csv
import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from digikompas.pilot.enrolment import enrol, record_attendance
from digikompas.pilot.models import Completion, Enrolment, EnrolmentStatus, Session
from digikompas.pilot.views_enrolment import when
from digikompas.privacy.models import Action, AuditEvent
from digikompas.testing import assert_accessible, field_error, html, log_in, make_person, message
from digikompas.testing import log_in_client as log_in_client

MINE = reverse("pilot:mine")


def enrol_url(session) -> str:
    return reverse("pilot:enrol", args=[session.pk])


def participants_url(session) -> str:
    return reverse("pilot:participants", args=[session.pk])


def colleagues(library, count, *, start=0):
    return [
        make_person(f"Kollega {n}", f"kollega{n}@odense.example", library=library, login=False)
        for n in range(start, start + count)
    ]


@pytest.fixture
def full(session, odense_main):
    """The session's two seats taken by colleagues of Alice."""
    for person in colleagues(odense_main, 2):
        enrol(session, person)
    return session


@pytest.fixture
def other_session(module, provider):
    """A session of the same module run by another facilitator."""
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=8)
    return Session.objects.create(
        module=module,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        meeting_url="https://meet.example/other",
        capacity=10,
        facilitator=provider,
    )


# -- enrolling oneself ----------------------------------------------------------------------------


def test_a_person_enrols_and_is_told_they_have_a_seat(client, session, staff):
    log_in_client(client, staff)

    response = client.post(enrol_url(session), follow=True)

    assert response.redirect_chain == [(MINE, 302)]
    assert message(
        f"You have a seat in “Promoting eReolen to seniors” on {when(session)}."
    ) in html(response)
    assert Enrolment.objects.get(person=staff).status == EnrolmentStatus.ENROLLED


def test_a_full_session_puts_the_person_on_the_waiting_list_with_their_number(client, full, staff):
    log_in_client(client, staff)

    response = client.post(enrol_url(full), follow=True)

    assert message(
        "The session is full. You are number 1 on the waiting list for "
        "“Promoting eReolen to seniors”."
    ) in html(response)
    assert "Number 1 on the waiting list" in html(response)


def test_enrolling_goes_back_to_the_page_it_came_from_on_this_site_only(client, session, staff):
    log_in_client(client, staff)

    back = client.post(enrol_url(session), {"next": "/pilot/somewhere/?a=1"})
    away = client.post(enrol_url(session), {"next": "https://evil.example/"})

    assert back["Location"] == "/pilot/somewhere/?a=1"
    assert away["Location"] == MINE


def test_a_refused_enrolment_says_why(client, session, staff):
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    log_in_client(client, staff)

    response = client.post(enrol_url(session), follow=True)

    assert message("The session has already started; enrolment is closed.", "error") in html(
        response
    )
    assert not Enrolment.objects.exists()


def test_enrolling_is_a_post(client, session, staff):
    log_in_client(client, staff)

    assert client.get(enrol_url(session)).status_code == 405


def test_a_login_without_a_person_cannot_enrol(client, session, outsider):
    log_in_client(client, outsider)

    assert client.post(enrol_url(session)).status_code == 403


def test_logged_out_people_are_sent_to_log_in(client, session):
    response = client.post(enrol_url(session))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# -- enrolling others -----------------------------------------------------------------------------


def test_a_leader_enrols_staff_of_her_library(client, session, library_leader, staff):
    log_in_client(client, library_leader)

    response = client.post(enrol_url(session), {"person": staff.pk}, follow=True)

    assert message(
        f"Alice Andersen has a seat in “Promoting eReolen to seniors” on {when(session)}."
    ) in html(response)
    enrolment = Enrolment.objects.get(person=staff)
    assert enrolment.enrolled_by == library_leader


def test_a_leader_cannot_enrol_another_municipalitys_staff(
    client, session, library_leader, other_staff
):
    log_in_client(client, library_leader)

    response = client.post(enrol_url(session), {"person": other_staff.pk})

    assert response.status_code == 404
    assert not Enrolment.objects.exists()


def test_staff_cannot_enrol_a_colleague(client, session, staff, library_leader):
    log_in_client(client, staff)

    assert client.post(enrol_url(session), {"person": library_leader.pk}).status_code == 403
    assert not Enrolment.objects.exists()


def test_the_staff_page_lists_whom_the_leader_may_enrol(
    client, session, library_leader, staff, other_staff
):
    log_in_client(client, library_leader)

    response = client.get(reverse("pilot:enrol_staff", args=[session.pk]))

    assert response.status_code == 200
    page = html(response)
    assert f'<label class="form-label" for="person-{staff.pk}">Alice Andersen</label>' in page
    assert "Dorthe Dahl" not in page  # Aarhus
    assert f'value="{library_leader.pk}"' not in page  # herself: she uses the enrol button
    assert "0 of 2 taken, 0 on the waiting list" in page
    # The staff's names are personal data: the page is in the audit log, as staff lists are.
    assert list(AuditEvent.objects.values_list("actor_email", "action", "object_id")) == [
        (library_leader.email, Action.VIEWED_STAFF_LIST, str(session.pk))
    ]


def test_the_staff_page_finds_people_by_name(client, session, library_leader, odense_main):
    colleagues(odense_main, 3)
    log_in_client(client, library_leader)

    page = html(client.get(reverse("pilot:enrol_staff", args=[session.pk]), {"q": "kollega 1"}))

    assert "Kollega 1" in page
    assert "Kollega 2" not in page
    assert "Alice Andersen" not in page


def test_the_staff_page_reports_the_outcome_per_person(
    client, session, other_session, library_leader, odense_main, staff
):
    first, second = colleagues(odense_main, 2)
    enrol(other_session, staff)  # Alice already has a place in this module
    log_in_client(client, library_leader)

    response = client.post(
        reverse("pilot:enrol_staff", args=[session.pk]),
        {"people": [first.pk, second.pk, staff.pk]},
    )

    assert response.status_code == 200
    page = html(response)
    other_when = timezone.localtime(other_session.starts_at).strftime("%Y-%m-%d %H:%M")
    assert (
        '<tr class="outcome-error"><th scope="row">Alice Andersen</th><td><strong>Not enrolled:'
        "</strong> Alice Andersen already has a place in another session of this module "
        f"({other_when}). Cancel that place first.</td></tr>"
    ) in page
    assert (
        '<tr class="outcome-enrolled"><th scope="row">Kollega 0</th><td><strong>Seat:</strong> '
        f"Kollega 0 has a seat in “Promoting eReolen to seniors” on {when(session)}.</td></tr>"
    ) in page
    assert "<strong>Seat:</strong> Kollega 1 has a seat" in page
    assert Enrolment.objects.filter(session=session).count() == 2


def test_the_staff_page_puts_the_rest_on_the_waiting_list(
    client, session, library_leader, odense_main
):
    people = colleagues(odense_main, 3)
    log_in_client(client, library_leader)

    page = html(
        client.post(
            reverse("pilot:enrol_staff", args=[session.pk]), {"people": [p.pk for p in people]}
        )
    )

    assert (
        "<strong>Waiting list:</strong> The session is full. Kollega 2 is number 1 on the "
        "waiting list for “Promoting eReolen to seniors”."
    ) in page


def test_the_staff_page_refuses_people_from_elsewhere(
    client, session, library_leader, other_staff, staff
):
    log_in_client(client, library_leader)

    response = client.post(
        reverse("pilot:enrol_staff", args=[session.pk]), {"people": [staff.pk, other_staff.pk]}
    )

    assert response.status_code == 400
    assert "One of the people chosen is not someone you can enrol." in html(response)
    assert not Enrolment.objects.exists()


def test_the_staff_page_asks_for_someone(client, session, library_leader, staff):
    log_in_client(client, library_leader)

    response = client.post(reverse("pilot:enrol_staff", args=[session.pk]), {})

    assert response.status_code == 400
    assert "Choose at least one person to enrol." in html(response)


def test_the_staff_page_is_for_leaders_and_coordinators(
    client, session, staff, coordinator, other_staff
):
    log_in_client(client, staff)
    assert client.get(reverse("pilot:enrol_staff", args=[session.pk])).status_code == 403

    log_in_client(client, coordinator)
    page = html(client.get(reverse("pilot:enrol_staff", args=[session.pk])))
    assert "Dorthe Dahl" in page  # a coordinator enrols anyone


# -- cancelling -----------------------------------------------------------------------------------


def test_a_person_cancels_their_seat(client, session, staff):
    enrolment = enrol(session, staff)
    log_in_client(client, staff)

    response = client.post(reverse("pilot:cancel", args=[enrolment.pk]), follow=True)

    assert response.redirect_chain == [(MINE, 302)]
    assert message(
        f"Your place in “Promoting eReolen to seniors” on {when(session)} is cancelled."
    ) in html(response)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CANCELLED
    # Twice is harmless.
    again = client.post(reverse("pilot:cancel", args=[enrolment.pk]), follow=True)
    assert message("The place was already cancelled.", "info") in html(again)


def test_staff_cannot_cancel_a_colleagues_place(client, full, staff):
    seat = full.enrolments.first()
    log_in_client(client, staff)

    assert client.post(reverse("pilot:cancel", args=[seat.pk])).status_code == 404
    seat.refresh_from_db()
    assert seat.status == EnrolmentStatus.ENROLLED


def test_the_facilitator_who_cancels_a_seat_is_told_who_moved_up(client, full, staff, facilitator):
    enrol(full, staff)
    seat = full.enrolments.filter(status=EnrolmentStatus.ENROLLED).first()
    log_in_client(client, facilitator)

    response = client.post(
        reverse("pilot:cancel", args=[seat.pk]), {"next": participants_url(full)}, follow=True
    )

    assert response.redirect_chain == [(participants_url(full), 302)]
    assert message(
        "Alice Andersen moved up from the waiting list and was told by e-mail.", "info"
    ) in html(response)


def test_a_leader_cancels_her_staffs_place(client, session, library_leader, staff):
    enrolment = enrol(session, staff)
    log_in_client(client, library_leader)

    response = client.post(reverse("pilot:cancel", args=[enrolment.pk]), follow=True)

    assert message(
        "The place of Alice Andersen in “Promoting eReolen to seniors” on "
        f"{when(session)} is cancelled."
    ) in html(response)


def test_another_municipalitys_place_is_not_found(client, session, library_leader, other_staff):
    enrolment = enrol(session, other_staff)
    log_in_client(client, library_leader)

    assert client.post(reverse("pilot:cancel", args=[enrolment.pk])).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED


# -- My pilot education ---------------------------------------------------------------------------


def test_my_page_is_empty_at_first(client, staff):
    log_in_client(client, staff)

    page = html(client.get(MINE))

    assert "<h1>My pilot education</h1>" in page
    assert "You have no coming sessions." in page
    assert (
        "When the facilitator has registered that you attended a session, the module's "
        "certificate is here."
    ) in page
    assert "Your staff's places" not in page


def test_my_page_shows_my_seat_and_my_place_on_a_waiting_list(
    client, session, other_session, staff, odense_main
):
    # Another module's session, full, with Alice second on its waiting list.
    from digikompas.pilot.models import Module, ModuleFormat

    second = Module.objects.create(
        programme=session.module.programme,
        format=ModuleFormat.WEBINAR,
        title_da="Filmstriben",
        title_en="Filmstriben for schools",
    )
    webinar = Session.objects.create(
        module=second,
        starts_at=session.starts_at + datetime.timedelta(days=2),
        ends_at=session.ends_at + datetime.timedelta(days=2),
        meeting_url="https://meet.example/webinar",
        capacity=1,
    )
    for person in colleagues(odense_main, 2):
        enrol(webinar, person)
    enrol(session, staff)
    enrol(webinar, staff)
    log_in_client(client, staff)

    page = html(client.get(MINE))

    assert "<strong>You have a seat</strong>" in page
    assert "Number 2 on the waiting list" in page
    assert "Filmstriben for schools" in page
    assert f'href="/pilot/sessions/{session.pk}/calendar.ics"' in page
    assert "Cancel my seat" in page
    assert "Leave the waiting list" in page


def test_my_page_shows_past_sessions_with_attendance(client, session, staff, facilitator):
    enrolment = enrol(session, staff)
    record_attendance(session, {enrolment.pk: True}, by=facilitator)
    log_in_client(client, staff)

    with time_machine.travel(session.ends_at + datetime.timedelta(days=1), tick=False):
        page = html(client.get(MINE))

    assert "Sessions you had a seat in" in page
    assert "<td>Attended</td>" in page
    completion = Completion.objects.get(person=staff)
    assert f'href="/pilot/certificates/{completion.pk}.pdf"' in page
    assert "You have no coming sessions." in page


def test_a_leader_sees_her_staffs_places(client, session, library_leader, staff, other_staff):
    enrol(session, staff)
    enrol(session, other_staff)
    log_in_client(client, library_leader)

    page = html(client.get(MINE))

    assert "Your staff's places" in page
    assert '<th scope="row">Alice Andersen</th>' in page
    assert "Dorthe Dahl" not in page


def test_a_leader_without_staff_places_is_told_so(client, library_leader):
    log_in_client(client, library_leader)

    assert "None of your staff has a place in a coming session." in html(client.get(MINE))


def test_a_facilitator_finds_her_sessions_on_her_page(client, session, facilitator):
    log_in_client(client, facilitator)

    page = html(client.get(MINE))

    assert "Sessions you facilitate" in page
    assert f'href="/pilot/sessions/{session.pk}/participants/"' in page


# -- participants ---------------------------------------------------------------------------------


def test_the_facilitator_sees_the_seats_and_the_waiting_list(client, full, staff, facilitator):
    enrol(full, staff)
    log_in_client(client, facilitator)

    response = client.get(participants_url(full))

    assert response.status_code == 200
    page = html(response)
    assert "2 seats taken" in page
    assert '<td class="text-align-right">1</td><th scope="row">Alice Andersen' in page
    assert "Odense Hovedbibliotek" in page
    assert "2 of 2 taken, 1 on the waiting list" in page


def test_the_facilitator_registers_attendance_after_the_start(
    client, full, facilitator, smtp_server
):
    first, second = full.enrolments.order_by("person__name")
    log_in_client(client, facilitator)

    with time_machine.travel(full.starts_at + datetime.timedelta(hours=1), tick=False):
        response = client.post(
            participants_url(full),
            {
                "action": "attendance",
                f"attendance-{first.pk}": "attended",
                f"attendance-{second.pk}": "absent",
            },
            follow=True,
        )

    assert message("Attendance is saved: 2 people changed.") in html(response)
    assert list(Completion.objects.values_list("person__name", flat=True)) == [first.person.name]
    second.refresh_from_db()
    assert second.attended is False


def test_attendance_waits_for_the_session_to_start(client, full, facilitator):
    enrolment = full.enrolments.first()
    log_in_client(client, facilitator)

    response = client.post(
        participants_url(full),
        {"action": "attendance", f"attendance-{enrolment.pk}": "attended"},
    )

    assert response.status_code == 400
    assert "Attendance can be registered once the session has started." in html(response)
    assert not Completion.objects.exists()


def test_a_facilitator_cannot_open_another_facilitators_session(
    client, session, other_session, facilitator
):
    log_in_client(client, facilitator)

    assert client.get(participants_url(other_session)).status_code == 404
    assert client.post(participants_url(other_session), {"action": "capacity"}).status_code == 404
    assert client.get(reverse("pilot:participants_csv", args=[other_session.pk])).status_code == 404


def test_staff_cannot_see_participants(client, session, staff):
    log_in_client(client, staff)

    assert client.get(participants_url(session)).status_code == 403


def test_a_coordinator_runs_any_session(client, other_session, coordinator):
    log_in_client(client, coordinator)

    assert client.get(participants_url(other_session)).status_code == 200


def test_more_seats_move_people_up_and_name_them(client, full, odense_main, facilitator):
    waiting = colleagues(odense_main, 2, start=10)
    for person in waiting:
        enrol(full, person)
    log_in_client(client, facilitator)

    response = client.post(
        participants_url(full), {"action": "capacity", "capacity": "3"}, follow=True
    )

    assert message(
        "The session now has 3 seats. Moved up from the waiting list and told by e-mail: "
        "Kollega 10."
    ) in html(response)
    full.refresh_from_db()
    assert full.capacity == 3


def test_fewer_seats_than_are_taken_are_refused_on_the_form(client, full, facilitator):
    log_in_client(client, facilitator)

    response = client.post(participants_url(full), {"action": "capacity", "capacity": "1"})

    assert response.status_code == 400
    assert field_error(
        "capacity",
        "2 people already have a seat; the session needs at least that many seats.",
    ) in html(response)


def test_the_seats_must_be_a_number_above_zero(client, full, facilitator):
    log_in_client(client, facilitator)

    response = client.post(participants_url(full), {"action": "capacity", "capacity": "0"})

    assert response.status_code == 400
    assert field_error("capacity", "Ensure this value is greater than or equal to 1.") in html(
        response
    )


def test_the_participant_list_downloads_as_csv(client, full, staff, facilitator):
    enrol(full, staff)
    log_in_client(client, facilitator)

    response = client.get(reverse("pilot:participants_csv", args=[full.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Status",
        "Number on the waiting list",
        "Name",
        "E-mail address",
        "Library",
        "Municipality",
        "Enrolled",
        "Attendance",
    ]
    assert [row[:3] for row in rows[1:]] == [
        ["Enrolled", "", "Kollega 0"],
        ["Enrolled", "", "Kollega 1"],
        ["On the waiting list", "1", "Alice Andersen"],
    ]
    assert rows[3][4:6] == ["Odense Hovedbibliotek", "Odense"]


# -- queries --------------------------------------------------------------------------------------


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_more_places_do_not_mean_more_queries(
    client, coordinator, session, other_session, odense_main
):
    # A coordinator's page lists everyone's places; the participants page every seat and
    # everyone waiting: no query per row.
    log_in_client(client, coordinator)
    for person in colleagues(odense_main, 3):
        enrol(session, person)  # two seats, one waiting
    enrol(other_session, colleagues(odense_main, 1, start=3)[0])
    client.get(MINE)  # the first visit also makes the calendar address
    few = (queries(client, MINE), queries(client, participants_url(session)))

    for person in colleagues(odense_main, 6, start=4):
        enrol(session, person)  # all wait

    assert (queries(client, MINE), queries(client, participants_url(session))) == few


# -- in the browser -------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_enrolment_pages_pass_axe(page, full, staff, facilitator, library_leader):
    enrol(full, staff)
    enrol(full, library_leader)

    log_in(page, staff.email)
    page.goto(MINE)
    assert page.locator("table").count() == 1  # her coming session
    assert_accessible(page)

    page.context.clear_cookies()
    log_in(page, library_leader.email)
    page.goto(reverse("pilot:enrol_staff", args=[full.pk]))
    assert page.locator("table tbody tr").count() == 3  # Alice and the two colleagues
    assert_accessible(page)

    # The session has begun: the facilitator registers attendance.
    Session.objects.filter(pk=full.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    page.context.clear_cookies()
    log_in(page, facilitator.email)
    page.goto(participants_url(full))
    assert page.locator("input[type=radio]").count() == 6
    assert_accessible(page)
    page.locator("input[type=radio][value=attended]").first.check()
    with page.expect_navigation():
        page.locator("form:has(input[value=attendance]) button.button-primary").click()
    assert page.locator(".alert-success").count() == 1
    assert Completion.objects.count() == 1
    assert_accessible(page)
