"""The experience harvest and the idea bank: participants who completed a module share what they
tried in their library; everyone logged in searches the idea bank, which names libraries and
municipalities but never people; coordinators and analysts export it."""

import csv
import datetime
import io
import uuid

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from digikompas.orgs.models import UserGroup
from digikompas.pilot import enrolment as service
from digikompas.pilot.models import ExperienceLog, Module, ModuleFormat, Session, WouldRepeat
from digikompas.testing import field_error, html, make_person, message
from digikompas.testing import log_in_client as log_in

MINE = reverse("pilot:experience_mine")
IDEAS = reverse("pilot:idea_bank")


def attend(session: Session, person):
    """Enrol the person, move the session into the past and register that they attended: the
    enrolment service refuses a session that has started, so the session starts in the future."""
    enrolment = service.enrol(session, person)
    Session.objects.filter(pk=session.pk).update(
        starts_at=F("starts_at") - datetime.timedelta(days=3),
        ends_at=F("ends_at") - datetime.timedelta(days=3),
    )
    session.refresh_from_db()
    service.record_attendance(session, {enrolment.pk: True})
    enrolment.refresh_from_db()
    return enrolment


def experience_url(module) -> str:
    return reverse("pilot:experience_create", args=[module.pk])


def experience_data(**changes) -> dict:
    data = {
        "resource": "eReolen",
        "target_group": UserGroup.SENIORS,
        "title": "Lydbogscafé for seniorer",
        "what_tried": "Vi viste eReolen-appen ved en kaffemik.",
        "what_happened": "Tolv kom, og syv lånte en lydbog samme dag.",
        "lesson": "Små hold og egne telefoner virker bedst.",
        "would_repeat": WouldRepeat.YES,
        "tried_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
    }
    data.update(changes)
    return data


def make_log(module, person, title, **fields) -> ExperienceLog:
    values = {
        "resource": "eReolen",
        "target_group": UserGroup.SENIORS,
        "what_tried": "Noget",
        "what_happened": "Noget skete",
        "lesson": "Noget lært",
        "would_repeat": WouldRepeat.YES,
    }
    values.update(fields)
    return ExperienceLog.objects.create(
        module=module, person=person, library=person.library, title=title, **values
    )


# -- sharing an experience ------------------------------------------------------------------------


def test_only_people_who_completed_the_module_can_share(client, staff, session, module):
    log_in(client, staff)
    refused = client.get(experience_url(module))
    assert refused.status_code == 403
    assert "You can share experiences from the module “Promoting eReolen to seniors” when you" in (
        html(refused)
    )
    service.enrol(session, staff)  # enrolled, not yet attended
    assert client.post(experience_url(module), experience_data()).status_code == 403
    assert not ExperienceLog.objects.exists()


def test_a_participant_shares_an_experience(client, staff, session, module):
    attend(session, staff)
    log_in(client, staff)
    page = client.get(experience_url(module))
    assert page.status_code == 200
    text = html(page)
    # Suggestions for the resource, while any text is taken.
    assert 'list="id_resource_suggestions"' in text
    assert '<option value="eReolen Go!"></option>' in text
    assert '<option value="Filmstriben"></option>' in text
    key = page.context["form"]["submission_key"].value()
    response = client.post(experience_url(module), experience_data(submission_key=key), follow=True)
    assert message(
        "Thank you. Your experience “Lydbogscafé for seniorer” is now in the idea bank."
    ) in (html(response))
    log = ExperienceLog.objects.get()
    assert log.module == module
    assert log.person == staff
    assert log.library == staff.library  # from the person, not the form
    assert log.submission_key == uuid.UUID(str(key))
    assert log.tried_on == timezone.localdate() - datetime.timedelta(days=1)


def test_it_keeps_one_log_when_submitted_twice(client, staff, session, module):
    attend(session, staff)
    log_in(client, staff)
    key = str(uuid.uuid4())
    first = client.post(experience_url(module), experience_data(submission_key=key))
    second = client.post(
        experience_url(module), experience_data(submission_key=key, title="Andet forsøg")
    )
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == MINE
    assert ExperienceLog.objects.count() == 1
    assert ExperienceLog.objects.get().title == "Lydbogscafé for seniorer"
    # A new form (a new key) is a new experience.
    client.post(experience_url(module), experience_data(submission_key=str(uuid.uuid4())))
    assert ExperienceLog.objects.count() == 2


