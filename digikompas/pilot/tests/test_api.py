"""The pilot in the JSON API: programmes and sessions for everyone logged in, enrolling and
cancelling by the rules of the web pages, the idea bank without people, and the effect for
coordinators and analysts. Requests use an API key and ask for English answers."""

import datetime
import json

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from digikompas.pilot import enrolment as service
from digikompas.pilot.effect import programme_effect
from digikompas.pilot.effect_export import as_json
from digikompas.pilot.models import Enrolment, EnrolmentStatus, ExperienceLog, Session, WouldRepeat
from digikompas.privacy.models import Action, AuditEvent
from digikompas.testing import make_person
from digikompas.web.tests.test_api_schema import generated_schema

from .test_effect import make_measured

PROGRAMMES = "/api/v1/programmes/"
SESSIONS = "/api/v1/sessions/"
ENROLMENTS = "/api/v1/enrolments/"
EXPERIENCES = "/api/v1/experiences/"


def auth(person_or_user) -> dict:
    user = getattr(person_or_user, "user", person_or_user)
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}", "Accept-Language": "en"}


def get(client, url, person, **params):
    return client.get(url, params, headers=auth(person))


def post(client, url, person, data=None):
    return client.post(
        url, json.dumps(data or {}), content_type="application/json", headers=auth(person)
    )


def effect_url(programme) -> str:
    return f"{PROGRAMMES}{programme.pk}/effect/"


def cancel_url(enrolment) -> str:
    return f"{ENROLMENTS}{enrolment.pk}/cancel/"


@pytest.fixture
def later_session(module):
    """A second session of the module, next week, with one seat."""
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=7)
    return Session.objects.create(
        module=module,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        meeting_url="https://meet.example/pilot",
        capacity=1,
    )


@pytest.fixture
def colleagues(odense_main):
    """Two more people at Odense Hovedbibliotek."""
    return [
        make_person(f"Kollega {n}", f"kollega{n}@odense.example", library=odense_main)
        for n in range(2)
    ]


# -- who may call --------------------------------------------------------------------------------


def test_anonymous_callers_are_asked_for_a_token(client, programme, session):
    for url in (PROGRAMMES, SESSIONS, ENROLMENTS, EXPERIENCES, effect_url(programme)):
        response = client.get(url, headers={"Accept-Language": "en"})
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
    assert client.post(ENROLMENTS, {"session": session.pk}).status_code == 401


# -- programmes and sessions ---------------------------------------------------------------------


def test_everyone_lists_the_programmes_with_their_modules(
    client, staff, programme, module, django_assert_num_queries
):
    headers = auth(staff)
    # The token with its user, the caller's person, their grants, the count, the page, the
    # modules and their competencies.
    with django_assert_num_queries(7):
        response = client.get(PROGRAMMES, headers=headers)
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert response.json()["results"][0] == {
        "id": programme.pk,
        "key": "pilot-2027",
        "title": {
            "da": "Pilotuddannelse i digital formidling",
            "en": "Pilot education in digital dissemination",
        },
        "description": {"da": "", "en": ""},
        "framework": programme.framework_id,
        "starts_on": programme.starts_on.isoformat(),
        "ends_on": programme.ends_on.isoformat(),
        "target_roles": [],
        "is_example": False,
        "modules": [
            {
                "id": module.pk,
                "position": 1,
                "format": "workshop",
                "title": {
                    "da": "Formidling af eReolen til seniorer",
                    "en": "Promoting eReolen to seniors",
                },
                "description": {"da": "", "en": ""},
                "hours": "3.0",
                "competencies": ["S.1"],
                "target_groups": ["seniors"],
            }
        ],
    }
    assert get(client, f"{PROGRAMMES}{programme.pk}/", staff).json()["key"] == "pilot-2027"
    assert get(client, f"{PROGRAMMES}{programme.pk + 100}/", staff).status_code == 404


