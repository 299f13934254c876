"""Answering a survey by personal link: start, one page per section, review, submit, done.

No one logs in: the invitation's token is the key. The pages are read in English (the language
cookie), so the expected texts are the English source strings whether or not the Danish catalogue
has them yet. Who gets which status is listed in the report for web/tests/test_permissions.py.
"""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape

from digikompas.frameworks.models import TargetLevel, TargetProfile
from digikompas.orgs.models import JobRole, LibraryKind
from digikompas.surveys import services
from digikompas.surveys.models import AnonymityMode, Item, ItemKind, Response

from .conftest import COMPLETE, open_round

# The pages of make_survey as the form posts them (prefix "q-").
PAGE_1 = {"q-s-1": "2", "q-s-2": "1"}
PAGE_2 = {"q-time-1": "4", "q-frequency": "never", "q-why-not": "Tid"}
PAGE_3 = {"q-resources": ["ereolen"], "q-hours": "12", "q-comment": ""}
NEXT = {"action": "next"}
BACK = {"action": "back"}


def url(name, invitation, *args):
    return reverse(f"surveys:{name}", args=[invitation.token, *args])


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def en(client):
    return in_english(client)


def _when(moment) -> str:
    with translation.override("en"):
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _answer_everything(client, invitation):
    for number, page in enumerate([PAGE_1, PAGE_2, PAGE_3], start=1):
        response = client.post(url("answer_section", invitation, number), {**page, **NEXT})
        assert response.status_code == 303


# -- start ----------------------------------------------------------------------------------------


def test_the_start_page_introduces_the_survey_and_starts_at_page_one(en, invitation):
    response = en.get(url("answer", invitation))

    assert response.status_code == 200
    assert "<h1>Test survey</h1>" in response.text
    assert "About you and your competencies." in response.text
    closes = _when(invitation.round.closes_at)
    assert f"Answer by {closes}, when the survey closes." in response.text
    assert "The survey has 3 pages." in response.text
    assert (
        "Your answers are confidential: they are kept with your name so that you can see your "
        "own profile, but no one else sees what you answered, only results for groups of people."
    ) in response.text
    assert "Your progress" not in response.text
    start = f'href="{url("answer_section", invitation, 1)}">Start</a>'
    assert start in response.text
    # No one is logged in: no navigation of the logged-in site.
    assert 'aria-label="Main menu"' not in response.text
    assert "noindex" in response.text


def test_an_anonymous_round_says_so_on_the_start_page(en, survey, odense, staff):
    round = open_round(survey, municipalities=[odense], anonymity=AnonymityMode.ANONYMOUS)
    services.invite(round=round)
    invitation = round.invitations.get(person=staff)

    response = en.get(url("answer", invitation))

    assert (
        "Your answers are anonymous: they are stored without your name or any link to you; we "
        "only record that you have answered, so that you get no reminders."
    ) in response.text
    assert "confidential" not in response.text


def test_the_start_page_follows_the_language(client, invitation):
    response = client.get(url("answer", invitation))
    assert '<html lang="da">' in response.text
    assert "<h1>Testundersøgelse</h1>" in response.text

    response = in_english(client).get(url("answer", invitation))
    assert '<html lang="en">' in response.text
    assert "<h1>Test survey</h1>" in response.text


def test_continue_goes_to_the_first_page_with_unanswered_required_questions(en, invitation):
    services.save_answers(invitation=invitation, answers={"s-1": 2, "s-2": 1, "time-1": 4})

    response = en.get(url("answer", invitation))

    assert "You have answered 3 of 7 questions." in response.text
    assert f'href="{url("answer_section", invitation, 2)}">Continue</a>' in response.text


def test_continue_goes_to_the_review_when_every_required_question_is_answered(en, invitation):
    services.save_answers(invitation=invitation, answers=COMPLETE)

    response = en.get(url("answer", invitation))

    assert "You have answered 5 of 8 questions." in response.text
    assert f'href="{url("answer_review", invitation)}">Continue</a>' in response.text


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("answer", (), "get"),
        ("answer_section", (1,), "get"),
        ("answer_section", (1,), "post"),
        ("answer_review", (), "get"),
        ("answer_submit", (), "post"),
        ("answer_done", (), "get"),
    ],
)
def test_an_unknown_link_is_not_found(client, invitation, name, args, method):
    path = reverse(f"surveys:{name}", args=["not-a-token", *args])

    assert getattr(client, method)(path).status_code == 404