def test_another_persons_key_is_not_taken_as_a_repeat(client, staff, other_staff, session, module):
    attend(session, staff)
    log = make_log(module, staff, "Alices", submission_key=uuid.uuid4())
    other = Session.objects.create(
        module=module,
        starts_at=timezone.now() + datetime.timedelta(days=5),
        ends_at=timezone.now() + datetime.timedelta(days=5, hours=2),
        place="Dokk1",
        capacity=5,
    )
    attend(other, other_staff)
    log_in(client, other_staff)
    response = client.post(
        experience_url(module), experience_data(submission_key=str(log.submission_key))
    )
    assert response.status_code == 400
    assert "This form has already been used. Open the form again." in html(response)
    assert ExperienceLog.objects.count() == 1


def test_the_fields_are_checked(client, staff, session, module):
    attend(session, staff)
    log_in(client, staff)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        experience_url(module),
        {"submission_key": str(uuid.uuid4()), "tried_on": tomorrow, "target_group": "pets"},
    )
    assert response.status_code == 400
    text = html(response)
    assert field_error("resource", "Name the digital resource.") in text
    assert (
        field_error(
            "target_group", "Select a valid choice. pets is not one of the available choices."
        )
        in text
    )
    assert field_error("title", "Give the experience a headline.") in text
    assert field_error("what_tried", "Describe what you did.") in text
    assert field_error("what_happened", "Describe what happened.") in text
    assert field_error("lesson", "Describe what you learned.") in text
    assert field_error("would_repeat", "Say whether you would do it again.") in text
    assert field_error("tried_on", "The date cannot be in the future.") in text
    assert not ExperienceLog.objects.exists()


def test_a_form_without_its_key_is_refused(client, staff, session, module):
    attend(session, staff)
    log_in(client, staff)
    response = client.post(experience_url(module), experience_data())
    assert response.status_code == 400
    assert "The form was incomplete. Send it again." in html(response)


# -- my experiences -------------------------------------------------------------------------------


def test_my_experiences_lists_only_my_own(client, staff, other_staff, module):
    make_log(module, staff, "Min idé")
    make_log(module, other_staff, "Dorthes idé")
    log_in(client, staff)
    page = html(client.get(MINE))
    assert "Min idé" in page
    assert "Dorthes idé" not in page


def test_my_experiences_has_an_empty_state(client, staff):
    log_in(client, staff)
    assert "You have not shared any experiences yet." in html(client.get(MINE))