def test_sessions_show_their_free_seats(
    client, staff, session, later_session, colleagues, facilitator, django_assert_num_queries
):
    service.enrol(session, colleagues[0])
    service.enrol(later_session, colleagues[1])
    service.enrol(later_session, staff)  # full: waiting
    headers = auth(staff)
    # The token with its user, the caller's person, their grants, the count, the page with the
    # seats counted.
    with django_assert_num_queries(5):
        response = client.get(SESSIONS, headers=headers)
    assert response.status_code == 200
    first, second = response.json()["results"]
    assert first == {
        "id": session.pk,
        "module": session.module_id,
        "module_title": {
            "da": "Formidling af eReolen til seniorer",
            "en": "Promoting eReolen to seniors",
        },
        "programme": session.module.programme_id,
        "starts_at": timezone.localtime(session.starts_at).isoformat(),
        "ends_at": timezone.localtime(session.ends_at).isoformat(),
        "place": "Odense Hovedbibliotek, mødelokale 2",
        "is_online": False,
        "facilitator": "Kirsten Krog",
        "capacity": 2,
        "seats_taken": 1,
        "waiting": 0,
        "free_seats": 1,
    }
    assert (second["seats_taken"], second["waiting"], second["free_seats"]) == (1, 1, 0)
    assert second["is_online"] is True
    assert "meeting_url" not in second  # the link is for the people with a seat
    detail = get(client, f"{SESSIONS}{later_session.pk}/", staff).json()
    assert (detail["seats_taken"], detail["waiting"], detail["free_seats"]) == (1, 1, 0)


def test_sessions_are_filtered_by_programme_module_and_start(
    client, staff, programme, session, later_session
):
    past = Session.objects.create(
        module=session.module,
        starts_at=timezone.now() - datetime.timedelta(days=3),
        ends_at=timezone.now() - datetime.timedelta(days=3, hours=-2),
        place="Dokk1",
        capacity=5,
    )

    def ids(**params):
        return [s["id"] for s in get(client, SESSIONS, staff, **params).json()["results"]]

    assert ids() == [past.pk, session.pk, later_session.pk]
    assert ids(upcoming="true") == [session.pk, later_session.pk]
    assert ids(programme=programme.pk, upcoming="true") == [session.pk, later_session.pk]
    assert ids(programme=programme.pk + 1) == []
    assert ids(module=session.module_id + 1) == []
    response = get(client, SESSIONS, staff, upcoming="maybe")
    assert response.status_code == 400
    assert response.json() == {"upcoming": ["Must be a valid boolean."]}


# -- enrolling -----------------------------------------------------------------------------------


def test_a_person_enrols_themselves_and_enrolling_again_changes_nothing(client, staff, session):
    response = post(client, ENROLMENTS, staff, {"session": session.pk})
    assert response.status_code == 201
    body = response.json()
    enrolment = Enrolment.objects.get(session=session, person=staff)
    assert body["id"] == enrolment.pk
    assert (body["place"], body["person"], body["person_name"]) == ("enrolled", staff.pk,
                                                                     "Alice Andersen")  # fmt: skip
    assert body["meeting_url"] is None  # the session is in a room

    again = post(client, ENROLMENTS, staff, {"session": session.pk})
    assert again.status_code == 200
    assert again.json()["id"] == enrolment.pk
    assert Enrolment.objects.filter(session=session).count() == 1


def test_a_full_session_puts_the_next_on_the_waiting_list(client, staff, session, colleagues):
    for person in colleagues:
        service.enrol(session, person)
    response = post(client, ENROLMENTS, staff, {"session": session.pk})
    assert response.status_code == 201
    assert response.json()["place"] == "waitlisted"
    assert Enrolment.objects.get(person=staff).status == EnrolmentStatus.WAITLISTED


def test_people_with_a_seat_online_get_the_meeting_link(client, staff, later_session):
    body = post(client, ENROLMENTS, staff, {"session": later_session.pk}).json()
    assert (body["place"], body["meeting_url"]) == ("enrolled", "https://meet.example/pilot")