def test_a_page_number_beyond_the_survey_is_not_found(client, invitation):
    assert client.get(url("answer_section", invitation, 4)).status_code == 404
    assert client.get(url("answer_section", invitation, 0)).status_code == 404


# -- closed rounds --------------------------------------------------------------------------------


def test_a_closed_round_says_so_politely_and_saves_nothing(en, invitation):
    round = invitation.round
    closed = (
        f"It closed on {_when(round.closes_at)}, so answers can no longer be given or changed. "
        "Thank you for your interest."
    )

    with time_machine.travel(round.closes_at + datetime.timedelta(hours=1), tick=False):
        for path in (url("answer", invitation), url("answer_section", invitation, 1)):
            response = en.get(path)
            assert response.status_code == 200
            assert "The survey is closed" in response.text
            assert closed in response.text
        posted = en.post(url("answer_section", invitation, 1), {**PAGE_1, **NEXT})
        submitted = en.post(url("answer_submit", invitation))

    assert posted.status_code == 200
    assert "The survey is closed" in posted.text
    assert submitted.status_code == 200
    assert "The survey is closed" in submitted.text
    invitation.refresh_from_db()
    assert invitation.draft == {}
    assert not Response.objects.exists()


def test_a_round_that_has_not_opened_says_when_it_opens(en, survey, odense, staff):
    now = timezone.now()
    round = services.create_round(
        survey=survey,
        title="Efterår",
        opens_at=now + datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=20),
        municipalities=[odense],
    )
    services.invite(round=round)
    invitation = round.invitations.get(person=staff)

    response = en.get(url("answer", invitation))

    assert response.status_code == 200
    assert "The survey is not open yet" in response.text
    assert (
        f"It opens on {_when(round.opens_at)}. Come back then with the same link."
    ) in response.text


# -- the section pages ----------------------------------------------------------------------------


def test_a_competency_is_rated_on_the_scale_with_its_level_descriptors(en, invitation):
    response = en.get(url("answer_section", invitation, 1))

    assert response.status_code == 200
    text = response.text
    assert "<h1>Competencies</h1>" in text
    assert "Page 1 of 3" in text
    assert '<progress max="3" value="1" aria-labelledby="answer-progress-label">' in text
    assert (
        '<legend class="form-label">Searching eReolen <span class="answer-required">'
        "(required)</span></legend>"
    ) in text
    # Each level is an option, with what a person at that level does as its description.
    for value, label, descriptor in [
        (0, "None", "Does not know eReolen."),
        (1, "Beginner", "Searches with help."),
        (2, "Practitioner", "Searches alone, helps when easy."),
    ]:
        option = f'id="id_q-s-1_{value}" name="q-s-1" value="{value}"'
        assert option in text
        assert f'<label class="form-label" for="id_q-s-1_{value}">{label}</label>' in text
        assert f'<span class="form-hint" id="id_q-s-1_{value}_description">{descriptor}' in text
    # The Danish descriptor stands in where the English one is missing.
    assert "Lidt." in text


def test_each_kind_of_item_gets_its_input(en, invitation):
    page_2 = en.get(url("answer_section", invitation, 2)).text
    page_3 = en.get(url("answer_section", invitation, 3)).text

    for value, label in [(1, "Strongly disagree"), (3, "Neither agree nor disagree")]:
        assert f'type="radio" class="form-radio" id="id_q-time-1_{value - 1}"' in page_2
        assert f'for="id_q-time-1_{value - 1}">{label}</label>' in page_2
    assert 'name="q-frequency" value="never"' in page_2
    assert '<textarea class="form-input" rows="4" maxlength="5000" id="id_q-why-not"' in page_2
    assert 'type="checkbox" class="form-checkbox" id="id_q-resources_1"' in page_3
    assert (
        'type="number" inputmode="numeric" step="1" min="0" max="100" '
        'class="form-input input-width-xs" id="id_q-hours"'
    ) in page_3
    assert "A whole number from 0 to 100." in page_3
    assert "(required)" not in page_3  # every question on the last page is optional


