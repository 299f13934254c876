"""Importing answers in Chromium: upload, map the columns, see the problems, import; every page
checked with axe in Danish and in English."""

import pytest
from django.urls import reverse

from digikompas.surveys.models import Response
from digikompas.testing import assert_accessible, log_in

pytestmark = pytest.mark.browser

WITH_A_PROBLEM = (
    b"svar-id;e-mail;s-1;s-2;time-1;frequency;hours\r\n"
    b"r1;alice@odense.example;2;1;4;weekly;200\r\n"
    b"r2;;1;0;4;weekly;2\r\n"
)


def _upload(page, round, tmp_path):
    page.goto(reverse("surveys:import_responses", args=[round.pk]))
    assert_accessible(page)
    path = tmp_path / "svar.csv"
    path.write_bytes(WITH_A_PROBLEM)
    page.set_input_files("input[name=file]", str(path))
    page.locator("main form button.button-primary").click()
    page.wait_for_selector("select[name=column_6]")
    assert_accessible(page)


@pytest.mark.parametrize("language", ["da", "en"])
def test_an_analyst_imports_a_file_after_seeing_its_problem(
    page, analyst, round, staff, tmp_path, language
):
    log_in(page, analyst.email, totp_secret=analyst.totp_secret)
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_selector("html[lang=en]")

    _upload(page, round, tmp_path)
    page.select_option("select[name=column_6]", "item:hours")
    page.locator("main form button.button-primary").click()
    problem = page.locator("#import-errors tbody tr")
    problem.wait_for()
    assert problem.locator("td").all_inner_texts()[:2] == ["2", "hours"]
    assert "100" in problem.locator("td").nth(2).inner_text()
    assert not Response.objects.exists()
    assert_accessible(page)

    # Leaving out the column with the problem imports the rest (the file is kept).
    page.select_option("select[name=column_6]", "")
    page.locator("main form button.button-primary").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language
    assert Response.objects.count() == 2
    assert_accessible(page)
