"""The survey and round pages: analysts preview surveys, start rounds, invite and remind; leaders
follow the response rates of their own units, never below the anonymity minimum and never by name.

Who may open which page is also in digikompas/web/tests/test_permissions.py; these tests follow
what a user sees. Pages are read in English (the language cookie).
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from digikompas.orgs.models import JobRole, Municipality
from digikompas.surveys import services
from digikompas.surveys.models import AnonymityMode, Round
from digikompas.testing import assert_accessible, field_error, html, make_person, message
from digikompas.testing import log_in_client as log_in

from .conftest import COMPLETE, make_survey, open_round

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# A Monday noon: far from midnight, so "today" and "now" do not straddle a date.
NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=COPENHAGEN)
LIST_URL = reverse("surveys:list")


# -- helpers -------------------------------------------------------------------------------------


def main(page: str) -> str:
    """The content of a page, without the header (its forms carry a fresh CSRF token)."""
    return page[page.index("<main") : page.index("</main>")]


def detail_url(round, **query) -> str:
    url = reverse("surveys:round_detail", args=[round.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def rate_row(unit: str, invited: int, answered: int, percent: int) -> str:
    return (
        f'<tr><th scope="row">{escape(unit)}</th><td class="text-align-right">{invited}</td>'
        f'<td class="text-align-right">{answered}</td>'
        f'<td class="text-align-right">{percent} %</td></tr>'
    )


def suppressed_row(unit: str) -> str:
    return (
        f'<tr><th scope="row">{escape(unit)}</th>'
        '<td colspan="3" class="muted">fewer than 5 invited</td></tr>'
    )


def answer(round, person):
    invitation = round.invitations.get(person=person)
    services.save_answers(invitation=invitation, answers=COMPLETE)
    services.submit(invitation=invitation)


@pytest.fixture
def crowd(
    odense_main, odense_branch, aarhus_main, staff, library_leader, branch_leader, other_staff
):
    """Odense Hovedbibliotek: Alice, Bent and five more (7 people); Vollsmose Bibliotek: Birgit
    and one more (2, below the anonymity minimum); Dokk1 in Aarhus: Dorthe and five more (6, and
    Erik, its leader, when a test asks for him)."""
    for n in range(5):
        make_person(f"Ansat {n}", f"ansat{n}@odense.example", library=odense_main, login=False)
    make_person("Filial Ansat", "filial@odense.example", library=odense_branch, login=False)
    for n in range(5):
        make_person(f"Aarhus {n}", f"a{n}@aarhus.example", library=aarhus_main, login=False)


@pytest.fixture
def invited(round, crowd, staff, library_leader):
    """The Odense round, everyone invited (9), Alice and Bent (both at the main library) have
    answered."""
    services.invite(round=round)
    answer(round, staff)
    answer(round, library_leader)
    return round


# -- the list of surveys ---------------------------------------------------------------------------


def test_the_list_sends_visitors_to_log_in(client, reference_data):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "member", ["outsider", "staff", "coordinator", "provider", "administrator"]
)
def test_the_list_is_refused_to_those_who_neither_run_nor_lead(client, request, member):
    log_in(client, request.getfixturevalue(member))
    assert client.get(LIST_URL).status_code == 403


def test_analysts_see_every_survey_with_its_rounds_and_response_rates(
    client, analyst, invited, survey, published_framework
):
    now = timezone.now()
    upcoming = services.create_round(
        survey=survey,
        title="Efterår 2026",
        opens_at=now + datetime.timedelta(days=10),
        closes_at=now + datetime.timedelta(days=20),
    )
    make_survey(published_framework, key="second")

    response = log_in(client, analyst).get(LIST_URL)

    assert response.status_code == 200
    page = html(response)
    detail = reverse("surveys:survey_detail", args=[survey.pk])
    assert f'<a href="{detail}">Test survey</a>' in page
    assert page.count("Competence survey · 8 questions") == 2
    assert f'href="{reverse("surveys:round_new", args=[survey.pk])}"' in page
    assert f'<th scope="row"><a href="{detail_url(invited)}">Forår 2026</a></th>' in page
    assert '<span class="badge badge-small badge-success">Open</span>' in page
    assert "22 % (2 of 9)" in page
    assert f'<a href="{detail_url(upcoming)}">Efterår 2026</a>' in page
    assert '<span class="badge badge-small badge-info">Upcoming</span>' in page
    assert "No one invited yet" in page
    assert "This survey has not been sent in any round yet." in page


def test_the_list_takes_a_fixed_number_of_queries(
    client, analyst, invited, survey, published_framework, django_assert_num_queries
):
    for n in range(3):
        make_survey(published_framework, key=f"more-{n}")
        open_round(survey)
    log_in(client, analyst)
    # The session, the user, the caller's person and grants (actor_for), the second-factor check;
    # the surveys with their item counts, and every round with its counts; the user's name in
    # the page header. None per survey or per round.
    with django_assert_num_queries(8):
        response = client.get(LIST_URL)
    assert response.status_code == 200
    assert html(response).count("Competence survey · 8 questions") == 4


@pytest.mark.parametrize(
    ("member", "rate"),
    [
        # Bent's library: 7 invited, Alice and Bent answered.
        ("library_leader", "29 % (2 of 7)"),
        # Odense: 9 invited.
        ("municipal_leader", "22 % (2 of 9)"),
        # Birgit's branch: 2 invited.
        ("branch_leader", '<span class="muted">fewer than 5 invited</span>'),
    ],
)
def test_leaders_see_the_rounds_of_their_units_with_their_units_rate(
    client, request, invited, member, rate
):
    response = log_in(client, request.getfixturevalue(member)).get(LIST_URL)

    assert response.status_code == 200
    page = html(response)
    assert '<th scope="col">Response rate of your units</th>' in page
    assert f'<td>Test survey</td><th scope="row"><a href="{detail_url(invited)}">' in page
    assert f"<td>{rate}</td>" in page
    # No survey previews or new rounds for leaders.
    assert reverse("surveys:survey_detail", args=[invited.survey_id]) not in page


def test_a_leader_elsewhere_sees_no_round_of_odense(client, invited, other_leader):
    response = log_in(client, other_leader).get(LIST_URL)

    assert response.status_code == 200
    assert "No survey round includes your libraries yet." in response.text
    assert "Forår 2026" not in response.text


# -- the preview of a survey ---------------------------------------------------------------------


def test_the_preview_shows_every_page_and_question_with_its_rules(client, analyst, survey):
    response = log_in(client, analyst).get(reverse("surveys:survey_detail", args=[survey.pk]))

    assert response.status_code == 200
    page = html(response)
    assert "<h1>Test survey</h1>" in page
    assert "Competence survey · 8 questions · 3 pages" in page
    assert "About you and your competencies." in page
    new_round = reverse("surveys:round_new", args=[survey.pk])
    assert f'<a class="button button-primary" href="{new_round}">New round</a>' in page
    for title in ("Page 1: Competencies", "Page 2: Barriers", "Page 3: About you"):
        assert title in page
    assert "<h4>Searching eReolen</h4>" in page
    assert "<dd>Competency self-rating – S.1 Searching eReolen</dd>" in page
    assert "<dd>Agreement scale – barrier: Time</dd>" in page
    assert "<li>5 Strongly agree</li>" in page
    assert "<dd>Single choice</dd>" in page
    assert "<li>Never</li><li>Monthly</li><li>Weekly</li>" in page
    assert "the answer to <code>frequency</code> is one of: Never" in page
    assert "<dd>whole numbers from 0 to 100</dd>" in page
    assert page.count("<dt>Required</dt><dd>Yes</dd>") == 4
    assert page.count("<dt>Required</dt><dd>No, optional</dd>") == 4


@pytest.mark.parametrize("member", ["staff", "library_leader", "municipal_leader", "administrator"])
def test_only_analysts_preview_surveys(client, request, survey, member):
    log_in(client, request.getfixturevalue(member))
    assert client.get(reverse("surveys:survey_detail", args=[survey.pk])).status_code == 403
    assert client.get(reverse("surveys:round_new", args=[survey.pk])).status_code == 403


def test_an_unknown_survey_is_not_found(client, analyst, reference_data):
    log_in(client, analyst)
    assert client.get(reverse("surveys:survey_detail", args=[999])).status_code == 404
    assert client.get(reverse("surveys:round_new", args=[999])).status_code == 404


# -- starting a round ----------------------------------------------------------------------------


def new_url(survey) -> str:
    return reverse("surveys:round_new", args=[survey.pk])


def local(moment: datetime.datetime) -> str:
    return moment.astimezone(COPENHAGEN).strftime("%Y-%m-%dT%H:%M")


def round_data(**changes) -> dict:
    data = {
        "title": "Efterår 2026",
        "opens_at": local(NOON + datetime.timedelta(days=1)),
        "closes_at": local(NOON + datetime.timedelta(days=15)),
        "anonymity": "confidential",
        "job_roles": ["librarian", "digital_guide"],
        "municipalities": ["461", "751"],
        "libraries": "",
        "follows": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def at_noon():
    with time_machine.travel(NOON, tick=False):
        yield


def test_the_form_suggests_two_weeks_from_now_and_explains_both_modes(
    client, analyst, survey, reference_data, at_noon
):
    response = log_in(client, analyst).get(new_url(survey))

    assert response.status_code == 200
    page = html(response)
    assert "<h1>New round of Test survey</h1>" in page
    assert 'name="opens_at" value="2026-03-02T12:00"' in page
    assert 'name="closes_at" value="2026-03-16T12:00"' in page
    assert (
        '<input type="radio" name="anonymity" value="confidential" id="id_anonymity_0" '
        'class="form-radio" checked aria-describedby="id_anonymity_0_hint">'
    ) in page
    assert "Answers are stored without any link to the person" in page
    assert "only ever see results for groups of at least 5 people." in page
    assert '<label class="form-label" for="id_job_roles_0">Librarian</label>' in page
    assert '<span class="details-summary-text">Region Syddanmark</span>' in page
    assert 'value="461" id="id_municipalities_' in page
    assert page.count('<details class="details">') == 5


def test_an_analyst_starts_a_round(client, analyst, survey, odense_branch, at_noon):
    earlier = open_round(survey)
    log_in(client, analyst)

    response = client.post(
        new_url(survey),
        round_data(libraries="746100-02", follows=str(earlier.pk), anonymity="anonymous"),
        follow=True,
    )

    created = Round.objects.exclude(pk=earlier.pk).get()
    assert response.redirect_chain == [(detail_url(created), 302)]
    assert message(
        "The round Efterår 2026 was created. Check its population below, then send the invitations."
    ) in html(response)
    assert created.survey == survey
    assert created.opens_at == NOON + datetime.timedelta(days=1)
    assert created.closes_at == NOON + datetime.timedelta(days=15)
    assert created.anonymity == AnonymityMode.ANONYMOUS
    assert created.job_roles == ["digital_guide", "librarian"]
    assert {m.code for m in created.municipalities.all()} == {461, 751}
    assert list(created.libraries.all()) == [odense_branch]
    assert created.follows == earlier
    assert created.created_by == analyst
    assert not created.invitations.exists()


def test_a_round_with_no_choices_is_for_every_job_role_in_all_of_denmark(
    client, analyst, survey, at_noon
):
    log_in(client, analyst)

    response = client.post(new_url(survey), round_data(job_roles=[], municipalities=[]))

    assert response.status_code == 302
    created = Round.objects.get()
    assert created.job_roles == []
    assert not created.municipalities.exists()
    assert not created.libraries.exists()
    page = html(client.get(detail_url(created)))
    assert "<dt>Job roles</dt><dd>All job roles</dd>" in page
    assert "<dt>Municipalities and libraries</dt><dd>All of Denmark</dd>" in page


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        (
            {"closes_at": local(NOON + datetime.timedelta(hours=23))},
            "closes_at",
            "A round must close after it opens.",
        ),
        (
            {"opens_at": local(NOON.replace(hour=0)), "closes_at": local(NOON.replace(hour=11))},
            "closes_at",
            "That time has passed; a round must close in the future.",
        ),
        (
            {"opens_at": local(NOON - datetime.timedelta(days=1))},
            "opens_at",
            "A round cannot open before today.",
        ),
        ({"opens_at": "next Monday"}, "opens_at", "Enter a valid date/time."),
        ({"title": ""}, "title", "This field is required."),
        (
            {"anonymity": "secret"},
            "anonymity",
            "Select a valid choice. secret is not one of the available choices.",
        ),
        (
            {"job_roles": ["wizard"]},
            "job_roles",
            "Select a valid choice. wizard is not one of the available choices.",
        ),
        (
            {"municipalities": ["999"]},
            "municipalities",
            "Select a valid choice. 999 is not one of the available choices.",
        ),
        (
            {"libraries": "746100-01, 999999-99;888888-88"},
            "libraries",
            "No libraries have the codes 888888-88, 999999-99.",
        ),
        ({"libraries": "999999-99"}, "libraries", "No library has the code 999999-99."),
    ],
)
def test_a_wrong_field_is_reported_and_nothing_is_created(
    client, analyst, survey, odense_main, at_noon, changes, field, error
):
    log_in(client, analyst)

    response = client.post(new_url(survey), round_data(**changes))

    assert response.status_code == 400
    page = html(response)
    assert field_error(field, error) in page
    assert "The round was not created. Correct the fields marked below." in page
    assert not Round.objects.exists()


def test_a_round_can_only_follow_a_round_of_the_same_survey(
    client, analyst, survey, published_framework, at_noon
):
    other = open_round(make_survey(published_framework, key="other"))
    log_in(client, analyst)

    response = client.post(new_url(survey), round_data(follows=str(other.pk)))

    assert response.status_code == 400
    assert field_error(
        "follows", "Select a valid choice. That choice is not one of the available choices."
    ) in html(response)
    assert Round.objects.count() == 1


def test_the_form_keeps_what_was_chosen_when_it_comes_back_with_an_error(
    client, analyst, survey, reference_data, at_noon
):
    log_in(client, analyst)

    response = client.post(new_url(survey), round_data(title=""))

    page = html(response)
    assert 'value="461" id="id_municipalities_' in page
    odense = re.search(r'<input type="checkbox" name="municipalities" value="461"[^>]*>', page)
    assert " checked" in odense.group(0)
    # The region with a chosen municipality is open, the others closed.
    assert page.count('<details class="details" open>') == 2


# -- a round's page ------------------------------------------------------------------------------


def test_an_analyst_sees_the_population_and_progress_by_municipality(client, analyst, invited):
    response = log_in(client, analyst).get(detail_url(invited))

    assert response.status_code == 200
    page = html(response)
    assert "<h1>Forår 2026</h1>" in page
    assert '<span class="badge badge-small badge-success">Open</span>' in page
    assert "<dt>Municipalities and libraries</dt><dd>Odense</dd>" in page
    assert "<dt>People in the population</dt><dd>9</dd>" in page
    assert (
        "<dt>Invited</dt><dd>9</dd><dt>Invitations sent</dt><dd>0</dd>"
        "<dt>Answered</dt><dd>2</dd><dt>Response rate</dt><dd>22 %</dd>"
    ) in page
    assert '<h2 id="rates-heading">Response rates by municipality</h2>' in page
    assert rate_row("Odense", 9, 2, 22) in page
    assert '<a href="?by=library">By library</a>' in page
    invite = reverse("surveys:round_invite", args=[invited.pk])
    remind = reverse("surveys:round_remind", args=[invited.pk])
    assert f'<form method="post" action="{invite}">' in page
    assert f'<form method="post" action="{remind}">' in page
    assert f'href="{reverse("surveys:import_responses", args=[invited.pk])}"' in page


def test_by_library_a_unit_below_the_minimum_shows_no_numbers(client, analyst, invited):
    response = log_in(client, analyst).get(detail_url(invited, by="library"))

    page = html(response)
    assert '<h2 id="rates-heading">Response rates by library</h2>' in page
    assert rate_row("Odense Hovedbibliotek", 7, 2, 29) in page
    assert suppressed_row("Vollsmose Bibliotek") in page


def test_no_one_is_named_on_a_rounds_page(client, analyst, invited, crowd):
    page = log_in(client, analyst).get(detail_url(invited, by="library")).text

    for name in ("Alice", "Bent", "Birgit", "Ansat", "alice@odense.example"):
        assert name not in page


def test_a_rounds_page_takes_a_fixed_number_of_queries(
    client, analyst, invited, django_assert_num_queries
):
    log_in(client, analyst)
    # The session, the user, the caller's person and grants, the second-factor check; the round
    # with its survey and the round it follows; the totals; the rates and their units; the
    # population's municipalities, libraries and size; the round's municipalities and libraries
    # for the page; the user's name in the header.
    with django_assert_num_queries(15):
        response = client.get(detail_url(invited, by="library"))
    assert response.status_code == 200


def test_a_closed_round_offers_neither_invitations_nor_reminders(client, analyst, invited):
    Round.objects.filter(pk=invited.pk).update(closes_at=timezone.now())

    page = html(log_in(client, analyst).get(detail_url(invited)))

    assert '<span class="badge' not in page.split("<h1>")[1].split("</p>")[0]
    assert "Closed" in page
    assert "Send invitations" not in page
    assert "Send reminders" not in page


def test_an_upcoming_round_offers_invitations_but_no_reminders(client, analyst, survey, odense):
    now = timezone.now()
    upcoming = services.create_round(
        survey=survey,
        title="Efterår 2026",
        opens_at=now + datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=20),
        municipalities=[odense],
    )

    page = html(log_in(client, analyst).get(detail_url(upcoming)))

    assert '<span class="badge badge-small badge-info">Upcoming</span>' in page
    assert "Send invitations" in page
    assert "Send reminders" not in page
    assert "No one has been invited yet." in page


def test_a_library_leader_sees_only_their_library(client, library_leader, invited):
    response = log_in(client, library_leader).get(detail_url(invited))

    assert response.status_code == 200
    page = html(response)
    assert "<dt>People of your units in the population</dt><dd>7</dd>" in page
    assert "<dt>Invited</dt><dd>7</dd>" in page
    assert "<dt>Answered</dt><dd>2</dd>" in page
    assert rate_row("Odense Hovedbibliotek", 7, 2, 29) in page
    assert "Vollsmose" not in page
    assert ">Odense<" not in page
    # One grouping only, and nothing to send.
    assert "?by=" not in page
    assert "Send invitations" not in page
    assert "Send reminders" not in page
    assert "Import responses" not in page
    assert "<dt>Municipalities and libraries</dt>" not in page
    # Asking for the municipality changes nothing: it would show more than the library.
    again = html(client.get(detail_url(invited, by="municipality")))
    assert main(again) == main(page)


def test_a_municipal_leader_sees_the_municipality_and_its_libraries(
    client, municipal_leader, invited
):
    log_in(client, municipal_leader)

    page = html(client.get(detail_url(invited)))
    assert "<dt>Invited</dt><dd>9</dd>" in page
    assert rate_row("Odense", 9, 2, 22) in page

    page = html(client.get(detail_url(invited, by="library")))
    assert rate_row("Odense Hovedbibliotek", 7, 2, 29) in page
    assert suppressed_row("Vollsmose Bibliotek") in page
    assert "Send invitations" not in page


def test_a_leader_of_a_small_library_sees_no_numbers_at_all(client, branch_leader, invited):
    page = html(log_in(client, branch_leader).get(detail_url(invited)))

    assert "Fewer than 5 people are invited, so no numbers are shown." in page
    assert suppressed_row("Vollsmose Bibliotek") in page
    assert "<dt>Invited</dt>" not in page


@pytest.mark.parametrize("member", ["other_leader", "other_municipal_leader"])
def test_a_round_that_does_not_reach_a_leaders_units_is_not_found(client, request, invited, member):
    log_in(client, request.getfixturevalue(member))
    assert client.get(detail_url(invited)).status_code == 404


@pytest.mark.parametrize(
    "member", ["outsider", "staff", "coordinator", "provider", "administrator"]
)
def test_a_rounds_page_is_refused_to_those_who_neither_run_nor_lead(
    client, request, invited, member
):
    log_in(client, request.getfixturevalue(member))
    assert client.get(detail_url(invited)).status_code == 403


def test_a_round_for_all_of_denmark_shows_each_leader_their_own_units(
    client, survey, crowd, other_leader
):
    everyone = open_round(survey)
    services.invite(round=everyone)

    page = html(log_in(client, other_leader).get(detail_url(everyone)))

    assert rate_row("Dokk1", 7, 0, 0) in page
    assert "Odense" not in page


def test_a_round_for_one_library_reaches_its_leaders_only(
    client, survey, crowd, odense_branch, library_leader, branch_leader, municipal_leader
):
    branch_round = open_round(survey, libraries=[odense_branch])

    assert log_in(client, library_leader).get(detail_url(branch_round)).status_code == 404
    assert log_in(client, branch_leader).get(detail_url(branch_round)).status_code == 200
    assert log_in(client, municipal_leader).get(detail_url(branch_round)).status_code == 200


# -- invitations and reminders -------------------------------------------------------------------


def test_an_analyst_invites_the_population_and_only_newcomers_the_second_time(
    client, analyst, round, crowd, smtp_server, django_capture_on_commit_callbacks
):
    log_in(client, analyst)
    url = reverse("surveys:round_invite", args=[round.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)

    assert response.redirect_chain == [(detail_url(round), 302)]
    page = html(response)
    assert message("9 people were invited; the e-mails are being sent.") in page
    assert len(smtp_server.messages) == 9

    newcomer = make_person(
        "Ny Ansat", "ny@odense.example", library=round.invitations.first().person.library
    )
    with django_capture_on_commit_callbacks(execute=True):
        page = html(client.post(url, follow=True))
    assert message("1 person was invited; the e-mail is being sent.") in page
    assert smtp_server.messages[-1]["To"] == newcomer.email

    page = html(client.post(url, follow=True))
    assert (
        message("Everyone in the population has been invited already; no one is new.", "info")
        in page
    )
    assert round.invitations.count() == 10


def test_a_closed_round_refuses_invitations(client, analyst, round, crowd):
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now())
    log_in(client, analyst)

    response = client.post(reverse("surveys:round_invite", args=[round.pk]), follow=True)

    assert message("The round is closed; no one can be invited to it.", "error") in html(response)
    assert not round.invitations.exists()


def test_reminders_go_to_those_who_have_not_answered(
    client, analyst, invited, smtp_server, django_capture_on_commit_callbacks
):
    invited.invitations.update(sent_at=timezone.now())
    log_in(client, analyst)
    url = reverse("surveys:round_remind", args=[invited.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)

    assert message("Reminders are being sent to 7 people who have not answered.") in html(response)
    assert len(smtp_server.messages) == 7
    assert not {"alice@odense.example", "bent@odense.example"} & {
        m["To"] for m in smtp_server.messages
    }


def test_reminders_need_someone_to_remind(client, analyst, invited):
    # Invited, but the e-mails were never sent: no one can have forgotten them.
    log_in(client, analyst)

    response = client.post(reverse("surveys:round_remind", args=[invited.pk]), follow=True)

    assert message("There is no one to remind: no invitation is unanswered.", "info") in html(
        response
    )


def test_a_closed_round_sends_no_reminders(client, analyst, invited):
    Round.objects.filter(pk=invited.pk).update(closes_at=timezone.now())
    log_in(client, analyst)

    response = client.post(reverse("surveys:round_remind", args=[invited.pk]), follow=True)

    assert message("Reminders can only be sent while the round is open.", "error") in html(response)


@pytest.mark.parametrize("name", ["surveys:round_invite", "surveys:round_remind"])
def test_invitations_and_reminders_are_posted(client, analyst, round, name):
    log_in(client, analyst)
    assert client.get(reverse(name, args=[round.pk])).status_code == 405


@pytest.mark.parametrize("name", ["surveys:round_invite", "surveys:round_remind"])
@pytest.mark.parametrize("member", ["library_leader", "municipal_leader", "staff", "outsider"])
def test_only_analysts_invite_and_remind(client, request, round, crowd, name, member):
    log_in(client, request.getfixturevalue(member))

    assert client.post(reverse(name, args=[round.pk])).status_code == 403
    assert not round.invitations.exists()


def test_a_round_for_a_job_role_counts_only_that_role(client, analyst, survey, crowd, odense):
    leaders = open_round(survey, municipalities=[odense], job_roles=[JobRole.LIBRARY_LEADER])

    page = html(log_in(client, analyst).get(detail_url(leaders)))

    assert "<dt>Job roles</dt><dd>Library leader</dd>" in page
    assert "<dt>People in the population</dt><dd>2</dd>" in page
    assert Municipality.objects.get(code=461).name == "Odense"


# -- in Chromium ---------------------------------------------------------------------------------


@pytest.mark.browser
def test_an_analyst_starts_and_sends_a_round_on_accessible_pages(
    page, analyst, survey, crowd, municipal_leader
):
    from digikompas.testing import log_in as log_in_browser

    # Selectors by URL and field name, not by text: the pages are read in Danish.
    log_in_browser(page, analyst.email, totp_secret=analyst.totp_secret)
    page.locator(f"a[href='{LIST_URL}']").first.click()
    page.wait_for_url(f"**{LIST_URL}")
    assert_accessible(page)

    page.goto(reverse("surveys:survey_detail", args=[survey.pk]))
    assert_accessible(page)

    page.locator(f"a[href='{new_url(survey)}']").click()
    assert_accessible(page)
    page.fill("input[name=title]", "Efterår 2026")
    page.locator("details", has=page.locator("input[value='461']")).locator("summary").click()
    page.check("input[name=municipalities][value='461']")
    page.check("input[name=job_roles][value='librarian']")
    page.locator("main form button.button-primary").click()

    created = Round.objects.get(title="Efterår 2026")
    page.wait_for_url(f"**{detail_url(created)}")
    assert_accessible(page)
    page.locator(
        f"form[action='{reverse('surveys:round_invite', args=[created.pk])}'] button"
    ).click()
    page.wait_for_url(f"**{detail_url(created)}")
    assert created.invitations.count() == 7  # the librarians of Odense: all but Bent and Birgit
    page.goto(detail_url(created, by="library"))
    assert_accessible(page)
    page.goto(reverse("surveys:import_responses", args=[created.pk]))
    assert_accessible(page)

    # The same pages in English.
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    for url in (
        LIST_URL,
        reverse("surveys:survey_detail", args=[survey.pk]),
        new_url(survey),
        detail_url(created, by="library"),
        reverse("surveys:import_responses", args=[created.pk]),
    ):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "en"
        assert_accessible(page)
    page.get_by_role("button", name="Dansk").click()
    page.wait_for_selector("html[lang=da]")

    page.context.clear_cookies()
    log_in_browser(page, municipal_leader.email)
    page.locator(f"a[href='{LIST_URL}']").first.wait_for()
    page.goto(detail_url(created, by="library"))
    assert page.locator("table td.muted").count() == 1  # the branch: fewer than 5 invited
    assert_accessible(page)