def test_save_and_continue_saves_the_page_and_goes_to_the_next(en, invitation):
    response = en.post(url("answer_section", invitation, 1), {**PAGE_1, **NEXT})

    assert response.status_code == 303
    assert response["Location"] == url("answer_section", invitation, 2)
    invitation.refresh_from_db()
    assert invitation.draft == {"s-1": 2, "s-2": 1}
    assert invitation.started_at is not None


def test_the_last_page_continues_to_the_review(en, invitation):
    response = en.post(url("answer_section", invitation, 3), {**PAGE_3, **NEXT})

    assert response["Location"] == url("answer_review", invitation)
    invitation.refresh_from_db()
    assert invitation.draft == {"resources": ["ereolen"], "hours": 12}


def test_back_saves_too_and_goes_to_the_page_before(en, invitation):
    response = en.post(url("answer_section", invitation, 2), {**PAGE_2, **BACK})

    assert response.status_code == 303
    assert response["Location"] == url("answer_section", invitation, 1)
    invitation.refresh_from_db()
    assert invitation.draft == {"time-1": 4, "frequency": "never", "why-not": "Tid"}
    back_from_first = en.post(url("answer_section", invitation, 1), {**PAGE_1, **BACK})
    assert back_from_first["Location"] == url("answer", invitation)


def test_required_questions_may_be_left_for_later(en, invitation):
    response = en.post(url("answer_section", invitation, 1), NEXT)

    assert response.status_code == 303
    assert response["Location"] == url("answer_section", invitation, 2)


def test_a_cleared_answer_is_removed(en, invitation):
    services.save_answers(invitation=invitation, answers={"s-1": 2, "s-2": 1})

    en.post(url("answer_section", invitation, 1), {"q-s-1": "2", **NEXT})

    invitation.refresh_from_db()
    assert invitation.draft == {"s-1": 2}


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"q-hours": "many"}, "“many” is not a number."),
        ({"q-hours": "12,5"}, "“12,5” is not a whole number."),
        ({"q-hours": "101"}, "The largest answer is 100."),
        ({"q-hours": "-1"}, "The smallest answer is 0."),
        (
            {"q-resources": ["ereolen", "bibzoom"]},
            "“bibzoom” is not one of the options (ereolen, filmstriben, none).",
        ),
    ],
)
def test_a_wrong_answer_is_reported_at_its_question(en, invitation, posted, message):
    response = en.post(url("answer_section", invitation, 3), {**posted, **NEXT})

    assert response.status_code == 400
    assert "<title>Error: About you – Test survey – digikompas</title>" in response.text
    assert (
        "Some answers were not saved. Correct them and try again; your other answers on this "
        "page are saved."
    ) in response.text
    field = "hours" if "q-hours" in posted else "resources"
    assert f'<span class="form-error-message" id="id_q-{field}_error">{escape(message)}</span>' in (
        response.text
    )
    assert 'aria-invalid="true"' in response.text


def test_the_valid_answers_of_a_page_are_saved_and_the_wrong_one_kept_for_correction(
    en, invitation
):
    services.save_answers(invitation=invitation, answers={"hours": 5})

    response = en.post(
        url("answer_section", invitation, 3),
        {"q-resources": ["filmstriben"], "q-hours": "12,5", "q-comment": "Godt", **NEXT},
    )

    assert response.status_code == 400
    assert 'id="id_q-hours" name="q-hours" value="12,5"' in response.text
    assert 'id="id_q-resources_1" name="q-resources" value="filmstriben" checked' in response.text
    invitation.refresh_from_db()
    # The wrong answer leaves what was saved before; the right ones are saved.
    assert invitation.draft == {"resources": ["filmstriben"], "comment": "Godt", "hours": 5}


def test_a_level_off_the_scale_is_refused(en, invitation):
    response = en.post(url("answer_section", invitation, 1), {"q-s-1": "7", "q-s-2": "1", **NEXT})

    assert response.status_code == 400
    assert "7 is not on the scale (0–2)." in response.text
    invitation.refresh_from_db()
    assert invitation.draft == {"s-2": 1}


