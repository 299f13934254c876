"""The pages of the dissemination plan: the annual plan, campaigns and activities, the week."""

import datetime

import pytest
import time_machine

from digikompas.leadership.models import Activity, Campaign, Channel, Priority, Status
from digikompas.orgs.models import UserGroup
from digikompas.testing import field_error, html, log_in_client, message

from .test_plan import make_activity, make_campaign, make_resource

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def ereolen(db):
    return make_resource("eReolen")


@pytest.fixture
def campaigns(odense, odense_main, odense_branch, aarhus, ereolen):
    return {
        "main": make_campaign(
            odense, ereolen, "Lån en e-bog", D(2026, 3, 1), D(2026, 4, 30), library=odense_main,
            channels=[Channel.NEWSLETTER], target_group=UserGroup.SENIORS,
        ),
        "branch": make_campaign(
            odense, ereolen, "Vollsmose lytter", D(2026, 9, 1), D(2026, 9, 30),
            library=odense_branch,
        ),
        "aarhus": make_campaign(aarhus, ereolen, "Aarhus læser", D(2026, 3, 1), D(2026, 3, 31)),
    }  # fmt: skip


# -- the annual plan ------------------------------------------------------------------------------


def test_the_annual_plan_lists_the_campaigns_month_by_month(client, staff, campaigns, odense):
    log_in_client(client, staff)
    response = client.get(f"/leadership/plan/{odense.code}/?year=2026")

    assert response.status_code == 200
    page = html(response)
    assert "<h1>Annual plan of Odense 2026</h1>" in page
    assert "2 campaigns in 2026, by the months they run" in page
    march = page.split('id="month-03"')[1].split("</li></ol>")[0].split('id="month-04"')[0]
    assert "Lån en e-bog" in march
    assert "Vollsmose lytter" not in march
    september = page.split('id="month-09"')[1].split('id="month-10"')[0]
    assert "Vollsmose lytter" in september
    assert "Aarhus læser" not in page
    # Staff read the plan but plan nothing.
    assert "New campaign" not in page


def test_the_annual_plan_is_filtered_by_the_query(client, municipal_leader, campaigns, odense):
    log_in_client(client, municipal_leader)
    response = client.get(
        f"/leadership/plan/{odense.code}/",
        {"year": 2026, "target_group": UserGroup.SENIORS, "channel": Channel.NEWSLETTER},
    )

    page = html(response)
    assert "1 campaign in 2026, by the months it runs" in page
    assert "Vollsmose lytter" not in page
    assert "New campaign" in page


def test_a_filter_that_is_not_a_choice_is_refused(client, staff, campaigns, odense):
    log_in_client(client, staff)
    response = client.get(f"/leadership/plan/{odense.code}/", {"status": "someday"})

    assert response.status_code == 400
    assert field_error(
        "status", "Select a valid choice. someday is not one of the available choices."
    ) in html(response)


def test_a_year_without_campaigns_says_so(client, municipal_leader, campaigns, odense):
    log_in_client(client, municipal_leader)
    response = client.get(f"/leadership/plan/{odense.code}/?year=2030")

    assert "There are no campaigns in 2030 yet. Plan the first one with “New campaign”." in html(
        response
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("outsider", 403),
        ("coordinator", 403),
        ("other_municipal_leader", 404),
        ("other_staff", 404),
    ],
)
def test_the_annual_plan_is_for_the_municipality_s_own_people(client, request, odense, who, status):
    log_in_client(client, request.getfixturevalue(who))
    assert client.get(f"/leadership/plan/{odense.code}/").status_code == status


# -- campaigns ------------------------------------------------------------------------------------


def campaign_data(ereolen, **more):
    data = {
        "title": "Sommerlyd",
        "resource": ereolen.pk,
        "library": "",
        "target_group": UserGroup.CHILDREN_9_12,
        "channels": [Channel.SOCIAL_MEDIA, Channel.EVENT],
        "starts_on": "2026-06-20",
        "ends_on": "2026-08-31",
        "owner": "",
        "priority": Priority.HIGH,
        "status": Status.PLANNED,
        "description": "Lydbøger til sommerferien.",
    }
    return {**data, **more}


