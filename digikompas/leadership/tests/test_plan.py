"""The dissemination plan's services: the annual plan month by month with its filters, and the
weekly priority list (scope, order, overdue). The small builders here are shared by the other
plan and strategy tests."""

import datetime

import pytest

from digikompas.leadership import plan
from digikompas.leadership.models import (
    Activity,
    Campaign,
    Channel,
    DigitalResource,
    Priority,
    ResourceType,
    Status,
)
from digikompas.orgs.access import actor_for
from digikompas.orgs.models import UserGroup

D = datetime.date


def make_resource(name="eReolen", **more) -> DigitalResource:
    more.setdefault("type", ResourceType.E_BOOKS)
    return DigitalResource.objects.create(name=name, counter_platform=name, **more)


def make_campaign(municipality, resource, title, starts_on, ends_on, **more) -> Campaign:
    return Campaign.objects.create(
        municipality=municipality,
        resource=resource,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        **more,
    )


def make_activity(campaign, title, due_on, **more) -> Activity:
    more.setdefault("channel", Channel.WEBSITE)
    return Activity.objects.create(campaign=campaign, title=title, due_on=due_on, **more)


@pytest.fixture
def ereolen(db):
    return make_resource("eReolen")


@pytest.fixture
def filmstriben(db):
    return make_resource("Filmstriben", type=ResourceType.FILM)


@pytest.fixture
def year_of_campaigns(odense, odense_main, odense_branch, aarhus, ereolen, filmstriben):
    """Odense's campaigns touching 2026, one from 2025 into 2026; one of Aarhus."""
    return {
        "winter": make_campaign(
            odense, ereolen, "Vinterlæsning", D(2025, 11, 15), D(2026, 2, 10),
            library=odense_main, channels=[Channel.NEWSLETTER], status=Status.ACTIVE,
        ),
        "film": make_campaign(
            odense, filmstriben, "Film for seniorer", D(2026, 3, 1), D(2026, 4, 30),
            target_group=UserGroup.SENIORS, channels=[Channel.EVENT, Channel.WEBSITE],
        ),
        "summer": make_campaign(
            odense, ereolen, "Sommerlyd", D(2026, 6, 20), D(2026, 8, 31),
            library=odense_branch, target_group=UserGroup.CHILDREN_9_12,
            channels=[Channel.SOCIAL_MEDIA],
        ),
        "next_year": make_campaign(odense, ereolen, "Næste år", D(2027, 1, 1), D(2027, 1, 31)),
        "aarhus": make_campaign(aarhus, ereolen, "Aarhus læser", D(2026, 1, 1), D(2026, 12, 31)),
    }  # fmt: skip


def titles(campaigns) -> list[str]:
    return [c.title for c in campaigns]


# -- the annual plan ------------------------------------------------------------------------------


def test_the_annual_plan_shows_each_month_the_campaigns_running_in_it(odense, year_of_campaigns):
    annual = plan.annual_plan(municipality=odense, year=2026)

    assert [m.month for m in annual.by_month] == [D(2026, m, 1) for m in range(1, 13)]
    running = {entry.month.month: titles(entry.campaigns) for entry in annual.by_month}
    assert running == {
        1: ["Vinterlæsning"],
        2: ["Vinterlæsning"],
        3: ["Film for seniorer"],
        4: ["Film for seniorer"],
        5: [],
        6: ["Sommerlyd"],
        7: ["Sommerlyd"],
        8: ["Sommerlyd"],
        9: [],
        10: [],
        11: [],
        12: [],
    }
    assert titles(row.campaign for row in annual.rows) == [
        "Vinterlæsning",
        "Film for seniorer",
        "Sommerlyd",
    ]
    winter = annual.rows[0]
    assert winter.running == (True, True) + (False,) * 10
    assert winter.starts_before
    assert not winter.ends_after


def test_a_campaign_from_the_middle_of_a_month_runs_in_that_month(odense, year_of_campaigns):
    annual = plan.annual_plan(municipality=odense, year=2025)

    assert titles(row.campaign for row in annual.rows) == ["Vinterlæsning"]
    assert annual.rows[0].running == (False,) * 10 + (True, True)
    assert annual.rows[0].ends_after


def test_the_annual_plan_counts_the_activities_due_each_month(odense, year_of_campaigns):
    film = year_of_campaigns["film"]
    make_activity(film, "Plakater", D(2026, 3, 2))
    make_activity(film, "Filmaften", D(2026, 3, 20))
    make_activity(film, "Nyhedsbrev", D(2026, 4, 1))

    annual = plan.annual_plan(municipality=odense, year=2026)

    assert [entry.activities for entry in annual.by_month][2:4] == [2, 1]


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ({"library": "main"}, ["Vinterlæsning"]),
        ({"library": 0}, ["Film for seniorer"]),
        ({"resource": "film"}, ["Film for seniorer"]),
        ({"target_group": UserGroup.CHILDREN_9_12}, ["Sommerlyd"]),
        ({"channel": Channel.WEBSITE}, ["Film for seniorer"]),
        ({"status": Status.ACTIVE}, ["Vinterlæsning"]),
        ({"status": Status.DONE}, []),
    ],
)
def test_the_annual_plan_is_filtered(
    odense, odense_main, filmstriben, year_of_campaigns, chosen, expected
):
    if chosen.get("library") == "main":
        chosen["library"] = odense_main.pk
    if chosen.get("resource") == "film":
        chosen["resource"] = filmstriben.pk
    annual = plan.annual_plan(municipality=odense, year=2026, chosen=plan.PlanFilter(**chosen))

    assert titles(row.campaign for row in annual.rows) == expected