def test_closing_the_browser_and_opening_the_link_again_resumes(client, invitation):
    in_english(client).post(url("answer_section", invitation, 1), {**PAGE_1, **NEXT})
    client.cookies.clear()
    client.logout()

    start = in_english(client).get(url("answer", invitation))
    page = client.get(url("answer_section", invitation, 1))

    assert "You have answered 2 of 7 questions." in start.text
    assert f'href="{url("answer_section", invitation, 2)}">Continue</a>' in start.text
    assert 'id="id_q-s-1_2" name="q-s-1" value="2" checked' in page.text
    assert 'id="id_q-s-2_1" name="q-s-2" value="1" checked' in page.text
    assert 'id="id_q-s-1_1" name="q-s-1" value="1" checked' not in page.text


# -- show-if --------------------------------------------------------------------------------------


def test_a_question_conditional_on_the_same_page_is_shown_with_a_note(en, invitation):
    response = en.get(url("answer_section", invitation, 2))

    assert 'id="question-why-not" data-show-if="q-frequency"' in response.text
    assert (
        "Answer only if you answered “Never” to “How often do you disseminate?”."
        in response.text.replace("&amp;", "&")
    )


def test_an_answer_its_condition_does_not_ask_for_is_dropped(en, invitation):
    en.post(
        url("answer_section", invitation, 2),
        {"q-time-1": "4", "q-frequency": "weekly", "q-why-not": "Tid", **NEXT},
    )

    invitation.refresh_from_db()
    assert invitation.draft == {"time-1": 4, "frequency": "weekly"}


def test_a_wrong_answer_to_a_question_not_asked_is_no_error(en, invitation):
    too_long = "x" * 5001
    page = {"q-time-1": "4", "q-why-not": too_long, **NEXT}

    asked = en.post(url("answer_section", invitation, 2), {**page, "q-frequency": "never"})
    not_asked = en.post(url("answer_section", invitation, 2), {**page, "q-frequency": "weekly"})

    assert asked.status_code == 400
    assert "Write at most 5000 characters." in asked.text
    assert not_asked.status_code == 303
    invitation.refresh_from_db()
    assert invitation.draft == {"time-1": 4, "frequency": "weekly"}


def test_changing_the_condition_drops_an_answer_given_before(en, invitation):
    en.post(url("answer_section", invitation, 2), {**PAGE_2, **NEXT})
    en.post(url("answer_section", invitation, 2), {**PAGE_2, "q-frequency": "monthly", **NEXT})

    invitation.refresh_from_db()
    assert "why-not" not in invitation.draft


def test_a_question_conditional_on_an_earlier_page_follows_the_saved_answer(en, invitation, survey):
    Item.objects.create(
        section=survey.sections.get(position=3),
        survey=survey,
        position=4,
        code="help-wanted",
        kind=ItemKind.TEXT,
        text_da="Hvad ville hjælpe?",
        text_en="What would help?",
        required=False,
        show_if_item=survey.items.get(code="frequency"),
        show_if_values=["never"],
    )
    services.save_answers(invitation=invitation, answers={"frequency": "weekly"})
    assert "What would help?" not in en.get(url("answer_section", invitation, 3)).text
    en.post(url("answer_section", invitation, 3), {"q-help-wanted": "Tid", **NEXT})
    invitation.refresh_from_db()
    assert "help-wanted" not in invitation.draft

    services.save_answers(invitation=invitation, answers={"frequency": "never"})
    page = en.get(url("answer_section", invitation, 3)).text
    assert "What would help?" in page
    assert "Answer only if" not in page  # the condition is met already; no note needed


# -- review and submit ----------------------------------------------------------------------------


def test_the_review_lists_every_asked_question_with_its_answer(en, invitation):
    services.save_answers(
        invitation=invitation, answers={"s-1": 2, "time-1": 4, "frequency": "weekly"}
    )

    response = en.get(url("answer_review", invitation))

    assert response.status_code == 200
    text = response.text
    assert "<h1>Check your answers</h1>" in text
    assert "1 required question is not answered yet. It is marked below." in text
    assert '<th scope="row">Searching eReolen</th>' in text
    assert "Practitioner" in text
    assert "Agree" in text
    assert "Weekly" in text
    missing = f'href="{url("answer_section", invitation, 1)}#question-s-2"'
    assert missing in text
    assert "Not answered (required)" in text
    assert "What holds you back?" not in text  # not asked when the answer is "weekly"
    assert f'action="{url("answer_submit", invitation)}"' in text
    assert "Submit your answers" in text