def test_leaders_enrol_their_staff_and_nobody_else(
    client, library_leader, staff, other_staff, session
):
    response = post(client, ENROLMENTS, library_leader, {"session": session.pk,
                                                          "person": staff.pk})  # fmt: skip
    assert response.status_code == 201
    enrolment = Enrolment.objects.get(person=staff)
    assert enrolment.enrolled_by == library_leader

    refused = post(client, ENROLMENTS, library_leader, {"session": session.pk,
                                                         "person": other_staff.pk})  # fmt: skip
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "You may not enrol this person: you enrol yourself, leaders the staff of the "
        "libraries they lead."
    }
    assert not Enrolment.objects.filter(person=other_staff).exists()


def test_staff_do_not_enrol_others(client, staff, colleagues, session):
    response = post(client, ENROLMENTS, staff, {"session": session.pk, "person": colleagues[0].pk})
    assert response.status_code == 403
    # An unknown id is refused the same way, so no id is confirmed.
    unknown = post(client, ENROLMENTS, staff, {"session": session.pk, "person": 999_999})
    assert unknown.json() == response.json()


def test_a_coordinator_enrols_anyone(client, coordinator, other_staff, session):
    response = post(client, ENROLMENTS, coordinator, {"session": session.pk,
                                                       "person": other_staff.pk})  # fmt: skip
    assert response.status_code == 201


def test_an_unknown_session_is_a_bad_request(client, staff, session):
    response = post(client, ENROLMENTS, staff, {"session": session.pk + 100})
    assert response.status_code == 400
    assert response.json() == {"session": [f"There is no session with the id {session.pk + 100}."]}
    assert post(client, ENROLMENTS, staff, {}).json() == {"session": ["This field is required."]}


def test_a_refused_enrolment_says_why(client, staff, session, later_session):
    service.enrol(session, staff)
    response = post(client, ENROLMENTS, staff, {"session": later_session.pk})
    assert response.status_code == 400
    when = timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")
    assert response.json() == {
        "detail": f"Alice Andersen already has a place in another session of this module "
        f"({when}). Cancel that place first."
    }


def test_a_login_without_a_person_cannot_enrol_itself(client, outsider, session):
    response = post(client, ENROLMENTS, outsider, {"session": session.pk})
    assert response.status_code == 403
    assert response.json() == {"detail": "Your login has no person to enrol."}


# -- listing and cancelling ----------------------------------------------------------------------


def test_each_sees_the_enrolments_they_may(
    client, staff, library_leader, other_staff, coordinator, session, later_session
):
    own = service.enrol(session, staff)
    other = service.enrol(later_session, other_staff)

    def ids(person):
        return [e["id"] for e in get(client, ENROLMENTS, person).json()["results"]]

    assert ids(staff) == [own.pk]
    assert ids(library_leader) == [own.pk]
    assert ids(other_staff) == [other.pk]
    assert ids(coordinator) == [own.pk, other.pk]
    assert get(client, f"{ENROLMENTS}{other.pk}/", staff).status_code == 404


def test_other_peoples_places_read_through_the_api_are_in_the_audit_log(
    client, staff, library_leader, session
):
    own = service.enrol(session, staff)
    get(client, ENROLMENTS, staff)
    get(client, f"{ENROLMENTS}{own.pk}/", staff)
    assert not AuditEvent.objects.exists()  # one's own places are not logged

    get(client, ENROLMENTS, library_leader)
    get(client, f"{ENROLMENTS}{own.pk}/", library_leader)

    assert list(
        AuditEvent.objects.order_by("pk").values_list(
            "actor_email", "action", "object_id", "detail"
        )
    ) == [
        (library_leader.email, Action.VIEWED_PARTICIPANTS, "", "API"),
        (library_leader.email, Action.VIEWED_PARTICIPANTS, str(session.pk), "API"),
    ]


