"""Sessions as iCalendar: the .ics of one session, and a person's feed at its secret address,
read back with icalendar as a calendar program would."""

import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from digikompas.pilot.calendar import person_feed, session_calendar
from digikompas.pilot.enrolment import cancel, enrol
from digikompas.pilot.models import CalendarFeed, Session
from digikompas.testing import html
from digikompas.testing import log_in_client as log_in


def events(data: bytes) -> list:
    return icalendar.Calendar.from_ical(data).walk("VEVENT")


def by_uid(data: bytes) -> dict:
    return {str(event["UID"]): event for event in events(data)}


def uid(session) -> str:
    return f"{session.uid}@digikompas"


@pytest.fixture
def webinar(module):
    """An online session of the same module next week, without a facilitator."""
    starts = datetime.datetime(2031, 3, 4, 13, 0, tzinfo=datetime.UTC)
    return Session.objects.create(
        module=module,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1, minutes=30),
        meeting_url="https://meet.example/pilot-webinar",
        capacity=30,
    )


@pytest.fixture
def other_module_session(programme, module):
    from digikompas.pilot.models import Module, ModuleFormat

    second = Module.objects.create(
        programme=programme,
        position=2,
        format=ModuleFormat.WEBINAR,
        title_da="Filmstriben i skoletjenesten",
        title_en="Filmstriben for schools",
    )
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    return Session.objects.create(
        module=second,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="Dokk1",
        capacity=1,
    )


# -- one session ----------------------------------------------------------------------------------


def test_a_session_is_one_event_with_its_times_in_utc(session):
    session.sequence = 3
    session.save()

    calendar = icalendar.Calendar.from_ical(session_calendar(session))

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == uid(session)
    assert event["SEQUENCE"] == 3
    assert event.decoded("DTSTART") == session.starts_at
    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert event.decoded("DTEND") == session.ends_at
    assert str(event["SUMMARY"]) == "Promoting eReolen to seniors"
    assert str(event["LOCATION"]) == "Odense Hovedbibliotek, mødelokale 2"
    assert str(event["URL"]).endswith("/pilot/mine/")
    description = str(event["DESCRIPTION"])
    assert "Pilot education in digital dissemination" in description
    assert "Facilitator: Kirsten Krog" in description
    assert "DTSTAMP" in event
    assert "STATUS" not in event


def test_an_online_session_has_its_meeting_link_as_location_and_url(webinar):
    [event] = events(session_calendar(webinar, status="CONFIRMED"))

    assert b"DTSTART:20310304T130000Z" in event.to_ical()
    assert b"DTEND:20310304T143000Z" in event.to_ical()
    assert str(event["LOCATION"]) == "https://meet.example/pilot-webinar"
    assert str(event["URL"]) == "https://meet.example/pilot-webinar"
    assert str(event["STATUS"]) == "CONFIRMED"


# -- a person's feed ------------------------------------------------------------------------------


def test_the_feed_holds_the_persons_seats_and_waiting_places_only(
    session, other_module_session, webinar, staff, library_leader, other_staff, odense_main
):
    from digikompas.testing import make_person

    # Alice: a seat in the workshop, waiting for the full webinar of another module.
    enrol(session, staff)
    enrol(other_module_session, other_staff)  # takes the only seat
    enrol(other_module_session, staff)
    # Bent has a seat in the webinar, and cancelled it again: not in his feed.
    enrol(webinar, library_leader)
    cancel(webinar.enrolments.get(person=library_leader))
    # Someone else's session is in nobody else's feed.
    colleague = make_person("Kim Kjær", "kim@odense.example", library=odense_main, login=False)
    enrol(webinar, colleague)

    alice = by_uid(person_feed(staff))
    bent = by_uid(person_feed(library_leader))

    assert set(alice) == {uid(session), uid(other_module_session)}
    assert str(alice[uid(session)]["STATUS"]) == "CONFIRMED"
    assert str(alice[uid(other_module_session)]["STATUS"]) == "TENTATIVE"
    assert "You are on the waiting list." in str(alice[uid(other_module_session)]["DESCRIPTION"])
    assert alice[uid(session)].decoded("DTSTART") == session.starts_at
    assert bent == {}