def test_submitting_with_required_answers_missing_lists_them(en, invitation):
    services.save_answers(invitation=invitation, answers={"s-1": 2, "time-1": 4})

    response = en.post(url("answer_submit", invitation))

    assert response.status_code == 400
    assert (
        "Your answers have not been submitted. Answer these required questions first:"
        in response.text
    )
    assert (
        f'<li><a href="{url("answer_section", invitation, 1)}#question-s-2">Guidance</a></li>'
    ) in response.text
    assert (
        f'<li><a href="{url("answer_section", invitation, 2)}#question-frequency">'
        "How often do you disseminate?</a></li>"
    ) in response.text
    assert not Response.objects.exists()


def test_submitting_twice_keeps_one_response(en, invitation):
    _answer_everything(en, invitation)

    first = en.post(url("answer_submit", invitation))
    second = en.post(url("answer_submit", invitation))

    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"] == url("answer_done", invitation)
    assert Response.objects.count() == 1
    codes = set(Response.objects.get().answers.values_list("item__code", flat=True))
    assert codes == {"s-1", "s-2", "time-1", "frequency", "why-not", "resources", "hours"}


def test_two_tabs_saving_different_pages_end_in_one_response_with_all_answers(client, invitation):
    from django.test import Client

    first, second = in_english(client), in_english(Client())
    first.post(url("answer_section", invitation, 1), {**PAGE_1, **NEXT})
    second.post(url("answer_section", invitation, 2), {**PAGE_2, **NEXT})
    second.post(url("answer_section", invitation, 3), {**PAGE_3, **NEXT})

    assert first.post(url("answer_submit", invitation)).status_code == 303
    assert second.post(url("answer_submit", invitation)).status_code == 303

    response = Response.objects.get()
    answers = {a.item.code: a for a in response.answers.select_related("item")}
    assert answers["s-1"].number == 2
    assert answers["frequency"].text == "never"
    assert answers["resources"].choices == ["ereolen"]
    assert answers["hours"].number == 12


def test_submit_takes_only_posts(client, invitation):
    assert client.get(url("answer_submit", invitation)).status_code == 405


def test_after_submission_the_pages_lead_to_the_thanks(en, invitation):
    _answer_everything(en, invitation)
    en.post(url("answer_submit", invitation))
    done = url("answer_done", invitation)

    for path in (
        url("answer", invitation),
        url("answer_section", invitation, 1),
        url("answer_review", invitation),
    ):
        response = en.get(path)
        assert response.status_code == 302
        assert response["Location"] == done
    late = en.post(url("answer_section", invitation, 1), {"q-s-1": "0", **NEXT})
    assert late["Location"] == done
    assert Response.objects.get().answers.get(item__code="s-1").number == 2


def test_the_thanks_page_before_submitting_leads_to_the_start(en, invitation):
    response = en.get(url("answer_done", invitation))

    assert response.status_code == 302
    assert response["Location"] == url("answer", invitation)


def test_an_anonymous_round_stores_no_link_but_marks_the_invitation_answered(
    en, survey, odense, staff
):
    round = open_round(survey, municipalities=[odense], anonymity=AnonymityMode.ANONYMOUS)
    services.invite(round=round)
    invitation = round.invitations.get(person=staff)
    _answer_everything(en, invitation)

    assert en.post(url("answer_submit", invitation)).status_code == 303
    done = en.get(url("answer_done", invitation))

    response = Response.objects.get()
    assert response.person is None
    assert response.invitation is None
    invitation.refresh_from_db()
    assert invitation.responded_at is not None
    assert "Thank you for your answers" in done.text
    assert (
        "Your answers are anonymous: they are stored without your name or any link to you, so "
        "no one, not even you, can see them again, and no personal profile is shown."
    ) in done.text
    assert "Your profile" not in done.text


# -- the profile on the done page -----------------------------------------------------------------