def test_i_edit_my_experience(client, staff, module):
    log = make_log(module, staff, "Min idé")
    log_in(client, staff)
    url = reverse("pilot:experience_edit", args=[log.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, experience_data(title="Min bedre idé"), follow=True)
    assert message("Your experience “Min bedre idé” was saved.") in html(response)
    log.refresh_from_db()
    assert log.title == "Min bedre idé"
    assert log.library == staff.library


def test_i_delete_my_experience(client, staff, module):
    log = make_log(module, staff, "Min idé")
    log_in(client, staff)
    url = reverse("pilot:experience_delete", args=[log.pk])
    assert "The experience is removed from the idea bank." in html(client.get(url))
    response = client.post(url, follow=True)
    assert message("Your experience “Min idé” was deleted.") in html(response)
    assert not ExperienceLog.objects.exists()


def test_another_persons_experience_is_not_found(client, staff, other_staff, coordinator, module):
    log = make_log(module, staff, "Min idé")
    for who in (other_staff, coordinator):
        log_in(client, who)
        assert client.get(reverse("pilot:experience_edit", args=[log.pk])).status_code == 404
        assert client.post(reverse("pilot:experience_delete", args=[log.pk])).status_code == 404
    assert ExperienceLog.objects.filter(pk=log.pk).exists()


# -- the idea bank --------------------------------------------------------------------------------


@pytest.fixture
def ideas(module, programme, staff, other_staff):
    webinar = Module.objects.create(
        programme=programme, position=2, format=ModuleFormat.WEBINAR, title_da="Filmstriben"
    )
    return {
        "cafe": make_log(
            module,
            staff,
            "Lydbogscafé",
            what_tried="Kaffemik med eReolen-appen.",
            tried_on=datetime.date(2027, 3, 1),
        ),
        "film": make_log(
            webinar,
            other_staff,
            "Filmklub for unge",
            resource="Filmstriben",
            target_group=UserGroup.YOUNG_13_18,
            lesson="Popcorn hjælper.",
            would_repeat=WouldRepeat.MAYBE,
        ),
        "news": make_log(
            module,
            other_staff,
            "Avislæsning på tablet",
            resource="PressReader",
            would_repeat=WouldRepeat.NO,
        ),
        "webinar": webinar,
    }


def titles(response) -> list[str]:
    return sorted(log.title for log in response.context["page"])


def test_the_idea_bank_shows_libraries_and_municipalities_never_people(
    client, coordinator, staff, ideas
):
    log_in(client, coordinator)
    response = client.get(IDEAS)
    page = html(response)
    assert titles(response) == ["Avislæsning på tablet", "Filmklub for unge", "Lydbogscafé"]
    assert "Odense Hovedbibliotek, Odense" in page
    assert "Dokk1, Aarhus" in page
    for personal in ("Alice Andersen", "alice@odense.example", "Dorthe Dahl", "dorthe@aarhus"):
        assert personal not in page


def test_the_idea_bank_searches_the_texts_whatever_the_case(client, staff, ideas):
    log_in(client, staff)
    assert titles(client.get(IDEAS, {"q": "KAFFEMIK"})) == ["Lydbogscafé"]  # what they did
    assert titles(client.get(IDEAS, {"q": "popcorn"})) == ["Filmklub for unge"]  # the lesson
    assert titles(client.get(IDEAS, {"q": "pressreader"})) == ["Avislæsning på tablet"]
    assert titles(client.get(IDEAS, {"q": "tablet avislæsning"})) == ["Avislæsning på tablet"]
    assert titles(client.get(IDEAS, {"q": "noget skete"})) == [
        "Avislæsning på tablet",
        "Filmklub for unge",
        "Lydbogscafé",
    ]


def test_the_idea_bank_filters(client, staff, ideas, aarhus):
    log_in(client, staff)
    assert titles(client.get(IDEAS, {"resource": "Filmstriben"})) == ["Filmklub for unge"]
    assert titles(client.get(IDEAS, {"target_group": UserGroup.YOUNG_13_18})) == [
        "Filmklub for unge"
    ]
    assert titles(client.get(IDEAS, {"module": ideas["webinar"].pk})) == ["Filmklub for unge"]
    assert titles(client.get(IDEAS, {"would_repeat": WouldRepeat.NO})) == ["Avislæsning på tablet"]
    assert titles(client.get(IDEAS, {"municipality": aarhus.pk})) == [
        "Avislæsning på tablet",
        "Filmklub for unge",
    ]
    assert titles(
        client.get(IDEAS, {"municipality": aarhus.pk, "would_repeat": WouldRepeat.MAYBE})
    ) == ["Filmklub for unge"]
    none = client.get(IDEAS, {"q": "ingenting"})
    assert "No experiences match these filters." in html(none)


def test_a_filter_that_cannot_be_used_is_marked(client, staff, ideas):
    log_in(client, staff)
    response = client.get(IDEAS, {"would_repeat": "always"})
    assert response.status_code == 400
    assert "Some filters could not be used; they are marked below." in html(response)


def test_the_idea_bank_shows_25_per_page(client, staff, module):
    for number in range(30):
        make_log(module, staff, f"Idé {number:02d}")
    log_in(client, staff)
    first = client.get(IDEAS)
    assert len(first.context["page"]) == 25
    assert "30 experiences" in html(first)
    second = client.get(IDEAS, {"page": 2})
    assert len(second.context["page"]) == 5


def test_the_idea_bank_has_an_empty_state(client, staff):
    log_in(client, staff)
    assert "There are no experiences in the idea bank yet." in html(client.get(IDEAS))


def test_the_idea_bank_reads_a_fixed_number_of_queries(
    client, staff, module, django_assert_num_queries
):
    for number in range(10):
        make_log(module, staff, f"Idé {number}")
    log_in(client, staff)
    # The session, the user, the person with library and municipality, their role grants; the
    # resources, modules and municipalities of the filters; the count and the page of logs (with
    # library, municipality, module, programme); the person again for the name in the header.
    with django_assert_num_queries(10):
        client.get(IDEAS)


# -- the export -----------------------------------------------------------------------------------


def export(client, file_format, **filters):
    return client.get(reverse("pilot:idea_bank_export", args=[file_format]), filters)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_coordinators_and_analysts_export_csv_without_people(client, coordinator, analyst, ideas):
    for who in (coordinator, analyst):
        log_in(client, who)
        response = export(client, "csv")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="idea-bank-')
        rows = csv_rows(response)
        assert rows[0][:6] == [
            "Logged",
            "Programme",
            "Module",
            "Library",
            "Municipality",
            "Digital resource",
        ]
        assert len(rows) == 4
        text = response.content.decode("utf-8-sig")
        for personal in ("Alice", "alice@odense.example", "Dorthe", "dorthe@aarhus.example"):
            assert personal not in text
        cafe = next(row for row in rows if row[7] == "Lydbogscafé")
        assert cafe[3:7] == ["Odense Hovedbibliotek", "Odense", "eReolen", "Seniors"]
        assert cafe[12] == "2027-03-01"


def test_the_xlsx_export_reads_back_without_people(client, coordinator, ideas):
    log_in(client, coordinator)
    response = export(client, "xlsx")
    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert len(rows) == 4
    flat = " ".join(str(value) for row in rows for value in row if value is not None)
    for personal in ("Alice", "alice@odense.example", "Dorthe", "dorthe@aarhus.example"):
        assert personal not in flat
    film = next(row for row in rows if row[7] == "Filmklub for unge")
    assert film[3:7] == ("Dokk1", "Aarhus", "Filmstriben", "Young people 13–18")
    assert film[11] == "Maybe, with changes"


def test_the_export_uses_the_pages_filters(client, analyst, ideas, aarhus):
    log_in(client, analyst)
    rows = csv_rows(export(client, "csv", municipality=aarhus.pk, q="popcorn"))
    assert [row[7] for row in rows[1:]] == ["Filmklub for unge"]
    assert len(xlsx_rows(export(client, "xlsx", resource="PressReader"))) == 2
    assert export(client, "csv", would_repeat="always").status_code == 400


def test_texts_that_look_like_formulas_stay_texts(client, coordinator, staff, module):
    make_log(module, staff, '=HYPERLINK("https://evil.example","Klik")', lesson="+1 til alle")
    log_in(client, coordinator)
    row = csv_rows(export(client, "csv"))[1]
    assert row[7] == '\'=HYPERLINK("https://evil.example","Klik")'
    assert row[10] == "'+1 til alle"
    workbook = load_workbook(io.BytesIO(export(client, "xlsx").content))
    cell = workbook.worksheets[0].cell(2, 8)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("https://evil.example","Klik")'


def test_staff_and_leaders_cannot_export(client, staff, library_leader, outsider, ideas):
    for who in (staff, library_leader, outsider):
        log_in(client, who)
        assert export(client, "csv").status_code == 403
        assert export(client, "xlsx").status_code == 403
    log_in(client, staff)
    assert "Export as CSV" not in html(client.get(IDEAS))


def test_an_unknown_export_format_is_not_found(client, coordinator):
    log_in(client, coordinator)
    assert export(client, "pdf").status_code == 404


def test_the_export_link_keeps_the_filters(client, coordinator, ideas):
    log_in(client, coordinator)
    page = html(client.get(IDEAS, {"resource": "Filmstriben", "page": "1"}))
    assert 'href="/pilot/ideas/export/csv/?resource=Filmstriben"' in page


def test_a_person_without_a_library_logs_without_one(client, module, session):
    nomad = make_person("Ole Omrejsende", "ole@kl.example")
    attend(session, nomad)
    log_in(client, nomad)
    response = client.post(
        experience_url(module), experience_data(submission_key=str(uuid.uuid4()))
    )
    assert response.status_code == 302
    assert ExperienceLog.objects.get().library is None
    log_in(client, make_person("Vera Viser", "vera@kl.example"))
    assert "Library not given" in html(client.get(IDEAS))


# -- in Chromium ----------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_experience_form_and_the_idea_bank_pass_axe_core(page, staff, module):
    from digikompas.pilot.models import Completion
    from digikompas.testing import assert_accessible
    from digikompas.testing import log_in as log_in_page

    Completion.objects.create(person=staff, module=module)
    make_log(module, staff, "Filmklub for unge", resource="Filmstriben")
    log_in_page(page, staff.email)
    page.wait_for_url(lambda url: "/accounts/" not in url)

    page.goto(experience_url(module))
    page.fill("#id_title", "Lydbogscafé")
    page.fill("#id_tried_on", (timezone.localdate() + datetime.timedelta(days=2)).isoformat())
    page.locator("main form button.button-primary").click()
    assert page.locator("#id_tried_on_error").is_visible()
    assert_accessible(page)

    page.fill("#id_resource", "eReolen")
    page.select_option("#id_target_group", UserGroup.SENIORS)
    page.fill("#id_what_tried", "Kaffemik med eReolen-appen.")
    page.fill("#id_what_happened", "Tolv kom.")
    page.fill("#id_lesson", "Små hold virker.")
    page.check("#id_would_repeat_0")
    page.fill("#id_tried_on", timezone.localdate().isoformat())
    page.locator("main form button.button-primary").click()
    page.wait_for_url(f"**{MINE}")
    assert ExperienceLog.objects.filter(title="Lydbogscafé").count() == 1
    assert_accessible(page)

    for url in (IDEAS, f"{IDEAS}?q=ingenting", f"{IDEAS}?would_repeat=always"):
        page.goto(url)
        assert_accessible(page)
    assert "Alice Andersen" not in page.locator("main").inner_text()