def test_the_feed_holds_the_sessions_a_person_facilitates(session, facilitator):
    feed = by_uid(person_feed(facilitator))

    assert list(feed) == [uid(session)]
    assert "You facilitate this session." in str(feed[uid(session)]["DESCRIPTION"])


# -- the pages ------------------------------------------------------------------------------------


def test_anyone_logged_in_downloads_a_sessions_calendar_file(client, session, other_staff):
    log_in(client, other_staff)

    response = client.get(reverse("pilot:session_ics", args=[session.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    start = timezone.localtime(session.starts_at)
    assert response["Content-Disposition"] == (
        f'attachment; filename="formidling-af-ereolen-til-seniorer-{start:%Y-%m-%d}.ics"'
    )
    [event] = events(response.content)
    assert str(event["UID"]) == uid(session)
    assert "STATUS" not in event  # she has no place in it


def test_the_calendar_file_is_tentative_for_someone_waiting(client, session, odense_main, staff):
    from digikompas.testing import make_person

    for n in range(2):
        enrol(session, make_person(f"K {n}", f"k{n}@odense.example", login=False))
    enrol(session, staff)
    log_in(client, staff)

    [event] = events(client.get(reverse("pilot:session_ics", args=[session.pk])).content)

    assert str(event["STATUS"]) == "TENTATIVE"


def test_a_calendar_program_reads_the_feed_without_logging_in(client, session, staff):
    enrol(session, staff)
    log_in(client, staff)
    client.post(reverse("pilot:feed_reset"))  # she asks for the address
    token = CalendarFeed.objects.get(person=staff).token
    client.logout()

    response = client.get(f"/pilot/calendar/{token}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-cache"
    assert list(by_uid(response.content)) == [uid(session)]
    # Calendar programs are asked to fetch it again every six hours.
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H" in response.content
    assert b"X-PUBLISHED-TTL:PT6H" in response.content


def test_an_unknown_feed_address_is_not_found(client, db):
    assert client.get("/pilot/calendar/not-a-real-token.ics").status_code == 404


def test_the_mine_page_makes_the_feed_address_on_request_and_keeps_it(client, staff):
    log_in(client, staff)

    # Looking changes nothing: the address is made when she asks for it.
    page = html(client.get(reverse("pilot:mine")))
    assert not CalendarFeed.objects.exists()
    assert "/pilot/calendar/" not in page
    assert "Make the address of my calendar" in page

    response = client.post(reverse("pilot:feed_reset"), follow=True)

    token = CalendarFeed.objects.get(person=staff).token
    page = html(response)
    assert "Your calendar has an address: subscribe to it in your calendar program." in page
    assert f'value="http://testserver/pilot/calendar/{token}.ics"' in page
    assert f'href="webcal://testserver/pilot/calendar/{token}.ics"' in page
    # Visiting again keeps the address.
    client.get(reverse("pilot:mine"))
    assert CalendarFeed.objects.get(person=staff).token == token


def test_a_new_address_makes_the_old_one_stop_working(client, staff, session):
    enrol(session, staff)
    log_in(client, staff)
    client.post(reverse("pilot:feed_reset"))
    old = CalendarFeed.objects.get(person=staff).token

    response = client.post(reverse("pilot:feed_reset"), follow=True)

    new = CalendarFeed.objects.get(person=staff).token
    assert new != old
    assert response.redirect_chain == [("/pilot/mine/#calendar", 302)]
    assert (
        "Your calendar has a new address. The old address no longer works: subscribe to the new "
        "one in your calendar program."
    ) in html(response)
    assert new in html(response)
    client.logout()
    assert client.get(f"/pilot/calendar/{old}.ics").status_code == 404
    assert client.get(f"/pilot/calendar/{new}.ics").status_code == 200


def test_a_login_without_a_person_has_no_feed(client, outsider):
    log_in(client, outsider)

    assert client.get(reverse("pilot:mine")).status_code == 403
    assert client.post(reverse("pilot:feed_reset")).status_code == 403
    assert not CalendarFeed.objects.exists()