# -- the weekly list ------------------------------------------------------------------------------

MONDAY = D(2026, 3, 9)  # week 11
TODAY = D(2026, 3, 11)


@pytest.fixture
def week_of_activities(odense, odense_main, odense_branch, aarhus, ereolen):
    everyone = make_campaign(odense, ereolen, "Hele Odense", D(2026, 2, 1), D(2026, 4, 30))
    main = make_campaign(
        odense, ereolen, "Hovedbiblioteket", D(2026, 2, 1), D(2026, 4, 30), library=odense_main
    )
    branch = make_campaign(
        odense, ereolen, "Vollsmose", D(2026, 2, 1), D(2026, 4, 30), library=odense_branch
    )
    elsewhere = make_campaign(aarhus, ereolen, "Aarhus", D(2026, 2, 1), D(2026, 4, 30))
    return {
        "low_monday": make_activity(main, "Opslag", MONDAY, priority=Priority.LOW),
        "high_friday": make_activity(everyone, "Workshop", D(2026, 3, 13), priority=Priority.HIGH),
        "high_tuesday": make_activity(main, "Skranke", D(2026, 3, 10), priority=Priority.HIGH),
        "done": make_activity(main, "Plakat", D(2026, 3, 9), priority=Priority.HIGH,
                              status=Status.DONE),
        "cancelled": make_activity(main, "Aflyst", D(2026, 3, 9), status=Status.CANCELLED),
        "overdue": make_activity(main, "Glemt", D(2026, 3, 2), priority=Priority.MEDIUM),
        "overdue_high": make_activity(everyone, "Haster", D(2026, 2, 20), priority=Priority.HIGH),
        "old_done": make_activity(main, "Klaret", D(2026, 3, 3), status=Status.DONE),
        "next_week": make_activity(main, "Senere", D(2026, 3, 16)),
        "branch": make_activity(branch, "Filial", D(2026, 3, 10)),
        "aarhus": make_activity(elsewhere, "Aarhus", D(2026, 3, 10)),
    }  # fmt: skip


def test_the_week_lists_open_activities_by_priority_then_date_and_done_ones_last(
    staff, week_of_activities
):
    week = plan.week(actor_for(staff.user), monday=D(2026, 3, 12), today=TODAY)

    assert (week.monday, week.sunday, week.current) == (MONDAY, D(2026, 3, 15), True)
    assert titles(week.due) == ["Skranke", "Workshop", "Opslag", "Plakat"]
    assert titles(week.overdue) == ["Haster", "Glemt"]


def test_another_week_lists_its_own_activities_without_the_overdue(staff, week_of_activities):
    week = plan.week(actor_for(staff.user), monday=D(2026, 3, 16), today=TODAY)

    assert not week.current
    assert titles(week.due) == ["Senere"]
    assert week.overdue == ()
    assert (week.previous, week.next) == (MONDAY, D(2026, 3, 23))


def test_the_week_of_a_branch_leader_holds_their_branch_and_the_municipality_wide_campaigns(
    branch_leader, week_of_activities
):
    week = plan.week(actor_for(branch_leader.user), monday=MONDAY, today=TODAY)

    assert titles(week.due) == ["Workshop", "Filial"]


def test_the_municipal_leader_s_week_holds_every_library_of_the_municipality(
    municipal_leader, week_of_activities
):
    week = plan.week(actor_for(municipal_leader.user), monday=MONDAY, today=TODAY)

    assert titles(week.due) == ["Skranke", "Workshop", "Filial", "Opslag", "Plakat"]


def test_activities_of_a_cancelled_campaign_leave_the_week(staff, week_of_activities):
    Campaign.objects.filter(title="Hele Odense").update(status=Status.CANCELLED)

    week = plan.week(actor_for(staff.user), monday=MONDAY, today=TODAY)

    assert titles(week.due) == ["Skranke", "Opslag", "Plakat"]
    assert titles(week.overdue) == ["Glemt"]


def test_only_the_owner_and_the_campaign_s_planners_mark_an_activity_done(
    staff, library_leader, branch_leader, municipal_leader, ereolen, odense, odense_main
):
    campaign = make_campaign(
        odense, ereolen, "Hovedbiblioteket", D(2026, 2, 1), D(2026, 4, 30), library=odense_main
    )
    mine = make_activity(campaign, "Alices", MONDAY, owner=staff)
    theirs = make_activity(campaign, "Bents", MONDAY, owner=library_leader)

    assert plan.can_mark_done(actor_for(staff.user), mine)
    assert not plan.can_mark_done(actor_for(staff.user), theirs)
    assert plan.can_mark_done(actor_for(library_leader.user), mine)
    assert plan.can_mark_done(actor_for(municipal_leader.user), theirs)
    assert not plan.can_mark_done(actor_for(branch_leader.user), mine)
