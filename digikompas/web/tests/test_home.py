import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from digikompas.frameworks import services as frameworks
from digikompas.frameworks.tests.conftest import make_content
from digikompas.surveys import services as surveys
from digikompas.surveys.tests.conftest import COMPLETE, make_survey, open_round
from digikompas.testing import assert_accessible, log_in


def test_it_welcomes_visitors_in_danish(client, reference_data):
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="da">' in response.content
    assert "Velkommen til digikompas" in response.text


def test_it_shows_a_library_leader_their_library(client, library_leader):
    client.force_login(library_leader.user)
    response = client.get("/")
    assert "Odense Hovedbibliotek" in response.text


@pytest.mark.parametrize(
    ("member", "recommendations", "coverage"),
    [
        ("staff", True, False),
        ("library_leader", True, False),
        ("analyst", True, True),
        ("provider", True, True),
        ("outsider", False, False),
    ],
)
def test_it_leads_each_role_to_the_offers_it_may_use(
    request, client, member, recommendations, coverage
):
    who = request.getfixturevalue(member)
    client.force_login(getattr(who, "user", who))

    page = client.get("/").text

    assert f'href="{reverse("offers:catalogue")}"' in page
    assert (f'href="{reverse("offers:recommendations")}"' in page) is recommendations
    assert (f'href="{reverse("offers:coverage_index")}"' in page) is coverage


@pytest.mark.parametrize(
    ("member", "mine", "coordinating"),
    [
        ("staff", True, False),
        ("coordinator", True, True),
        ("outsider", False, False),
    ],
)
def test_it_leads_each_role_to_the_pilot_education(request, client, member, mine, coordinating):
    who = request.getfixturevalue(member)
    client.force_login(getattr(who, "user", who))

    page = client.get("/").text

    assert f'href="{reverse("pilot:programme_list")}"' in page
    assert f'href="{reverse("pilot:idea_bank")}"' in page
    assert (f'href="{reverse("pilot:mine")}"' in page) is mine
    assert ("Planlæg programmer, moduler og sessioner" in page) is coordinating


@pytest.mark.parametrize(
    ("member", "dashboard", "week"),
    [
        ("staff", False, True),
        ("library_leader", True, True),
        ("municipal_leader", True, False),
        ("analyst", False, False),
    ],
)
def test_it_leads_leaders_to_their_dashboard_and_staff_to_the_week(
    request, client, member, dashboard, week
):
    who = request.getfixturevalue(member)
    client.force_login(who.user)

    page = client.get("/").text

    assert f'href="{reverse("leadership:resource_list")}"' in page  # the main menu
    assert (f'href="{reverse("leadership:dashboard")}"' in page) is dashboard
    assert (f'href="{reverse("leadership:week")}"' in page) is week


def test_it_links_a_staff_member_to_the_surveys_they_have_not_answered(client, staff, odense):
    framework = frameworks.publish(framework=frameworks.create_framework(content=make_content()))
    round = open_round(make_survey(framework), municipalities=[odense])
    surveys.invite(round=round)
    invitation = round.invitations.get(person=staff)
    client.force_login(staff.user)

    page = client.get("/").text
    assert (
        f'<a href="{reverse("surveys:answer", args=[invitation.token])}">Testundersøgelse</a>'
        in page
    )
    assert "Du har ingen åbne undersøgelser lige nu." not in page

    surveys.save_answers(invitation=invitation, answers=COMPLETE)
    surveys.submit(invitation=invitation)
    page = client.get("/").text
    assert reverse("surveys:answer", args=[invitation.token]) + '"' not in page
    assert reverse("surveys:answer_done", args=[invitation.token]) in page


@pytest.mark.browser
def test_staff_member_logs_in_and_lands_on_their_start_page(page, staff):
    log_in(page, staff.user.email)
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "Velkommen, Alice Andersen"
    assert_accessible(page)


@pytest.mark.parametrize(
    "path",
    [
        "digikompas/site.css",
        "digikompas/print.css",
        "dkfds/css/dkfds.min.css",
        "dkfds/js/dkfds.min.js",
    ],
)
def test_the_pages_stylesheets_and_scripts_are_found(path):
    # What the templates load with {% static %}: collectstatic and the development server only
    # serve what the finders find.
    assert finders.find(path) is not None