def test_the_municipal_leader_creates_a_campaign(client, municipal_leader, staff, odense, ereolen):
    log_in_client(client, municipal_leader)
    response = client.post(
        f"/leadership/plan/{odense.code}/campaigns/new/", campaign_data(ereolen, owner=staff.pk)
    )

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/leadership/campaigns/{campaign.pk}/"
    assert (campaign.municipality, campaign.library, campaign.owner) == (odense, None, staff)
    assert campaign.channels == [Channel.SOCIAL_MEDIA, Channel.EVENT]
    page = html(client.get(response["Location"]))
    assert message("The campaign “Sommerlyd” was created. Now plan its activities.") in page
    assert "Social media, Event or workshop" in page


def test_a_campaign_is_refused_field_by_field(
    client, municipal_leader, other_staff, odense, ereolen
):
    log_in_client(client, municipal_leader)
    response = client.post(
        f"/leadership/plan/{odense.code}/campaigns/new/",
        campaign_data(ereolen, resource="", ends_on="2026-06-01", owner=other_staff.pk),
    )

    assert response.status_code == 400
    page = html(response)
    assert field_error("resource", "Choose the digital resource the campaign makes known.") in page
    assert field_error("ends_on", "The campaign cannot end before it starts (2026-06-20).") in page
    assert field_error("owner", "Choose someone who works in Odense.") in page
    assert not Campaign.objects.exists()


def test_a_library_leader_plans_only_their_own_library_s_campaigns(
    client, library_leader, odense, odense_main, odense_branch, ereolen
):
    log_in_client(client, library_leader)
    url = f"/leadership/plan/{odense.code}/campaigns/new/"
    refused = client.post(url, campaign_data(ereolen, library=odense_branch.pk))
    whole = client.post(url, campaign_data(ereolen, library=""))

    assert field_error("library", "Choose a library you plan for.") in html(refused)
    assert field_error("library", "Choose the library whose campaign it is.") in html(whole)
    created = client.post(url, campaign_data(ereolen, library=odense_main.pk))
    assert created.status_code == 302
    assert Campaign.objects.get().library == odense_main


@pytest.mark.parametrize(
    ("who", "status"),
    [("staff", 403), ("branch_leader", 403), ("other_municipal_leader", 404), ("outsider", 403)],
)
def test_others_cannot_change_a_library_s_campaign(client, request, campaigns, who, status):
    log_in_client(client, request.getfixturevalue(who))
    pk = campaigns["main"].pk

    assert client.get(f"/leadership/campaigns/{pk}/edit/").status_code == status
    assert client.post(f"/leadership/campaigns/{pk}/delete/").status_code == status
    assert client.post(f"/leadership/campaigns/{pk}/activities/new/").status_code == status
    assert Campaign.objects.filter(pk=pk).exists()


def test_the_library_leader_edits_and_deletes_their_campaign(
    client, library_leader, campaigns, ereolen, odense_main
):
    log_in_client(client, library_leader)
    campaign = campaigns["main"]
    edited = client.post(
        f"/leadership/campaigns/{campaign.pk}/edit/",
        campaign_data(ereolen, title="Lån en lydbog", library=odense_main.pk, status="active"),
    )
    assert edited.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.title, campaign.status) == ("Lån en lydbog", Status.ACTIVE)

    deleted = client.post(f"/leadership/campaigns/{campaign.pk}/delete/")
    assert deleted["Location"] == "/leadership/plan/461/?year=2026"
    assert not Campaign.objects.filter(pk=campaign.pk).exists()


def test_the_campaign_page_shows_its_activities_and_its_effect(client, staff, campaigns):
    make_activity(campaigns["main"], "Nyhedsbrev", D(2026, 3, 5), owner=staff)
    log_in_client(client, staff)
    response = client.get(f"/leadership/campaigns/{campaigns['main'].pk}/")

    page = html(response)
    assert "<h1>Lån en e-bog</h1>" in page
    assert "Nyhedsbrev" in page
    assert "Mark done" in page
    assert "Effect on usage" in page
    assert "There are no usage figures for eReolen in Odense yet." in page
    assert "Edit the campaign" not in page


# -- activities -----------------------------------------------------------------------------------


