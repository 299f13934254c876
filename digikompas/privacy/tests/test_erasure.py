import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from digikompas.accounts.models import User
from digikompas.analysis import services as analysis
from digikompas.analysis.dataset import LIBRARY
from digikompas.analysis.models import Report, ReportKind
from digikompas.analysis.tests.conftest import LIBRARIAN, add_responses
from digikompas.leadership.models import Campaign
from digikompas.orgs.models import Person
from digikompas.pilot.models import Enrolment, EnrolmentStatus, ExperienceLog, Session
from digikompas.privacy import erasure
from digikompas.privacy.models import Action, AuditEvent
from digikompas.surveys import services as surveys
from digikompas.surveys.models import Invitation, Response
from digikompas.surveys.tests.conftest import COMPLETE, open_round
from digikompas.testing import field_error, html, log_in_client, make_person, message


def _field(label: str) -> models.Field:
    app_model, name = label.rsplit(".", 1)
    return apps.get_model(app_model)._meta.get_field(name)


def test_each_relation_is_erased_the_way_its_foreign_key_says():
    # "cascade" must really cascade and "unlink" must really set NULL, or the erasure would
    # leave a row behind or fail on a protected one.
    wrong = []
    for label, how in erasure.RELATIONS.items():
        field = _field(label)
        if field.many_to_many:
            ok = how == "cascade"
        else:
            on_delete = field.remote_field.on_delete
            ok = {
                "cascade": on_delete is models.CASCADE,
                "unlink": on_delete is models.SET_NULL,
                "delete": on_delete in (models.CASCADE, models.SET_NULL),
            }[how]
        if not ok:
            wrong.append(label)
    assert wrong == []


def test_it_erases_the_person_and_everything_linked_to_them(linked, administrator):
    person, objects = linked.person, linked.objects
    user_pk = person.user.pk
    anonymous_responses = objects["anonymous"].responses.count()

    done = erasure.erase(person=person, by=administrator.user)

    assert not Person.objects.filter(pk=person.pk).exists()
    assert not User.objects.filter(pk=user_pk).exists()
    assert done.responses == 1
    assert not Invitation.objects.filter(person_id=person.pk).exists()
    assert objects["confidential"].responses.count() == 0
    # Nothing links an anonymous response to her, so it stays.
    assert objects["anonymous"].responses.count() == anonymous_responses == 1
    assert not ExperienceLog.objects.exists()
    assert not Enrolment.objects.filter(person_id=person.pk).exists()
    # The organisation's records stay, without her.
    assert Campaign.objects.get(pk=objects["campaign"].pk).owner is None
    assert Session.objects.get(module__title_da="Filmstriben").facilitator is None
    # The report built from her answers goes; it can be made again.
    assert not Report.objects.filter(pk=objects["report"].pk).exists()


def test_the_audit_log_keeps_the_erasure_and_who_did_it_but_not_the_name(linked, administrator):
    person = linked.person

    erasure.erase(person=person, by=administrator.user)

    event = AuditEvent.objects.get(action=Action.ERASED_PERSON)
    assert (event.actor_email, event.object_type, event.object_id, event.object_label) == (
        "jytte@kl.example",
        "orgs.person",
        str(person.pk),
        "",
    )
    assert not AuditEvent.objects.filter(object_label__contains="Alice").exists()
    # What she viewed herself keeps her address: the log accounts for access to personal data.
    viewed = AuditEvent.objects.get(object_label="Nina Nør")
    assert (viewed.user, viewed.actor_email) == (None, "alice@odense.example")
    assert not LogEntry.objects.filter(object_repr__contains="Alice").exists()


def test_her_seat_in_a_coming_session_goes_to_the_waiting_list(linked, administrator):
    waiting = linked.objects["waiting"]

    erasure.erase(person=linked.person, by=administrator.user)

    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.ENROLLED


def test_it_is_all_or_nothing(linked, administrator, monkeypatch):
    person = linked.person

    def fail(obj):
        raise RuntimeError("the database went away")

    # Fail after the responses, reports and experiences were deleted in the transaction.
    monkeypatch.setattr(erasure, "_scrub_admin_log", fail)
    with pytest.raises(RuntimeError):
        erasure.erase(person=person, by=administrator.user)

    assert Person.objects.filter(pk=person.pk).exists()
    assert Response.objects.filter(person=person).count() == 1
    assert ExperienceLog.objects.filter(person=person).count() == 1
    assert Report.objects.filter(pk=linked.objects["report"].pk).exists()
    assert not AuditEvent.objects.filter(action=Action.ERASED_PERSON).exists()


def test_an_administrator_cannot_erase_themselves(administrator):
    with pytest.raises(erasure.ErasureRefused, match="You cannot erase yourself here"):
        erasure.erase(person=administrator, by=administrator.user)

    assert Person.objects.filter(pk=administrator.pk).exists()


