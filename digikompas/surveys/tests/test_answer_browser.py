"""Answering a survey in Chromium: over two visits, by keyboard alone, and on a phone.

The steps find buttons by their names and values, so that they read the same in both languages;
the survey's own texts come from the database.
"""

import pytest
from django.urls import reverse

from digikompas.surveys import services
from digikompas.surveys.models import Response
from digikompas.testing import assert_accessible

from .conftest import COMPLETE, assert_browser_answers

pytestmark = pytest.mark.browser

SAVE_AND_CONTINUE = "button[name=action][value=next]"
BACK = "button[name=action][value=back]"


def _path(invitation, name="answer", *args):
    return reverse(f"surveys:{name}", args=[invitation.token, *args])


def _continue(page, invitation, name, *args):
    page.click(SAVE_AND_CONTINUE)
    page.wait_for_url(f"**{_path(invitation, name, *args)}")


def _switch_language(page, button, lang):
    page.get_by_role("button", name=button).click()
    page.wait_for_selector(f"html[lang={lang}]")


def test_alice_answers_over_two_visits_and_sees_her_profile(page, browser, live_server, invitation):
    # First visit: the start page, then the first page of questions, then she closes the browser.
    page.goto(_path(invitation))
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.locator("h1").inner_text() == "Testundersøgelse"
    assert page.get_by_role("navigation", name="Hovedmenu").count() == 0
    assert_accessible(page)
    page.click("#answer-start")
    page.wait_for_url(f"**{_path(invitation, 'answer_section', 1)}")
    assert page.locator("h1").inner_text() == "Kompetencer"
    assert page.get_by_text("Søger selv; hjælper, når det er let.").is_visible()
    assert_accessible(page)
    page.locator("label[for='id_q-s-1_2']").click()
    page.locator("label[for='id_q-s-2_1']").click()
    _continue(page, invitation, "answer_section", 2)
    page.context.close()

    # Second visit, from the link in a new browser: her answers are there.
    context = browser.new_context(locale="da-DK", base_url=live_server.url)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(_path(invitation))
        page.click("#answer-start")  # "Continue": the first page with unanswered questions
        page.wait_for_url(f"**{_path(invitation, 'answer_section', 2)}")
        page.click(BACK)
        page.wait_for_url(f"**{_path(invitation, 'answer_section', 1)}")
        assert page.locator("#id_q-s-1_2").is_checked()
        assert page.locator("#id_q-s-2_1").is_checked()
        _continue(page, invitation, "answer_section", 2)

        # "What holds you back?" is only for those who never disseminate.
        assert not page.locator("#id_q-why-not").is_visible()
        page.locator("label[for='id_q-time-1_3']").click()
        page.locator("label[for='id_q-frequency_0']").click()
        page.fill("#id_q-why-not", "Tid")
        assert_accessible(page)
        _continue(page, invitation, "answer_section", 3)

        page.locator("label[for='id_q-resources_0']").click()
        page.fill("#id_q-hours", "12")
        assert_accessible(page)
        _continue(page, invitation, "answer_review")
        assert page.get_by_role("cell", name="Øvet").first.is_visible()
        assert page.get_by_role("cell", name="Aldrig").is_visible()
        assert_accessible(page)

        # The same pages in English.
        _switch_language(page, "English", "en")
        assert page.get_by_role("heading", name="Check your answers").is_visible()
        assert page.get_by_role("cell", name="Practitioner").first.is_visible()
        assert_accessible(page)
        page.goto(_path(invitation))
        assert page.locator("h1").inner_text() == "Test survey"
        assert_accessible(page)
        page.goto(_path(invitation, "answer_section", 1))
        assert page.get_by_text("Searches alone, helps when easy.").is_visible()
        assert_accessible(page)
        page.goto(_path(invitation, "answer_review"))
        _switch_language(page, "Dansk", "da")

        # A double click submits once.
        page.dblclick("#answer-submit")
        page.wait_for_url(f"**{_path(invitation, 'answer_done')}")
        assert Response.objects.count() == 1
        response = Response.objects.get()
        assert response.person == invitation.person
        assert response.answers.count() == 7
        profile = page.locator("table.answer-profile")
        assert profile.get_by_role("row", name="S.2 Vejledning").inner_text().split("\t") == [
            "S.2 Vejledning",
            "Begynder (1)",
            "Øvet (2)",
            "1",
        ]
        assert_accessible(page)
        _switch_language(page, "English", "en")
        assert profile.get_by_role("row", name="S.2 Guidance").is_visible()
        assert_accessible(page)
    finally:
        context.close()


def _tab_to(page, selector, limit=80):
    """Press Tab until the focused element matches the selector (reading focus, not clicking)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_survey_can_be_answered_with_the_keyboard_alone(page, invitation):
    page.goto(_path(invitation))
    _tab_to(page, "#answer-start")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{_path(invitation, 'answer_section', 1)}")

    # Radio groups: Tab into the group, Space chooses the first level, arrows move the choice.
    _tab_to(page, "input[name='q-s-1']")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_q-s-1_2").is_checked()
    assert page.locator("#id_q-s-2_1").is_checked()
    _tab_to(page, SAVE_AND_CONTINUE)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{_path(invitation, 'answer_section', 2)}")

    _tab_to(page, "input[name='q-time-1']")
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    _tab_to(page, "input[name='q-frequency']")
    page.keyboard.press("Space")  # "never": the question "why not?" appears
    _tab_to(page, "#id_q-why-not")
    page.keyboard.type("Tid")
    _tab_to(page, SAVE_AND_CONTINUE)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{_path(invitation, 'answer_section', 3)}")

    _tab_to(page, "#id_q-resources_0")
    page.keyboard.press("Space")
    _tab_to(page, "#id_q-hours")
    page.keyboard.type("12")
    page.keyboard.press("Enter")  # Enter in a field saves and continues, as the first button
    page.wait_for_url(f"**{_path(invitation, 'answer_review')}")

    _tab_to(page, "#answer-submit")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{_path(invitation, 'answer_done')}")

    response = Response.objects.get()
    assert_browser_answers(response)


def test_a_page_of_questions_fits_a_phone(page, invitation):
    page.set_viewport_size({"width": 375, "height": 740})
    for path in (
        _path(invitation),
        _path(invitation, "answer_section", 1),
        _path(invitation, "answer_section", 2),
        _path(invitation, "answer_review"),
    ):
        page.goto(path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 375, f"{path} scrolls sideways: {scroll_width}px"
    page.goto(_path(invitation, "answer_section", 1))
    assert_accessible(page)

    services.save_answers(invitation=invitation, answers=COMPLETE)
    services.submit(invitation=invitation)
    page.goto(_path(invitation, "answer_done"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)


def test_a_closed_round_says_so_politely_in_both_languages(page, invitation):
    round = invitation.round
    round.closes_at = round.opens_at + (round.closes_at - round.opens_at) / 100
    round.save()

    page.goto(_path(invitation))
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.locator("html").get_attribute("lang") == "da"
    assert_accessible(page)
    _switch_language(page, "English", "en")
    assert "closed" in page.locator("main").inner_text()
    assert_accessible(page)
