"""The site in a real browser: language switch, role pages, and axe-core on each page."""

import pytest

from digikompas.testing import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_a_visitor_switches_from_danish_to_english_and_back(page, reference_data):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.locator("h1").inner_text() == "Velkommen til digikompas"
    assert_accessible(page)

    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Welcome to digikompas"
    assert_accessible(page)

    page.get_by_role("button", name="Dansk").click()
    page.wait_for_selector("html[lang=da]")
    assert page.locator("h1").inner_text() == "Velkommen til digikompas"


def test_the_login_page_is_accessible_and_reports_a_wrong_password(page, staff):
    page.goto("/accounts/login/")
    assert_accessible(page)
    log_in(page, "alice@odense.example", "not the password")
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)


def test_a_library_leader_reaches_the_staff_of_their_library(page, library_leader, staff):
    log_in(page, "bent@odense.example")
    page.wait_for_url("**/")
    assert_accessible(page)

    page.get_by_role("link", name="Se medarbejderne").click()
    assert page.locator("h1").inner_text() == "Medarbejdere på Odense Hovedbibliotek"
    assert page.get_by_role("cell", name="Alice Andersen").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Alice Andersen").click()
    assert page.locator("h1").inner_text() == "Alice Andersen"
    assert_accessible(page)


def test_the_organisation_pages_are_accessible(page, staff, odense_main):
    log_in(page, "alice@odense.example")
    page.wait_for_url("**/")
    page.get_by_role("link", name="Kommuner og biblioteker").first.click()
    assert page.locator("h1").inner_text() == "Kommuner og biblioteker"
    assert_accessible(page)

    page.get_by_role("link", name="Odense").click()
    assert page.get_by_role("cell", name="Odense Hovedbibliotek").is_visible()
    assert_accessible(page)

    page.goto("/accounts/settings/")
    assert_accessible(page)
    page.goto("/accounts/api-key/")
    assert_accessible(page)
