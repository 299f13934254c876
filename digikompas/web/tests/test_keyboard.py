"""The two main errands of the site done with the keyboard alone (issue 9): answering a survey
from the link in the invitation e-mail to the receipt, and a staff member logging in and
enrolling in a pilot session.

Only page.keyboard acts (Tab, Shift+Tab, Space, Enter, arrow keys, typing into the focused
field); the test reads where the focus is, never clicks. Every element the focus stops on must
show it: an outline or a shadow on the element or, for DKFDS radio buttons and checkboxes whose
input is transparent, on the box drawn before their label.
"""

import datetime
import re

import pytest
from django.utils import timezone

from digikompas.frameworks import services as frameworks
from digikompas.frameworks.tests.conftest import make_content
from digikompas.pilot.models import Enrolment, EnrolmentStatus, Module, Programme, Session
from digikompas.surveys import services as surveys
from digikompas.surveys.models import Response
from digikompas.surveys.tests.conftest import assert_browser_answers, make_survey, open_round
from digikompas.testing import PASSWORD

pytestmark = pytest.mark.browser

# Where the focus is and whether a sighted keyboard user can see it. Waits for the transitions
# of the focused element (the skip link slides into view) to end before measuring.
FOCUS = """async () => {
    const element = document.activeElement;
    await Promise.all(element.getAnimations().map((animation) => animation.finished));
    const shows = (style) => (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
        || style.boxShadow !== "none";
    const style = getComputedStyle(element);
    let visible = shows(style);
    let box = element.getBoundingClientRect();
    if (style.opacity === "0" && element.labels && element.labels.length) {
        visible = shows(getComputedStyle(element.labels[0], "::before"));
        box = element.labels[0].getBoundingClientRect();
    } else if (style.opacity === "0") {
        visible = false;
    }
    const onScreen = box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
        && box.top < innerHeight && box.left < innerWidth;
    return {
        tag: element.tagName.toLowerCase(),
        text: (element.innerText || element.value || element.name || "").trim().slice(0, 60),
        inMain: element.closest("main") !== null,
        focusVisible: element.matches(":focus-visible"),
        visible: visible && onScreen,
    };
}"""


def _focus(page) -> dict:
    focus = page.evaluate(FOCUS)
    assert focus["focusVisible"], f"focus is not visible on {focus}"
    assert focus["visible"], f"focus is not visible on {focus}"
    return focus


def _press(page, key: str) -> dict:
    page.keyboard.press(key)
    return _focus(page)


def _tab_to(page, selector: str, *, key: str = "Tab", limit: int = 60) -> None:
    """Press Tab (or Shift+Tab) until the focus is on the element the selector names, checking
    that the focus shows at every stop on the way."""
    if page.evaluate("(s) => document.activeElement.matches(s)", selector):
        return
    for _ in range(limit):
        _press(page, key)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{key} never reached {selector}")


def _enter_and_wait(page, url_glob: str) -> None:
    page.keyboard.press("Enter")
    page.wait_for_url(url_glob)


def _skip_to_content(page) -> None:
    """The first Tab of a page reaches the skip link; following it, the next Tab is inside
    <main>, past the header and the menu."""
    focus = _press(page, "Tab")
    assert (focus["tag"], focus["text"]) == ("a", "Gå til indhold")
    page.keyboard.press("Enter")
    page.wait_for_url("**#main-content")
    assert _press(page, "Tab")["inMain"]


@pytest.fixture
def invitation(page, staff, odense, smtp_server):
    """Alice's invitation, sent by e-mail (after the page fixture pointed SITE_ROOT at the live
    server, so the link in it leads there)."""
    framework = frameworks.publish(framework=frameworks.create_framework(content=make_content()))
    round = open_round(make_survey(framework), municipalities=[odense])
    surveys.invite(round=round)
    return round.invitations.get(person=staff)


