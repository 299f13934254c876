"""The pilot's catalogue pages: programmes, modules and sessions for everyone logged in, with
enrolment from a module's page; creating, changing and deleting them for coordinators.

The pages are read in English (the language cookie), so the expected texts are the English
source strings. The forms' rules are in test_forms.py, the suggested modules in test_targeting.py.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from digikompas.frameworks import services as frameworks
from digikompas.frameworks.tests.conftest import make_content
from digikompas.orgs.models import JobRole
from digikompas.pilot import enrolment
from digikompas.pilot.models import (
    Completion,
    Enrolment,
    EnrolmentStatus,
    Material,
    MaterialKind,
    Module,
    ModuleFormat,
    Programme,
    Session,
)
from digikompas.surveys import services as surveys
from digikompas.surveys.tests.conftest import make_survey, open_round
from digikompas.testing import assert_accessible, field_error, html, log_in, log_in_client, message

LIST = reverse("pilot:programme_list")


@pytest.fixture
def competence_survey(published_framework):
    """The small survey of surveys/tests/conftest.py on the programme's framework."""
    return make_survey(published_framework)


# -- helpers -------------------------------------------------------------------------------------


def url(name, *args):
    return reverse(f"pilot:{name}", args=args)


def programme_data(framework, **changes) -> dict:
    today = timezone.localdate()
    data = {
        "key": "pilot-2028",
        "title_da": "Digital formidling for alle",
        "title_en": "Digital dissemination for all",
        "description_da": "Fire moduler.",
        "description_en": "",
        "framework": framework.pk,
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=90)).isoformat(),
        "before_round": "",
        "after_round": "",
        "target_roles": ["librarian", "library_assistant"],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def module_data(**changes) -> dict:
    data = {
        "title_da": "Filmstriben i skolen",
        "title_en": "Filmstriben at school",
        "description_da": "",
        "description_en": "",
        "format": "webinar",
        "position": "2",
        "hours": "1.5",
        "competencies": [],
        "target_groups": ["teachers"],
        "materials": [],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def session_data(day=None, **changes) -> dict:
    day = day or timezone.localdate() + datetime.timedelta(days=7)
    data = {
        "date": day.isoformat(),
        "start_time": "09:30",
        "end_time": "12:00",
        "place": "Dokk1, lokale 3",
        "meeting_url": "",
        "capacity": "12",
        "facilitator": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def online_session(module, *, days=2, capacity=2, **more) -> Session:
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
    return Session.objects.create(
        module=module,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        meeting_url="https://meet.example/pilot-42",
        capacity=capacity,
        **more,
    )


def link_material(module, title, **more) -> Material:
    material = Material.objects.create(
        kind=MaterialKind.LINK, title_da=title, url="https://example.org/guide", **more
    )
    module.materials.add(material)
    return material


# -- the list of programmes ----------------------------------------------------------------------


def test_staff_see_the_programmes_with_dates_and_modules(client, staff, programme, module):
    Programme.objects.create(
        key="eksempel",
        title_da="Eksempelprogram",
        framework=programme.framework,
        starts_on=datetime.date(2027, 1, 4),
        ends_on=datetime.date(2027, 4, 30),
        is_example=True,
    )
    response = log_in_client(client, staff).get(LIST)
    assert response.status_code == 200
    page = html(response)
    assert "<h1>Pilot education</h1>" in page
    detail = url("programme_detail", programme.pk)
    assert (
        f'<th scope="row"><a href="{detail}">Pilot education in digital dissemination</a></th>'
        in page
    )
    assert (
        'Eksempelprogram</a><span class="badge badge-info">Example data</span></th>'
        "<td>Jan. 4, 2027</td><td>April 30, 2027</td>"
        '<td class="text-align-right">0</td>'
    ) in page
    assert '<td class="text-align-right">1</td>' in page  # the pilot's one module
    assert "show what a pilot programme can look like" in page
    for name in ("toolbox", "idea_bank", "mine", "suggestions"):
        assert f'href="{url(name)}"' in page
    assert "New programme" not in page


def test_coordinators_get_the_button_for_a_new_programme(client, coordinator):
    page = html(log_in_client(client, coordinator).get(LIST))
    assert f'<a class="button button-secondary" href="{url("programme_create")}">' in page
    assert "There are no pilot programmes yet. Create the first one with “New programme”." in page


def test_an_empty_list_says_so(client, staff):
    page = html(log_in_client(client, staff).get(LIST))
    assert "There are no pilot programmes yet.</p>" in page


def test_a_login_without_a_person_sees_no_links_of_its_own(client, outsider, programme):
    page = html(log_in_client(client, outsider).get(LIST))
    assert "Pilot education in digital dissemination" in page
    assert f'href="{url("mine")}"' not in page
    assert f'href="{url("suggestions")}"' not in page


def test_the_list_reads_the_same_number_of_queries_for_any_number_of_programmes(
    client, staff, programme, module, django_assert_num_queries
):
    for n in range(30):
        Programme.objects.create(
            key=f"p-{n}",
            title_da=f"Program {n}",
            framework=programme.framework,
            starts_on=datetime.date(2027, 1, 1),
            ends_on=datetime.date(2027, 6, 30),
        )
    log_in_client(client, staff)
    # session, user, person, grants, count, the page of programmes with their numbers of
    # modules, the user's name in the header.
    with django_assert_num_queries(7):
        response = client.get(LIST)
    assert len(response.context["page"]) == 25
    assert "Page 1 of 2" in html(response)


def test_the_list_needs_a_login(client):
    assert client.get(LIST).status_code == 302


# -- a programme ---------------------------------------------------------------------------------


def test_the_programme_page_shows_modules_competencies_and_free_seats(
    client, staff, other_staff, programme, module, session
):
    programme.description_da = "Om formidling af digitale ressourcer."
    programme.target_roles = [JobRole.LIBRARIAN]
    programme.save()
    enrolment.enrol(session, other_staff)
    Session.objects.create(  # held yesterday: not among the coming sessions
        module=module,
        starts_at=session.starts_at - datetime.timedelta(days=2),
        ends_at=session.ends_at - datetime.timedelta(days=2),
        place="Odense",
        capacity=5,
    )
    response = log_in_client(client, staff).get(url("programme_detail", programme.pk))
    assert response.status_code == 200
    page = html(response)
    assert "<h1>Pilot education in digital dissemination</h1>" in page
    assert "<p>Om formidling af digitale ressourcer.</p>" in page
    assert "<dt>For</dt><dd>Librarian</dd>" in page
    assert (
        f'<a href="{url("module_detail", module.pk)}">Promoting eReolen to seniors</a></h3>'
        "<p>Workshop · 3 hours · for reaching Seniors</p>"
    ) in page
    assert "<li>S.1 Searching eReolen</li>" in page
    assert "<td>Odense Hovedbibliotek, mødelokale 2</td><td>1 seat free</td>" in page
    assert page.count("seat free") == 1
    # Staff read; the links to change the programme and to its effect are not theirs.
    for text in ("Edit the programme", "New module", "Effect: before and after", "Round before"):
        assert text not in page


def test_coordinators_see_the_rounds_and_the_links_to_change_the_programme(
    client, coordinator, programme, competence_survey, odense
):
    programme.before_round = open_round(competence_survey, municipalities=[odense])
    programme.save()
    page = html(log_in_client(client, coordinator).get(url("programme_detail", programme.pk)))
    assert f'href="{url("programme_edit", programme.pk)}">Edit the programme</a>' in page
    assert f'href="{url("module_create", programme.pk)}">New module</a>' in page
    assert f'href="{url("effect", programme.pk)}">Effect: before and after</a>' in page
    assert "<dt>Round before</dt><dd>Forår 2026 – Test survey</dd>" in page
    assert "<dt>Round after</dt><dd>None yet</dd>" in page
    assert "The programme has no modules yet. Add the first one with “New module”." in page


def test_analysts_get_the_effect_but_nothing_to_change(client, analyst, programme):
    page = html(log_in_client(client, analyst).get(url("programme_detail", programme.pk)))
    assert f'href="{url("effect", programme.pk)}">Effect: before and after</a>' in page
    assert "Edit the programme" not in page


def test_an_unknown_programme_is_not_found(client, staff):
    assert log_in_client(client, staff).get(url("programme_detail", 999)).status_code == 404


# -- creating and changing a programme -----------------------------------------------------------


def test_a_coordinator_creates_a_programme(client, coordinator, published_framework):
    log_in_client(client, coordinator)
    assert client.get(url("programme_create")).status_code == 200
    response = client.post(url("programme_create"), programme_data(published_framework))
    programme = Programme.objects.get(key="pilot-2028")
    assert response.status_code == 302
    assert response.url == url("programme_detail", programme.pk)
    assert programme.target_roles == ["librarian", "library_assistant"]
    assert programme.framework == published_framework
    page = html(client.get(response.url))
    assert (
        message("The programme “Digital dissemination for all” was created. Now add its modules.")
        in page
    )


def test_a_coordinator_changes_a_programme_and_its_rounds(
    client, coordinator, programme, competence_survey, odense
):
    before = open_round(competence_survey, municipalities=[odense])
    after = surveys.create_round(
        survey=competence_survey,
        title="Efterår 2026",
        opens_at=before.closes_at,
        closes_at=before.closes_at + datetime.timedelta(days=14),
    )
    response = log_in_client(client, coordinator).post(
        url("programme_edit", programme.pk),
        programme_data(
            programme.framework,
            key=programme.key,
            before_round=before.pk,
            after_round=after.pk,
            target_roles=[],
        ),
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.before_round, programme.after_round) == (before, after)
    assert programme.title_en == "Digital dissemination for all"
    assert programme.target_roles == []


def test_an_anonymous_round_is_refused(client, coordinator, programme, competence_survey, odense):
    anonymous = open_round(competence_survey, municipalities=[odense], anonymity="anonymous")
    response = log_in_client(client, coordinator).post(
        url("programme_edit", programme.pk),
        programme_data(programme.framework, key=programme.key, before_round=anonymous.pk),
    )
    assert response.status_code == 400
    page = html(response)
    assert (
        field_error(
            "before_round",
            "Choose a confidential round of a competence survey: only its answers can be paired "
            "by person.",
        )
        in page
    )
    assert "The programme was not saved. Correct the fields marked below." in page
    # The page around the refused form still names the stored programme.
    assert "<h1>Edit Pilot education in digital dissemination</h1>" in page
    programme.refresh_from_db()
    assert programme.before_round is None


def test_the_models_rules_for_the_rounds_show_on_their_fields(
    client, coordinator, programme, competence_survey, odense
):
    before = open_round(competence_survey, municipalities=[odense])
    early = open_round(competence_survey, municipalities=[odense])  # opens before `before` closes
    response = log_in_client(client, coordinator).post(
        url("programme_edit", programme.pk),
        programme_data(
            programme.framework, key=programme.key, before_round=before.pk, after_round=early.pk
        ),
    )
    assert response.status_code == 400
    assert field_error(
        "after_round", "The round after must open when the round before closed."
    ) in html(response)


def test_a_programme_ending_before_it_starts_is_refused(client, coordinator, published_framework):
    response = log_in_client(client, coordinator).post(
        url("programme_create"),
        programme_data(published_framework, starts_on="2027-05-01", ends_on="2027-04-30"),
    )
    assert response.status_code == 400
    assert field_error("ends_on", "The programme cannot end before it starts.") in html(response)
    assert not Programme.objects.exists()


def test_a_key_in_use_is_refused(client, coordinator, programme):
    response = log_in_client(client, coordinator).post(
        url("programme_create"), programme_data(programme.framework, key=programme.key)
    )
    assert response.status_code == 400
    assert field_error("key", "There is already a programme with this key.") in html(response)


@pytest.mark.parametrize("who", ["staff", "library_leader", "analyst", "provider"])
def test_only_coordinators_create_and_change_programmes(client, request, who, programme):
    log_in_client(client, request.getfixturevalue(who))
    data = programme_data(programme.framework, key="other")
    assert client.get(url("programme_create")).status_code == 403
    assert client.post(url("programme_create"), data).status_code == 403
    assert client.get(url("programme_edit", programme.pk)).status_code == 403
    assert client.post(url("programme_edit", programme.pk), data).status_code == 403
    assert Programme.objects.count() == 1


# -- creating, changing and deleting a module ----------------------------------------------------


def test_a_coordinator_adds_a_module_with_competencies_and_materials(
    client, coordinator, programme, module
):
    guide = link_material(module, "Vejledning til eReolen")
    s2 = programme.framework.competencies.get(code="S.2")
    log_in_client(client, coordinator)
    page = html(client.get(url("module_create", programme.pk)))
    # The competencies by domain; the next position suggested.
    assert '<legend class="h5">S Searching</legend>' in page
    assert '<legend class="h5">L Leadership</legend>' in page
    assert 'name="position" value="2"' in page

    response = client.post(
        url("module_create", programme.pk),
        module_data(competencies=[s2.pk], materials=[guide.pk]),
    )
    new = Module.objects.get(title_da="Filmstriben i skolen")
    assert response.status_code == 302
    assert response.url == url("module_detail", new.pk)
    assert new.programme == programme
    assert new.format == ModuleFormat.WEBINAR
    assert str(new.hours) == "1.5"
    assert list(new.competencies.all()) == [s2]
    assert list(new.materials.all()) == [guide]
    assert new.target_groups == ["teachers"]


def test_a_competency_of_another_framework_is_refused(client, coordinator, programme):
    other = frameworks.publish(framework=frameworks.create_framework(content=make_content()))
    foreign = other.competencies.get(code="S.1")
    response = log_in_client(client, coordinator).post(
        url("module_create", programme.pk), module_data(competencies=[foreign.pk])
    )
    assert response.status_code == 400
    assert field_error(
        "competencies", "Choose only competencies of the programme's framework."
    ) in html(response)
    assert not Module.objects.filter(title_da="Filmstriben i skolen").exists()


def test_a_coordinator_changes_a_module(client, coordinator, module):
    response = log_in_client(client, coordinator).post(
        url("module_edit", module.pk), module_data(title_da="Ny titel", competencies=[])
    )
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.title_da == "Ny titel"
    assert not module.competencies.exists()


def test_a_module_with_enrolments_is_not_deleted(client, coordinator, staff, module, session):
    enrolment.enrol(session, staff)
    log_in_client(client, coordinator)
    page = html(client.get(url("module_delete", module.pk)))
    refusal = (
        "The module cannot be deleted: 1 person has a place in its sessions or is on a waiting "
        "list. Cancel the place first."
    )
    assert refusal in page
    assert "<button" not in page.split("<main")[1]

    response = client.post(url("module_delete", module.pk), follow=True)
    assert message(refusal, "error") in html(response)
    assert Module.objects.filter(pk=module.pk).exists()


def test_a_module_without_enrolments_is_deleted(client, coordinator, staff, programme, module):
    session = online_session(module)
    cancelled = enrolment.enrol(session, staff)
    enrolment.cancel(cancelled)  # a cancelled place does not hold the module back
    response = log_in_client(client, coordinator).post(url("module_delete", module.pk))
    assert response.status_code == 302
    assert response.url == url("programme_detail", programme.pk)
    assert not Module.objects.filter(pk=module.pk).exists()
    assert message("The module “Promoting eReolen to seniors” was deleted.") in html(
        client.get(response.url)
    )


@pytest.mark.parametrize("who", ["staff", "library_leader", "facilitator"])
def test_only_coordinators_change_modules(client, request, who, programme, module):
    log_in_client(client, request.getfixturevalue(who))
    assert client.get(url("module_create", programme.pk)).status_code == 403
    assert client.post(url("module_create", programme.pk), module_data()).status_code == 403
    assert client.get(url("module_edit", module.pk)).status_code == 403
    assert client.post(url("module_edit", module.pk), module_data()).status_code == 403
    assert client.post(url("module_delete", module.pk)).status_code == 403
    assert Module.objects.get().title_da == "Formidling af eReolen til seniorer"


# -- creating, changing and deleting a session ---------------------------------------------------


def test_a_coordinator_adds_a_session_in_danish_time(client, coordinator, module, facilitator):
    day = timezone.localdate() + datetime.timedelta(days=7)
    response = log_in_client(client, coordinator).post(
        url("session_create", module.pk), session_data(day, facilitator=facilitator.pk)
    )
    assert response.status_code == 302
    session = Session.objects.get(place="Dokk1, lokale 3")
    local = timezone.localtime(session.starts_at)
    assert (local.date(), local.hour, local.minute) == (day, 9, 30)
    assert str(local.tzinfo) == "Europe/Copenhagen"
    assert session.ends_at - session.starts_at == datetime.timedelta(hours=2, minutes=30)
    assert (session.capacity, session.facilitator) == (12, facilitator)


def test_the_facilitators_to_choose_are_providers_and_coordinators(
    client, coordinator, module, facilitator, staff
):
    page = html(log_in_client(client, coordinator).get(url("session_create", module.pk)))
    assert f'<option value="{facilitator.pk}">Kirsten Krog (kirsten@provider.example)</option>' in (
        page
    )
    assert "Hanne Holm (hanne@kl.example)" in page
    assert staff.email not in page


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"end_time": "09:00"}, "end_time", "The session must end after it starts."),
        ({"place": "", "meeting_url": ""}, "place",
         "Give the place of the session or its meeting link."),
        ({"capacity": "0"}, "capacity", "A session needs at least one seat."),
    ],
)  # fmt: skip
def test_a_session_is_checked_field_by_field(client, coordinator, module, changes, field, error):
    response = log_in_client(client, coordinator).post(
        url("session_create", module.pk), session_data(**changes)
    )
    assert response.status_code == 400
    page = html(response)
    assert field_error(field, error) in page
    assert "The session was not saved. Correct the fields marked below." in page
    assert not Session.objects.exists()


