import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from digikompas.accounts.models import User
from digikompas.privacy import audit
from digikompas.privacy.models import Action, AuditEvent
from digikompas.testing import field_error, html, log_in_client


def _events():
    return list(
        AuditEvent.objects.order_by("pk").values_list("actor_email", "action", "object_label")
    )


# -- what is recorded -----------------------------------------------------------------------------


def test_a_leader_viewing_a_staff_member_is_recorded(client, staff, library_leader):
    log_in_client(client, library_leader)

    client.get(reverse("orgs:person_detail", args=[staff.pk]))

    assert _events() == [("bent@odense.example", Action.VIEWED_PERSON, "Alice Andersen")]
    event = AuditEvent.objects.get()
    assert event.path == reverse("orgs:person_detail", args=[staff.pk])
    assert event.ip_address == "127.0.0.1"


def test_viewing_ones_own_profile_is_not_recorded(client, staff):
    log_in_client(client, staff)

    client.get(reverse("orgs:person_detail", args=[staff.pk]))

    assert _events() == []


def test_a_refused_view_is_not_recorded(client, staff, other_leader):
    log_in_client(client, other_leader)

    assert client.get(reverse("orgs:person_detail", args=[staff.pk])).status_code == 404
    assert _events() == []


def test_a_staff_list_is_recorded(client, odense_main, library_leader):
    log_in_client(client, library_leader)

    client.get(reverse("orgs:library_people", args=[odense_main.pk]))

    assert _events() == [("bent@odense.example", Action.VIEWED_STAFF_LIST, "Odense Hovedbibliotek")]


def test_the_event_keeps_who_it_was_after_the_login_is_deleted(client, staff, library_leader):
    log_in_client(client, library_leader)
    client.get(reverse("orgs:person_detail", args=[staff.pk]))

    User.objects.filter(pk=library_leader.user.pk).delete()

    event = AuditEvent.objects.get()
    assert (event.user, event.actor_email) == (None, "bent@odense.example")


# -- the same through the API ---------------------------------------------------------------------


def _api(client, url, person):
    token, _created = Token.objects.get_or_create(user=person.user)
    return client.get(url, headers={"Authorization": f"Token {token.key}"})


def _api_events():
    return list(
        AuditEvent.objects.order_by("pk").values_list("action", "object_label", "detail", "path")
    )


def test_a_leader_listing_people_through_the_api_is_recorded(client, staff, library_leader):
    assert _api(client, "/api/v1/people/", library_leader).status_code == 200

    assert _api_events() == [(Action.VIEWED_STAFF_LIST, "", "API", "/api/v1/people/")]


def test_listing_only_oneself_through_the_api_is_not_recorded(client, staff, library_leader):
    response = _api(client, "/api/v1/people/", staff)

    assert [person["id"] for person in response.json()["results"]] == [staff.pk]
    assert _api_events() == []


def test_a_person_read_through_the_api_is_recorded_unless_it_is_oneself(
    client, staff, library_leader, other_leader
):
    url = f"/api/v1/people/{staff.pk}/"
    assert _api(client, url, staff).status_code == 200
    assert _api(client, url, other_leader).status_code == 404
    assert _api_events() == []

    assert _api(client, url, library_leader).json()["email"] == staff.email

    assert _api_events() == [(Action.VIEWED_PERSON, "Alice Andersen", "API", url)]


# -- the audit log page ---------------------------------------------------------------------------

LOG = reverse("privacy:audit_log")


@pytest.fixture
def events(staff, odense_main):
    """Three events on three days of March 2026."""
    made = []
    for day, email, action, obj in (
        (2, "bent@odense.example", Action.VIEWED_PERSON, staff),
        (10, "carla@odense.example", Action.VIEWED_STAFF_LIST, odense_main),
        (20, "jytte@kl.example", Action.EXPORTED_PERSON_DATA, staff),
    ):
        when = datetime.datetime(2026, 3, day, 12, tzinfo=timezone.get_current_timezone())
        with time_machine.travel(when, tick=False):
            made.append(audit.record_system(action, obj=obj, actor_email=email))
    return made


def _rows(response) -> list[str]:
    page = html(response)
    return [
        email
        for email in ("bent@odense.example", "carla@odense.example", "jytte@kl.example")
        if f"<td>{email}</td>" in page
    ]


def test_the_analyst_reads_the_log_newest_first(client, analyst, events):
    log_in_client(client, analyst)

    response = client.get(LOG)

    assert response.status_code == 200
    page = html(response)
    assert page.index("jytte@kl.example") < page.index("bent@odense.example")
    assert (
        "<td>2026-03-20 12:00</td><td>jytte@kl.example</td><td>Exported a person&#x27;s data</td>"
        in page
    )
    assert "<strong>3 events</strong>" in page


@pytest.mark.parametrize(
    ("filters", "shown"),
    [
        ({"who": "carla"}, ["carla@odense.example"]),
        ({"action": Action.VIEWED_PERSON}, ["bent@odense.example"]),
        ({"since": "2026-03-10", "until": "2026-03-10"}, ["carla@odense.example"]),
        ({"since": "2026-03-10"}, ["carla@odense.example", "jytte@kl.example"]),
        ({"until": "2026-03-09"}, ["bent@odense.example"]),
    ],
)
def test_the_log_is_filtered_by_who_action_and_period(
    client, administrator, events, filters, shown
):
    log_in_client(client, administrator)

    assert _rows(client.get(LOG, filters)) == shown


def test_a_period_ending_before_it_starts_is_refused(client, analyst, events):
    log_in_client(client, analyst)

    response = client.get(LOG, {"since": "2026-03-10", "until": "2026-03-01"})

    assert response.status_code == 400
    assert field_error("until", "The period must end on or after the day it starts.") in html(
        response
    )


def test_the_log_reads_a_fixed_number_of_queries(
    client, analyst, events, django_assert_num_queries
):
    for _n in range(60):
        audit.record_system(Action.VIEWED_PERSON, actor_email="bent@odense.example")
    log_in_client(client, analyst)
    # The session, the user, the person with library and municipality, their role grants, the
    # second factor (the MFA middleware); the count of events; the person again for the name in
    # the header; the page of events.
    with django_assert_num_queries(8):
        response = client.get(LOG)
    assert "Page 1 of 2" in html(response)