def test_a_survey_is_answered_from_the_invitation_to_the_receipt_with_the_keyboard(
    page, invitation, smtp_server
):
    (mail,) = [m for m in smtp_server.messages if m["To"] == invitation.person.email]
    link = re.search(r"http://\S+/surveys/a/\S+/", smtp_server.text_of(mail)).group(0)
    page.goto(link)
    _skip_to_content(page)
    _tab_to(page, "#answer-start")
    _enter_and_wait(page, "**/1/")

    # Radio groups: Tab into a group, Space chooses its first option, arrows move the choice.
    _tab_to(page, "input[name='q-s-1']")
    _press(page, "Space")
    _press(page, "ArrowDown")
    _press(page, "ArrowDown")
    _press(page, "Tab")
    _press(page, "Space")
    _press(page, "ArrowDown")
    # Back and forth: Shift+Tab returns to the first group, on the option chosen there.
    _press(page, "Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "id_q-s-1_2"
    _tab_to(page, "button[name=action][value=next]")
    _enter_and_wait(page, "**/2/")

    _tab_to(page, "input[name='q-time-1']")
    _press(page, "Space")
    for _ in range(3):
        _press(page, "ArrowDown")
    _tab_to(page, "input[name='q-frequency']")
    _press(page, "Space")  # "never": the question "what holds you back?" appears
    _tab_to(page, "#id_q-why-not")
    page.keyboard.type("Tid")
    _tab_to(page, "button[name=action][value=next]")
    _enter_and_wait(page, "**/3/")

    _tab_to(page, "#id_q-resources_0")
    _press(page, "Space")
    _tab_to(page, "#id_q-hours")
    page.keyboard.type("12")
    _enter_and_wait(page, "**/review/")  # Enter in a field saves and continues

    _tab_to(page, "#answer-submit")
    _enter_and_wait(page, "**/done/")
    assert page.locator("h1").inner_text() == "Tak for dine svar"

    response = Response.objects.get(round=invitation.round)
    assert_browser_answers(response)


@pytest.fixture
def session(staff):
    now = timezone.now().replace(microsecond=0)
    framework = frameworks.publish(framework=frameworks.create_framework(content=make_content()))
    programme = Programme.objects.create(
        key="pilot",
        title_da="Pilotuddannelse i digital formidling",
        framework=framework,
        starts_on=now.date(),
        ends_on=now.date() + datetime.timedelta(days=90),
    )
    module = Module.objects.create(programme=programme, title_da="eReolen for seniorer")
    return Session.objects.create(
        module=module,
        starts_at=now + datetime.timedelta(days=7),
        ends_at=now + datetime.timedelta(days=7, hours=3),
        place="Odense Hovedbibliotek",
        capacity=10,
    )


def test_a_staff_member_logs_in_and_enrols_in_a_session_with_the_keyboard(page, staff, session):
    page.goto("/accounts/login/")
    _skip_to_content(page)
    _tab_to(page, "input[name=login]")
    page.keyboard.type(staff.email)
    _tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)

    # From the start page through the main menu to the programme, its module and the session.
    _tab_to(page, "nav a[href='/pilot/']")
    _enter_and_wait(page, "**/pilot/")
    _skip_to_content(page)
    _tab_to(page, f"a[href='/pilot/programmes/{session.module.programme.pk}/']")
    _enter_and_wait(page, f"**/pilot/programmes/{session.module.programme.pk}/")
    _tab_to(page, f"a[href='/pilot/modules/{session.module.pk}/']")
    _enter_and_wait(page, f"**/pilot/modules/{session.module.pk}/")
    _skip_to_content(page)
    _tab_to(page, f"form[action='/pilot/sessions/{session.pk}/enrol/'] button")
    page.keyboard.press("Enter")
    page.wait_for_selector(".alert-success")

    enrolment = Enrolment.objects.get(session=session, person=staff)
    assert enrolment.status == EnrolmentStatus.ENROLLED
    # The page says so, and the focus can go on from where it is.
    assert "Annullér" in page.locator(f"#session-{session.pk}").inner_text()
    _press(page, "Tab")