def test_cancelling_gives_the_seat_to_the_first_waiting(client, staff, colleagues, session):
    mine = service.enrol(session, staff)
    service.enrol(session, colleagues[0])
    waiting = service.enrol(session, colleagues[1])
    assert waiting.status == EnrolmentStatus.WAITLISTED

    response = post(client, cancel_url(mine), staff)
    assert response.status_code == 200
    assert response.json()["place"] == "cancelled"
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.ENROLLED
    # Safe to repeat.
    assert post(client, cancel_url(mine), staff).json()["place"] == "cancelled"


def test_nobody_cancels_a_place_they_cannot_see(client, staff, other_staff, session):
    theirs = service.enrol(session, other_staff)
    assert post(client, cancel_url(theirs), staff).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == EnrolmentStatus.ENROLLED


def test_a_seat_in_a_session_that_has_started_is_not_cancelled(client, staff, session):
    mine = service.enrol(session, staff)
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    response = post(client, cancel_url(mine), staff)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The session has already started; the place cannot be cancelled."
    }


# -- the idea bank -------------------------------------------------------------------------------


def test_the_idea_bank_names_libraries_never_people(client, other_staff, staff, module):
    experience = ExperienceLog.objects.create(
        module=module,
        person=staff,
        library=staff.library,
        resource="eReolen",
        target_group="seniors",
        title="Lydbøger til seniorer",
        what_tried="En eftermiddag med lydbøger.",
        what_happened="Tolv kom.",
        lesson="Vis appen på deres egen telefon.",
        would_repeat=WouldRepeat.YES,
    )
    response = get(client, EXPERIENCES, other_staff)
    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item["id"] == experience.pk
    assert (item["library"], item["municipality"]) == ("Odense Hovedbibliotek", "Odense")
    assert "person" not in item
    assert "Alice" not in json.dumps(item)
    assert get(client, EXPERIENCES, other_staff, target_group="children_0_8").json()["count"] == 0
    assert get(client, EXPERIENCES, other_staff, target_group="seniors").json()["count"] == 1
    assert get(client, EXPERIENCES, other_staff, programme=module.programme_id).json()["count"] == 1


# -- the effect ----------------------------------------------------------------------------------


@pytest.fixture
def measured(programme, module, session, odense_main):
    return make_measured(programme, module, session, odense_main)


@pytest.mark.parametrize("member", ["staff", "library_leader", "provider", "outsider"])
def test_the_effect_is_refused_to_others(client, request, programme, member):
    response = get(client, effect_url(programme), request.getfixturevalue(member))
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only education coordinators and analysts read the effect."
    }
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("member", ["coordinator", "analyst"])
def test_coordinators_and_analysts_get_the_effect_as_the_download_has_it(
    client, request, programme, measured, member
):
    response = get(client, effect_url(programme), request.getfixturevalue(member))
    assert response.status_code == 200
    body = response.json()
    expected = as_json(programme_effect(programme))
    body.pop("generated_at"), expected.pop("generated_at")
    assert body == expected
    assert body["groups"][0]["n"] == 8
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.detail) == (
        Action.VIEWED_RESULTS,
        str(programme.pk),
        "API",
    )


def test_an_unknown_programmes_effect_is_not_found(client, coordinator, programme):
    assert get(client, f"{PROGRAMMES}{programme.pk + 100}/effect/", coordinator).status_code == 404


def test_the_schema_documents_the_pilot_and_stays_valid(tmp_path, db):
    paths = generated_schema(tmp_path)["paths"]
    for path in (
        "/api/v1/programmes/",
        "/api/v1/programmes/{id}/",
        "/api/v1/programmes/{id}/effect/",
        "/api/v1/sessions/",
        "/api/v1/sessions/{id}/",
        "/api/v1/enrolments/",
        "/api/v1/enrolments/{id}/",
        "/api/v1/enrolments/{id}/cancel/",
        "/api/v1/experiences/",
        "/api/v1/experiences/{id}/",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/enrolments/"]) == {"get", "post"}
    session_parameters = {p["name"] for p in paths["/api/v1/sessions/"]["get"]["parameters"]}
    assert session_parameters == {"programme", "module", "upcoming", "limit", "offset"}