def _profile_rows(text: str) -> list[list[str]]:
    """The rows of the profile table as lists of cell texts."""
    import re

    body = text.split('class="table table--responsive-headers answer-profile"')[1]
    body = body.split("<tbody>")[1].split("</tbody>")[0]
    return [
        [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
        for cells in (
            re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        )
    ]


def test_the_thanks_page_shows_the_profile_against_the_job_role(en, invitation):
    services.save_answers(invitation=invitation, answers={**COMPLETE, "s-1": 0})
    services.submit(invitation=invitation)

    response = en.get(url("answer_done", invitation))

    assert response.status_code == 200
    text = response.text
    assert "Your profile" in text
    # Alice is a librarian in a main library; the framework has a librarian profile for every
    # kind of library (S.1 and S.2 at level 2).
    assert "<caption>Your level and the level needed for Librarian</caption>" in text
    assert _profile_rows(text) == [
        ["S.1 Searching eReolen", "None (0)", "Practitioner (2)", "2"],
        ["S.2 Guidance", "Beginner (1)", "Practitioner (2)", "1"],
    ]
    # What the needed level means, largest gap first.
    focus = text.split("Where you can grow the most")[1]
    assert focus.index("Searches alone, helps when easy.") < focus.index("Much.")


def test_a_profile_for_the_kind_of_library_comes_before_the_general_one(
    en, invitation, published_framework
):
    specific = TargetProfile.objects.create(
        framework=published_framework, job_role=JobRole.LIBRARIAN, library_kind=LibraryKind.MAIN
    )
    TargetLevel.objects.create(
        profile=specific, competency=published_framework.competencies.get(code="S.1"), level=1
    )
    services.save_answers(invitation=invitation, answers={**COMPLETE, "s-1": 1})
    services.submit(invitation=invitation)

    text = en.get(url("answer_done", invitation)).text

    assert "Your level and the level needed for Librarian (Main library)" in text
    assert _profile_rows(text) == [
        ["S.1 Searching eReolen", "Beginner (1)", "Beginner (1)", "None"],
        ["S.2 Guidance", "Beginner (1)", "Not set", "None"],
    ]
    assert (
        "You have no gaps: your level is at or above the level needed in every competency you "
        "rated."
    ) in text


def test_without_a_profile_for_the_job_role_only_own_levels_are_shown(en, invitation, staff):
    staff.job_role = JobRole.DIGITAL_GUIDE
    staff.save()
    services.save_answers(invitation=invitation, answers=COMPLETE)
    services.submit(invitation=invitation)

    text = en.get(url("answer_done", invitation)).text

    assert (
        "The competence framework sets no level for your job role yet, so only your own levels "
        "are shown."
    ) in text
    assert _profile_rows(text)[0] == [
        "S.1 Searching eReolen",
        "Practitioner (2)",
        "Not set",
        "None",
    ]


# -- queries --------------------------------------------------------------------------------------


def test_the_pages_take_a_fixed_number_of_queries(client, invitation, django_assert_num_queries):
    services.save_answers(invitation=invitation, answers=COMPLETE)
    # The invitation with its round and survey; the survey's pages; the items
    # (of the page's section) with their competencies, frameworks and conditions; the
    # frameworks' levels; the descriptors, which the start page does not show. Page 2 has no
    # competency items, so neither levels nor descriptors. The survey's pages and questions are
    # kept once read (services.answering_items), so pages shown again only read the invitation.
    for path, first, again in (
        (url("answer", invitation), 4, 1),
        (url("answer_section", invitation, 1), 4, 1),
        (url("answer_section", invitation, 2), 2, 1),
        (url("answer_review", invitation), 4, 1),
    ):
        with django_assert_num_queries(first):
            assert client.get(path).status_code == 200
        with django_assert_num_queries(again):
            assert client.get(path).status_code == 200
    # Saving a page: the invitation read locked, the page's items without the descriptors the
    # first time (with the levels), then the invitation updated (the savepoints are the test's
    # transaction; a server has its BEGIN and COMMIT instead).
    for queries in (4, 2):
        with CaptureQueriesContext(connection) as saved:
            response = client.post(url("answer_section", invitation, 1), {**PAGE_1, **NEXT})
            assert response.status_code == 303
        assert len([q for q in saved.captured_queries if "SAVEPOINT" not in q["sql"]]) == queries
    services.submit(invitation=invitation)
    # The invitation; its response; the competency items; the scale; the answers; the target
    # profile and its levels; the descriptors.
    with django_assert_num_queries(8):
        assert client.get(url("answer_done", invitation)).status_code == 200