def test_seats_cannot_go_below_the_people_who_have_one(
    client, coordinator, staff, other_staff, session
):
    enrolment.enrol(session, staff)
    enrolment.enrol(session, other_staff)
    local = timezone.localtime(session.starts_at)
    response = log_in_client(client, coordinator).post(
        url("session_edit", session.pk),
        session_data(
            local.date(),
            start_time="08:00",
            end_time="11:00",
            place="Et andet lokale",
            capacity="1",
        ),
    )
    assert response.status_code == 400
    assert field_error(
        "capacity", "2 people already have a seat; the session needs at least that many seats."
    ) in html(response)
    session.refresh_from_db()
    # Nothing of the change was saved.
    assert (session.capacity, session.place, session.sequence) == (
        2,
        "Odense Hovedbibliotek, mødelokale 2",
        0,
    )


def test_more_seats_move_the_waiting_list_up(
    client, coordinator, staff, other_staff, library_leader, session
):
    enrolment.enrol(session, staff)
    enrolment.enrol(session, other_staff)
    waiting = enrolment.enrol(session, library_leader)
    assert waiting.status == EnrolmentStatus.WAITLISTED
    # A session as the form makes it: on the minute.
    Session.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at.replace(second=0), ends_at=session.ends_at.replace(second=0)
    )
    session.refresh_from_db()
    local = timezone.localtime(session.starts_at)
    response = log_in_client(client, coordinator).post(
        url("session_edit", session.pk),
        session_data(
            local.date(),
            start_time=local.strftime("%H:%M"),
            end_time=timezone.localtime(session.ends_at).strftime("%H:%M"),
            place=session.place,
            capacity="3",
            facilitator=session.facilitator_id,
        ),
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    session.refresh_from_db()
    assert waiting.status == EnrolmentStatus.ENROLLED
    assert session.capacity == 3
    # Only the seats changed: calendars keep their version of the event.
    assert session.sequence == 0


def test_a_new_time_or_place_is_a_new_version_for_calendars(
    client,
    coordinator,
    session,
    staff,
    other_staff,
    library_leader,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    seat = enrolment.enrol(session, staff)
    enrolment.enrol(session, other_staff)
    waiting = enrolment.enrol(session, library_leader)
    Enrolment.objects.filter(pk=seat.pk).update(reminder_sent_at=timezone.now())
    smtp_server.messages.clear()
    local = timezone.localtime(session.starts_at)
    log_in_client(client, coordinator)
    data = session_data(
        local.date(),
        start_time="13:00",
        end_time="15:00",
        place=session.place,
        capacity="2",
        facilitator=session.facilitator_id,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url("session_edit", session.pk), data).status_code == 302
    session.refresh_from_db()
    assert timezone.localtime(session.starts_at).hour == 13
    assert session.sequence == 1
    seat.refresh_from_db()
    assert seat.reminder_sent_at is None  # the reminder was for the old time
    # Everyone enrolled is told; those with a seat get the new event for their calendar.
    told = {m["To"]: m for m in smtp_server.messages}
    assert set(told) == {staff.email, other_staff.email, library_leader.email}
    assert str(told[staff.email]["Subject"]).startswith("Ændret tid eller sted:")  # in Danish
    assert "text/calendar" in told[staff.email].as_string()
    assert "text/calendar" not in told[waiting.person.email].as_string()
    smtp_server.messages.clear()

    data["place"] = "Et andet lokale"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("session_edit", session.pk), data)
    session.refresh_from_db()
    assert (session.place, session.sequence) == ("Et andet lokale", 2)
    assert len(smtp_server.messages) == 3


def test_the_edit_form_shows_the_session_in_danish_time(client, coordinator, session):
    local = timezone.localtime(session.starts_at)
    page = html(log_in_client(client, coordinator).get(url("session_edit", session.pk)))
    assert f'name="date" value="{local.date().isoformat()}"' in page
    assert f'name="start_time" value="{local:%H:%M}"' in page
    assert "2 seats free" in page


def test_a_session_with_enrolments_is_not_deleted(client, coordinator, staff, module, session):
    enrolment.enrol(session, staff)
    log_in_client(client, coordinator)
    refusal = (
        "The session cannot be deleted: 1 person has a place or is on the waiting list. "
        "Cancel the place first."
    )
    assert refusal in html(client.get(url("session_delete", session.pk)))
    response = client.post(url("session_delete", session.pk), follow=True)
    assert message(refusal, "error") in html(response)
    assert Session.objects.filter(pk=session.pk).exists()

    enrolment.cancel(Enrolment.objects.get())
    response = client.post(url("session_delete", session.pk))
    assert response.url == url("module_detail", module.pk)
    assert not Session.objects.filter(pk=session.pk).exists()


@pytest.mark.parametrize("who", ["staff", "library_leader", "facilitator"])
def test_only_coordinators_change_sessions(client, request, who, module, session):
    log_in_client(client, request.getfixturevalue(who))
    assert client.get(url("session_create", module.pk)).status_code == 403
    assert client.post(url("session_create", module.pk), session_data()).status_code == 403
    assert client.get(url("session_edit", session.pk)).status_code == 403
    assert client.post(url("session_edit", session.pk), session_data()).status_code == 403
    assert client.post(url("session_delete", session.pk)).status_code == 403
    assert Session.objects.get().capacity == 2


# -- a module's page -----------------------------------------------------------------------------


def enrol_form(session, page_url) -> str:
    return (
        f'<form method="post" action="{url("enrol", session.pk)}">'
        f'<input type="hidden" name="csrfmiddlewaretoken"'
    ), f'<input type="hidden" name="next" value="{page_url}">'


def test_staff_can_enrol_in_a_coming_session(client, staff, module, session):
    page_url = url("module_detail", module.pk)
    response = log_in_client(client, staff).get(page_url)
    assert response.status_code == 200
    page = html(response)
    assert "<h1>Promoting eReolen to seniors</h1>" in page
    form, next_field = enrol_form(session, page_url)
    assert form in page
    assert next_field in page
    assert '<button type="submit" class="button button-primary">Enrol<span class="sr-only">' in page
    assert "<td>Kirsten Krog</td><td>2 seats free</td>" in page
    assert f'href="{url("cancel", 1)}"' not in page
    # Not the staff member's to see or do.
    for name in ("enrol_staff", "participants", "session_edit"):
        assert f'href="{url(name, session.pk)}"' not in page


def test_a_full_session_offers_the_waiting_list(client, staff, other_staff, module, session):
    session.capacity = 1
    session.save()
    enrolment.enrol(session, other_staff)
    page = html(log_in_client(client, staff).get(url("module_detail", module.pk)))
    assert "<td>Full</td>" in page
    assert ">Join the waiting list<span" in page


def test_a_place_shows_its_status_and_can_be_cancelled(client, staff, module, session):
    mine = enrolment.enrol(session, staff)
    page = html(log_in_client(client, staff).get(url("module_detail", module.pk)))
    assert "<strong>Enrolled</strong>" in page
    assert f'<form method="post" action="{url("cancel", mine.pk)}">' in page
    assert '>Cancel<span class="sr-only"> your place</span></button>' in page
    assert f'href="{url("session_ics", session.pk)}">Add to calendar</a>' in page
    assert f'action="{url("enrol", session.pk)}"' not in page
    assert "<td>Kirsten Krog</td><td>1 seat free</td>" in page


def test_the_waiting_list_shows_as_status(client, staff, other_staff, library_leader, session):
    enrolment.enrol(session, other_staff)
    enrolment.enrol(session, library_leader)
    enrolment.enrol(session, staff)
    page = html(log_in_client(client, staff).get(url("module_detail", session.module_id)))
    assert "<strong>On the waiting list</strong>" in page
    assert "<td>Full · 1 on the waiting list</td>" in page
    assert ">Cancel<span" in page
    # The calendar marks a place on the waiting list as tentative.
    assert f'href="{url("session_ics", session.pk)}">Add to calendar</a>' in page


def test_one_place_per_module(client, staff, module, session):
    enrolment.enrol(session, staff)
    other = online_session(module, days=3)
    page = html(log_in_client(client, staff).get(url("module_detail", module.pk)))
    assert f'action="{url("enrol", other.pk)}"' not in page
    assert "You have a place in another session of this module." in page


def test_a_cancelled_place_can_be_taken_again(client, staff, module, session):
    enrolment.cancel(enrolment.enrol(session, staff))
    page = html(log_in_client(client, staff).get(url("module_detail", module.pk)))
    assert "<strong>Cancelled</strong>" in page
    assert f'action="{url("enrol", session.pk)}"' in page


def test_a_past_session_offers_no_enrolment(client, staff, module, session):
    session.starts_at -= datetime.timedelta(days=3)
    session.ends_at -= datetime.timedelta(days=3)
    session.save()
    page = html(log_in_client(client, staff).get(url("module_detail", module.pk)))
    assert "Held" in page
    assert f'action="{url("enrol", session.pk)}"' not in page


def test_the_meeting_link_is_only_for_people_with_a_seat(
    client, staff, other_staff, library_leader, module
):
    session = online_session(module, capacity=1)
    enrolment.enrol(session, other_staff)
    enrolment.enrol(session, library_leader)  # waiting
    page_url = url("module_detail", module.pk)
    hidden = 'Online <span class="muted">(the link is shown to the people with a seat)</span>'

    for person in (staff, library_leader):
        page = html(log_in_client(client, person).get(page_url))
        assert "meet.example" not in page
        assert hidden in page

    page = html(log_in_client(client, other_staff).get(page_url))
    assert (
        '<a href="https://meet.example/pilot-42" rel="noopener external">Online meeting link</a>'
    ) in page


def test_facilitators_and_coordinators_see_the_link_and_the_participants(
    client, facilitator, coordinator, module
):
    session = online_session(module, facilitator=facilitator)
    for person in (facilitator, coordinator):
        page = html(log_in_client(client, person).get(url("module_detail", module.pk)))
        assert "https://meet.example/pilot-42" in page
        assert f'href="{url("participants", session.pk)}">Participants and attendance</a>' in page
    assert f'href="{url("session_edit", session.pk)}">Edit' in page
    assert f'href="{url("session_delete", session.pk)}">Delete' in page


def test_leaders_get_the_link_to_enrol_their_staff(client, library_leader, staff, module, session):
    page = html(log_in_client(client, library_leader).get(url("module_detail", module.pk)))
    assert f'href="{url("enrol_staff", session.pk)}">Enrol staff</a>' in page
    page = html(log_in_client(client, staff).get(url("module_detail", module.pk)))
    assert "Enrol staff" not in page


def test_materials_are_for_participants(client, staff, other_staff, module, session):
    guide = link_material(module, "Vejledning til eReolen")
    tool = link_material(module, "Plakatskabelon", is_tool=True)
    enrolment.enrol(session, staff)

    page = html(log_in_client(client, staff).get(url("module_detail", module.pk)))
    assert f'<a href="{url("material_download", guide.pk)}">Vejledning til eReolen</a>' in page
    assert f'href="{url("material_download", tool.pk)}">Plakatskabelon</a>' in page

    page = html(log_in_client(client, other_staff).get(url("module_detail", module.pk)))
    assert "Vejledning til eReolen" not in page
    assert f'href="{url("material_download", tool.pk)}">Plakatskabelon</a>' in page  # a tool
    assert "More materials are for the participants of the module." in page


def test_a_module_without_materials_says_so(client, staff, module):
    page = html(log_in_client(client, staff).get(url("module_detail", module.pk)))
    assert "The module has no materials yet." in page
    assert "No sessions are planned yet." in page


def test_after_attending_log_an_experience_and_evaluate(
    client, staff, facilitator, module, session
):
    mine = enrolment.enrol(session, staff)
    enrolment.record_attendance(session, {mine.pk: True}, by=facilitator)
    assert Completion.objects.filter(person=staff, module=module).exists()
    page = html(log_in_client(client, staff).get(url("module_detail", module.pk)))
    assert (
        f'<a href="{url("experience_create", module.pk)}">Log what you tried in your library</a>'
    ) in page
    assert f'<a href="{url("evaluate", mine.pk)}">Evaluate the session on' in page
    assert "· attended" in page


def test_without_attending_there_is_nothing_to_log(client, staff, module, session):
    enrolment.enrol(session, staff)
    page = html(log_in_client(client, staff).get(url("module_detail", module.pk)))
    assert "Log what you tried" not in page
    assert "Evaluate the session" not in page


def test_a_login_without_a_person_reads_the_module_but_cannot_enrol(
    client, outsider, module, session
):
    page = html(log_in_client(client, outsider).get(url("module_detail", module.pk)))
    assert "Promoting eReolen to seniors" in page
    assert f'action="{url("enrol", session.pk)}"' not in page


# -- in the browser ------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_catalogue_pages_pass_axe(
    page, staff, coordinator, module, session, competence_survey, odense
):
    """Every page with its parts filled: a material, an online session, Alice's place, and her
    confidential answers (0 in S.1, which the module builds), so that modules are suggested."""
    link_material(module, "Vejledning til eReolen")
    online_session(module, days=5)
    enrolment.enrol(session, staff)
    round = open_round(competence_survey, municipalities=[odense])
    surveys._store_response(
        round=round,
        person=staff,
        items=list(competence_survey.items.all()),
        answers={"s-1": 0, "s-2": 1, "time-1": 3},
        library=staff.library,
        job_role=staff.job_role,
        submitted_at=timezone.now(),
    )

    log_in(page, staff.email)
    page.wait_for_url(lambda u: "/accounts/" not in u)
    page.goto(LIST)
    assert_accessible(page)
    page.locator(f'main a[href="{url("programme_detail", module.programme_id)}"]').click()
    page.wait_for_url(f"**{url('programme_detail', module.programme_id)}")
    assert page.locator("#suggested-heading").count() == 1
    assert_accessible(page)
    page.locator(f'main a[href="{url("module_detail", module.pk)}"]').first.click()
    page.wait_for_url(f"**{url('module_detail', module.pk)}")
    assert_accessible(page)
    assert page.locator(f'form[action="{url("cancel", Enrolment.objects.get().pk)}"]').count()
    page.goto(url("suggestions"))
    assert page.locator("article.recommendation").count() == 1
    assert_accessible(page)

    page.context.clear_cookies()
    log_in(page, coordinator.email)
    page.wait_for_url(lambda u: "/accounts/" not in u)
    for address in (
        url("programme_create"),
        url("module_create", module.programme_id),
        url("session_edit", session.pk),
    ):
        page.goto(address)
        assert_accessible(page)
    # A refused form, with its error summary.
    page.goto(url("session_create", module.pk))
    page.fill("input[name=capacity]", "0")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".alert-error")
    assert_accessible(page)


def test_coordinators_reach_a_modules_evaluations_and_the_materials(
    client, coordinator, staff, programme, module
):
    log_in_client(client, coordinator)
    page = html(client.get(url("programme_detail", programme.pk)))
    assert f'href="{url("material_list")}">Materials and tools</a>' in page
    page = html(client.get(url("module_detail", module.pk)))
    assert f'href="{url("evaluation_summary", module.pk)}">Evaluations</a>' in page
    # Staff have neither link: the evaluations of all sessions are not theirs.
    log_in_client(client, staff)
    assert url("evaluation_summary", module.pk) not in html(
        client.get(url("module_detail", module.pk))
    )