# -- the anonymity minimum ------------------------------------------------------------------------


@pytest.fixture
def small_round(settings, survey, odense, odense_main, odense_branch, staff):
    """A confidential round in which Odense Hovedbibliotek has exactly the anonymity minimum of
    respondents (5, among them Alice) and Vollsmose 12."""
    settings.ANONYMITY_MINIMUM = 5
    round = open_round(survey, municipalities=[odense])
    add_responses(round, odense_branch, [LIBRARIAN] * 12)
    people = [
        make_person(f"Medarbejder {n}", f"m{n}@odense.example", library=odense_main, login=False)
        for n in range(4)
    ]
    surveys.invite(round=round)
    for invitation in round.invitations.filter(person__in=people):
        surveys.save_answers(invitation=invitation, answers=COMPLETE)
        surveys.submit(invitation=invitation)
    return round


def test_a_library_at_the_minimum_is_hidden_once_someone_is_erased(
    small_round, staff, odense_main, administrator
):
    invitation = small_round.invitations.get(person=staff)
    surveys.save_answers(invitation=invitation, answers=COMPLETE)
    surveys.submit(invitation=invitation)
    before = analysis.analyse(small_round)
    assert analysis.published_respondents(before, LIBRARY, odense_main.pk) == 5

    erasure.erase(person=staff, by=administrator.user)

    after = analysis.analyse(small_round)
    assert after.respondents == 16
    assert analysis.published_respondents(after, LIBRARY, odense_main.pk) is None


def test_the_results_page_hides_the_library_after_the_erasure(
    client, small_round, staff, odense_main, library_leader, administrator
):
    invitation = small_round.invitations.get(person=staff)
    surveys.save_answers(invitation=invitation, answers=COMPLETE)
    surveys.submit(invitation=invitation)
    url = reverse("analysis:unit_results", args=[small_round.pk, LIBRARY, odense_main.pk])
    log_in_client(client, library_leader)
    shown = html(client.get(url))

    erasure.erase(person=staff, by=administrator.user)

    hidden = html(client.get(url))
    hidden_note = "Fewer than 5 people from Odense Hovedbibliotek answered"
    assert hidden_note not in shown
    assert hidden_note in hidden


# -- the page -------------------------------------------------------------------------------------


def test_the_confirmation_page_names_what_goes(client, linked, administrator):
    log_in_client(client, administrator)

    page = html(client.get(reverse("privacy:person_erase", args=[linked.person.pk])))

    assert "<h1>Erase Alice Andersen</h1>" in page
    assert "<td>Responses to confidential rounds, with their answers</td>" in page
    assert "<td>Stored reports of those rounds (they can be made again)</td>" in page
    assert "Answers to anonymous rounds are not linked to anyone" in page


def test_the_erasure_needs_the_box_ticked(client, staff, administrator):
    log_in_client(client, administrator)

    response = client.post(reverse("privacy:person_erase", args=[staff.pk]))

    assert response.status_code == 400
    assert field_error("confirm", "Tick the box to confirm the erasure.") in html(response)
    assert Person.objects.filter(pk=staff.pk).exists()


def test_the_administrator_erases_a_person(client, staff, administrator):
    log_in_client(client, administrator)

    response = client.post(
        reverse("privacy:person_erase", args=[staff.pk]), {"confirm": "on"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("orgs:library_people", args=[staff.library_id])
    assert message("Alice Andersen has been erased.") in html(response)
    assert not Person.objects.filter(pk=staff.pk).exists()
    event = AuditEvent.objects.get(action=Action.ERASED_PERSON)
    assert (event.actor_email, event.ip_address) == ("jytte@kl.example", "127.0.0.1")


# -- the command ----------------------------------------------------------------------------------


def test_the_command_lists_what_would_go_without_yes(linked, capsys):
    call_command("erase_person", "alice@odense.example")

    out = capsys.readouterr().out
    assert "Nothing was erased: add --yes to erase." in out
    assert Person.objects.filter(pk=linked.person.pk).exists()


def test_the_command_erases_with_yes(linked, capsys):
    call_command("erase_person", "alice@odense.example", "--yes")

    assert not Person.objects.filter(pk=linked.person.pk).exists()
    event = AuditEvent.objects.get(action=Action.ERASED_PERSON)
    assert event.actor_email == ""


def test_the_command_erases_a_login_without_a_person(outsider):
    call_command("erase_person", "outsider@example.com", "--yes")

    assert not User.objects.filter(pk=outsider.pk).exists()


def test_a_stored_report_of_another_round_stays(linked, administrator, survey, odense_main):
    other = open_round(survey, libraries=[odense_main])
    report = Report.objects.create(
        round=other, kind=ReportKind.LIBRARY, library=odense_main, file_format="json"
    )

    erasure.erase(person=linked.person, by=administrator.user)

    assert Report.objects.filter(pk=report.pk).exists()
