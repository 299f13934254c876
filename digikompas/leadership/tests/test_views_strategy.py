"""The strategy pages (goals, indicators, measurements) and the leader's dashboard.

The dashboard is for leaders; staff have their weekly list instead and get 403 here."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from digikompas.leadership.models import Indicator, Measurement, Priority, Status, StrategyGoal
from digikompas.orgs.models import JobRole, Role
from digikompas.surveys import services as survey_services
from digikompas.surveys.defaults import load_default_surveys
from digikompas.surveys.models import Survey
from digikompas.testing import field_error, html, log_in_client, make_person, message

from .test_plan import make_activity, make_campaign, make_resource

D = datetime.date
pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 11, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def goal(odense):
    return StrategyGoal.objects.create(
        municipality=odense, title="Flere låner digitalt", horizon=D(2027, 12, 31)
    )


@pytest.fixture
def indicator(goal):
    made = Indicator.objects.create(
        goal=goal, name="Digitale lån", unit="lån", baseline=100, target=200
    )
    Measurement.objects.create(indicator=made, measured_on=D(2026, 1, 31), value=150)
    return made


# -- the strategy page ----------------------------------------------------------------------------


def test_the_strategy_shows_goals_indicators_and_progress(
    client, library_leader, indicator, odense
):
    ereolen = make_resource("eReolen")
    indicator.resources.add(ereolen)
    log_in_client(client, library_leader)

    page = html(client.get(f"/leadership/strategy/{odense.code}/"))

    assert "<h1>Strategy of Odense</h1>" in page
    assert '<h2 id="goal-' in page
    assert "Flere låner digitalt</h2>" in page
    assert "Digitale lån (lån)" in page
    assert "Resources: eReolen" in page
    assert "50 % – More than halfway" in page
    assert "Progress of its indicators on average: 50 %." in page
    # A library leader reads the strategy; the municipal leader writes it.
    assert "New goal" not in page
    assert "Add a measurement" not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("staff", 403), ("outsider", 403), ("other_municipal_leader", 404), ("municipal_leader", 200)],
)
def test_the_strategy_is_read_by_the_municipality_s_leaders(client, request, odense, who, status):
    log_in_client(client, request.getfixturevalue(who))
    assert client.get(f"/leadership/strategy/{odense.code}/").status_code == status


def test_the_municipal_leader_writes_goals_indicators_and_measurements(
    client, municipal_leader, odense
):
    log_in_client(client, municipal_leader)
    created = client.post(
        f"/leadership/strategy/{odense.code}/goals/new/",
        {"title": "Børn læser mere", "description": "", "horizon": "2027-06-30", "position": 1},
    )
    assert created["Location"] == f"/leadership/strategy/{odense.code}/"
    goal = StrategyGoal.objects.get()
    assert goal.municipality == odense

    ereolen = make_resource("eReolen")
    added = client.post(
        f"/leadership/goals/{goal.pk}/indicators/new/",
        {"name": "Lån af e-bøger", "unit": "lån", "baseline": "1000", "target": "1500",
         "usage_metric": "", "resources": [ereolen.pk]},
    )  # fmt: skip
    assert added.status_code == 302
    indicator = Indicator.objects.get()
    assert list(indicator.resources.all()) == [ereolen]

    measured = client.post(
        f"/leadership/indicators/{indicator.pk}/measurements/new/",
        {"measured_on": "2026-02-28", "value": "1250", "note": "Fra Odins statistik"},
    )
    assert measured.status_code == 302
    page = html(client.get(measured["Location"]))
    assert message("The measurement of “Lån af e-bøger” on 2026-02-28 was saved.") in page
    assert "50 % – More than halfway" in page

    edited = client.post(
        f"/leadership/goals/{goal.pk}/edit/",
        {"title": "Børn læser endnu mere", "horizon": "2027-06-30", "position": 1},
    )
    assert edited.status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Børn læser endnu mere"


def test_forms_of_the_strategy_say_what_is_wrong(client, municipal_leader, indicator, odense):
    log_in_client(client, municipal_leader)

    goal = client.post(f"/leadership/strategy/{odense.code}/goals/new/", {"horizon": "soon"})
    assert goal.status_code == 400
    assert field_error("title", "Write the goal.") in html(goal)
    assert field_error("horizon", "Give a date, e.g. 2027-12-31.") in html(goal)

    usage_without_resources = client.post(
        f"/leadership/indicators/{indicator.pk}/edit/",
        {"name": "Digitale lån", "baseline": "100", "target": "x", "usage_metric": "loans"},
    )
    page = html(usage_without_resources)
    assert field_error("target", "Give a number, e.g. 1500 or 15.") in page
    assert (
        field_error("resources", "Choose the resources whose loans measure the indicator.") in page
    )

    measurement = client.post(
        f"/leadership/indicators/{indicator.pk}/measurements/new/", {"measured_on": "2026-02-30"}
    )
    assert field_error("measured_on", "Give a date, e.g. 2026-06-30.") in html(measurement)
    assert field_error("value", "Give the measured value.") in html(measurement)


@pytest.mark.parametrize(
    ("who", "status"),
    [("library_leader", 403), ("staff", 403), ("other_municipal_leader", 404), ("outsider", 403)],
)
def test_only_the_municipal_leader_writes_the_strategy(
    client, request, goal, indicator, odense, who, status
):
    log_in_client(client, request.getfixturevalue(who))

    assert client.get(f"/leadership/strategy/{odense.code}/goals/new/").status_code == status
    assert client.post(f"/leadership/goals/{goal.pk}/edit/").status_code == status
    assert client.post(f"/leadership/goals/{goal.pk}/indicators/new/").status_code == status
    assert client.post(f"/leadership/indicators/{indicator.pk}/edit/").status_code == status
    url = f"/leadership/indicators/{indicator.pk}/measurements/new/"
    assert client.post(url, {"measured_on": "2026-03-01", "value": "1"}).status_code == status
    assert Measurement.objects.count() == 1


# -- the dashboard --------------------------------------------------------------------------------


@pytest.fixture
def plan_under_way(odense, odense_main, odense_branch, staff):
    ereolen = make_resource("eReolen")
    main = make_campaign(
        odense, ereolen, "Lån en e-bog", D(2026, 3, 1), D(2026, 4, 30), library=odense_main
    )
    branch = make_campaign(
        odense, ereolen, "Vollsmose lytter", D(2026, 3, 1), D(2026, 3, 31), library=odense_branch
    )
    make_campaign(odense, ereolen, "Færdig", D(2026, 1, 1), D(2026, 3, 31), status=Status.DONE)
    make_activity(main, "Nyhedsbrev", D(2026, 3, 12), priority=Priority.HIGH, owner=staff)
    make_activity(main, "Glemt plakat", D(2026, 3, 2))
    make_activity(branch, "Lytteklub", D(2026, 3, 10))
    return main


@time_machine.travel(NOW, tick=False)
def test_the_library_leader_s_dashboard(client, library_leader, plan_under_way, indicator):
    log_in_client(client, library_leader)

    page = html(client.get("/leadership/dashboard/"))

    assert '<h2 id="unit-1">Odense Hovedbibliotek</h2>' in page
    assert "Flere låner digitalt" in page
    assert "50 % – More than halfway" in page
    assert "Nyhedsbrev" in page
    assert "overdue since" in page
    assert "Glemt plakat" in page
    assert "Lån en e-bog" in page
    # Not the branch's campaign nor a campaign that is done.
    assert "Vollsmose lytter" not in page
    assert "Lytteklub" not in page
    assert "Færdig" not in page
    assert (
        "Too few people from Odense Hovedbibliotek have answered a competence survey for its "
        "gaps to be shown (at least 5 are needed)." in page
    )
    assert "You have not answered the digital-leadership self-assessment" in page


@time_machine.travel(NOW, tick=False)
def test_the_municipal_leader_s_dashboard_covers_the_whole_municipality(
    client, municipal_leader, plan_under_way
):
    log_in_client(client, municipal_leader)

    page = html(client.get("/leadership/dashboard/"))

    assert '<h2 id="unit-1">Odense</h2>' in page
    assert "Vollsmose lytter" in page
    assert "Lytteklub" in page
    assert "Lån en e-bog" in page
    assert "The strategy of Odense has no goals yet." in page


@pytest.mark.parametrize("who", ["staff", "outsider", "coordinator"])
def test_the_dashboard_is_for_leaders(client, request, who):
    log_in_client(client, request.getfixturevalue(who))
    assert client.get("/leadership/dashboard/").status_code == 403


@pytest.fixture
def leadership_round(default_framework, odense_main):
    load_default_surveys(framework=default_framework)
    survey = Survey.objects.get(key="digitalt-lederskab")
    return survey_services.create_round(
        survey=survey,
        title="Digitalt lederskab 2026",
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(days=1),
    )


def answer(round, person, level):
    items = list(round.survey.items.all())
    answers = {item.code: level for item in items if item.kind == "competency"}
    return survey_services._store_response(
        round=round, person=person, items=items, answers=answers, library=person.library,
        job_role=person.job_role,
    )  # fmt: skip


def test_the_dashboard_shows_the_leader_s_own_self_assessment(
    client, library_leader, leadership_round
):
    answer(leadership_round, library_leader, 2)
    log_in_client(client, library_leader)

    page = html(client.get("/leadership/dashboard/"))

    assert "Your answers to Digitalt lederskab 2026" in page
    assert "D6.1" in page
    # One respondent: the national mean is not published.
    assert "The national means of the round are not published" in page


def test_the_national_mean_is_shown_once_enough_leaders_answered(
    client, library_leader, leadership_round, odense_main
):
    answer(leadership_round, library_leader, 1)
    for n in range(4):
        other = make_person(
            f"Leder {n}", f"leder{n}@odense.example", library=odense_main,
            job_role=JobRole.LIBRARY_LEADER, grants=[(Role.LIBRARY_LEADER, odense_main)],
        )  # fmt: skip
        answer(leadership_round, other, 3)
    log_in_client(client, library_leader)

    page = html(client.get("/leadership/dashboard/"))

    # (1 + 4 × 3) / 5 = 2.6 in every competency.
    assert page.count('<td class="numeric">2.6</td>') == 6
    assert "The national means of the round are not published" not in page


# -- in the browser -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)  # the live server's thread reads what the test wrote
def test_the_plan_the_week_a_campaign_the_strategy_and_the_dashboard_pass_axe(
    page, municipal_leader, staff, odense, odense_main, indicator
):
    from digikompas.leadership.models import UsageNote, UsageRecord
    from digikompas.testing import assert_accessible, log_in

    today = timezone.localdate()
    ereolen = make_resource("eReolen")
    running = make_campaign(
        odense, ereolen, "Lån en e-bog", today.replace(day=1), today + datetime.timedelta(days=40),
        library=odense_main, status=Status.ACTIVE,
    )  # fmt: skip
    make_activity(running, "Nyhedsbrev", today, priority=Priority.HIGH, owner=staff)
    make_activity(running, "Glemt plakat", today.replace(day=1) - datetime.timedelta(days=9))
    past = make_campaign(odense, ereolen, "Sommerlyd", D(2025, 3, 1), D(2025, 4, 30))
    for month in [D(y, m, 1) for y in (2024, 2025) for m in range(1, 7)]:
        UsageRecord.objects.create(
            resource=ereolen, municipality=odense, month=month, metric="loans", count=1000
        )
    UsageRecord.objects.filter(month=D(2024, 2, 1)).delete()
    UsageNote.objects.create(
        resource=ereolen, municipality=odense, month=D(2025, 3, 1), kind=UsageNote.Kind.QUOTA,
        text="Lånekvoten hævet.",
    )  # fmt: skip

    # The live server's first page loads every app's URLs and templates; on a busy machine that
    # takes longer than the default timeout of a step.
    page.goto("/accounts/login/", timeout=60_000)
    log_in(page, municipal_leader.user.email)
    page.goto(f"/leadership/plan/{odense.code}/?year={today.year}")
    assert page.locator("table.plan-grid tbody tr").count() == 1
    assert_accessible(page)
    page.goto(f"/leadership/plan/{odense.code}/?year=2025")
    page.get_by_role("link", name="Sommerlyd").first.click()
    page.wait_for_url(f"**/leadership/campaigns/{past.pk}/")
    assert page.get_by_text("Lånekvoten hævet.").count() == 1
    assert_accessible(page)
    page.goto("/leadership/week/")
    assert_accessible(page)
    page.locator("form[action$='/done/'] button").first.click()
    page.wait_for_url("**/leadership/week/")
    assert page.locator(".alert-success").count() == 1
    page.goto(f"/leadership/strategy/{odense.code}/")
    assert_accessible(page)
    page.goto("/leadership/dashboard/")
    assert_accessible(page)