def test_an_activity_must_fall_within_its_campaign(client, library_leader, campaigns):
    log_in_client(client, library_leader)
    campaign = campaigns["main"]
    url = f"/leadership/campaigns/{campaign.pk}/activities/new/"
    data = {"title": "Plakater", "channel": Channel.DISPLAY, "due_on": "2026-05-02",
            "owner": "", "priority": Priority.MEDIUM, "status": Status.PLANNED}  # fmt: skip

    refused = client.post(url, data)
    assert field_error(
        "due_on", "The day must lie within the campaign, 2026-03-01 to 2026-04-30."
    ) in html(refused)

    added = client.post(url, {**data, "due_on": "2026-03-02"})
    assert added["Location"] == f"/leadership/campaigns/{campaign.pk}/"
    activity = Activity.objects.get()
    edited = client.post(
        f"/leadership/activities/{activity.pk}/edit/", {**data, "due_on": "2026-03-02",
                                                         "status": Status.ACTIVE}
    )  # fmt: skip
    assert edited.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Status.ACTIVE


def test_the_owner_marks_an_activity_done_and_returns_to_the_week(
    client, staff, library_leader, campaigns
):
    activity = make_activity(campaigns["main"], "Nyhedsbrev", D(2026, 3, 5), owner=staff)
    log_in_client(client, staff)

    response = client.post(
        f"/leadership/activities/{activity.pk}/done/", {"next": "/leadership/week/?week=2026-03-02"}
    )

    assert response["Location"] == "/leadership/week/?week=2026-03-02"
    activity.refresh_from_db()
    assert activity.status == Status.DONE


@pytest.mark.parametrize(
    ("who", "status"),
    [("staff", 403), ("branch_leader", 403), ("other_municipal_leader", 404), ("outsider", 403)],
)
def test_others_cannot_mark_someone_else_s_activity_done(
    client, request, library_leader, campaigns, who, status
):
    activity = make_activity(campaigns["main"], "Bents", D(2026, 3, 5), owner=library_leader)
    log_in_client(client, request.getfixturevalue(who))

    assert client.post(f"/leadership/activities/{activity.pk}/done/").status_code == status
    activity.refresh_from_db()
    assert activity.status == Status.PLANNED


def test_marking_done_is_a_post(client, staff, campaigns):
    activity = make_activity(campaigns["main"], "Nyhedsbrev", D(2026, 3, 5), owner=staff)
    log_in_client(client, staff)

    assert client.get(f"/leadership/activities/{activity.pk}/done/").status_code == 405


# -- the week -------------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 3, 11, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_the_week_lists_overdue_then_this_week_s_activities(client, staff, campaigns):
    main = campaigns["main"]
    make_activity(main, "Lav", D(2026, 3, 9), priority=Priority.LOW)
    make_activity(main, "Høj", D(2026, 3, 12), priority=Priority.HIGH, owner=staff)
    make_activity(main, "Glemt", D(2026, 3, 4))
    make_activity(campaigns["aarhus"], "Aarhus", D(2026, 3, 10))
    log_in_client(client, staff)

    page = html(client.get("/leadership/week/"))

    assert "<h1>Priorities of week 11</h1>" in page
    overdue = page.split('id="overdue-heading"')[1].split('id="due-heading"')[0]
    assert "Glemt" in overdue
    due = page.split('id="due-heading"')[1]
    assert due.index("Høj") < due.index("Lav")
    assert "Aarhus" not in due
    # Alice marks her own activity done, not the others.
    assert due.count("Mark done") == 1
    assert 'href="?week=2026-03-02"' in page
    assert 'href="?week=2026-03-16"' in page


def test_another_week_is_chosen_by_its_monday(client, staff, campaigns):
    make_activity(campaigns["main"], "Påske", D(2026, 4, 2))
    log_in_client(client, staff)

    page = html(client.get("/leadership/week/?week=2026-04-01"))

    assert "<h1>Priorities of week 14</h1>" in page
    assert "Påske" in page


def test_a_week_that_is_not_a_date_falls_back_to_this_week(client, staff, campaigns):
    log_in_client(client, staff)

    page = html(client.get("/leadership/week/?week=soon"))

    assert message("“soon” is not a date; showing this week.", "error") in page


@pytest.mark.parametrize("who", ["outsider", "coordinator"])
def test_the_week_is_for_people_of_a_library(client, request, who):
    log_in_client(client, request.getfixturevalue(who))
    assert client.get("/leadership/week/").status_code == 403
