"""The answer rules every way of answering shares: the questionnaire, imports and the API."""

import pytest
from django.utils import translation

from digikompas.surveys import answers
from digikompas.surveys.answers import AnswerInvalid

from .conftest import COMPLETE


@pytest.fixture
def items(survey):
    return {item.code: item for item in survey.items.select_related("show_if_item")}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("code", "raw", "value"),
    [
        ("s-1", "2", 2),
        ("s-1", 0, 0),
        ("time-1", "5", 5),
        ("frequency", "weekly", "weekly"),
        ("resources", "ereolen; filmstriben", ["ereolen", "filmstriben"]),
        ("resources", ["filmstriben", "ereolen", "ereolen"], ["ereolen", "filmstriben"]),
        ("hours", "12,0", 12),
        ("comment", "  Godt  ", "Godt"),
        ("comment", "", None),
        ("resources", [], None),
    ],
)
def test_it_turns_text_into_typed_answers(items, code, raw, value):
    assert answers.clean(items[code], raw) == value


@pytest.mark.parametrize(
    ("code", "raw", "reason"),
    [
        ("s-1", "3", "3 is not on the scale (0–2)."),
        ("time-1", "0", "0 is not on the scale (1–5)."),
        ("time-1", "meget", "“meget” is not a number."),
        ("hours", "2.5", "“2.5” is not a whole number."),
        ("hours", "101", "The largest answer is 100."),
        ("hours", "-1", "The smallest answer is 0."),
        ("frequency", "daily", "“daily” is not one of the options (never, monthly, weekly)."),
        ("frequency", ["never", "weekly"], "Give one answer only."),
        ("resources", "ereolen;bibliotek.dk", "“bibliotek.dk” is not one of the options "
         "(ereolen, filmstriben, none)."),
        ("comment", "x" * 5001, "Write at most 5000 characters."),
    ],
)  # fmt: skip
def test_it_says_why_a_value_is_not_an_answer(items, code, raw, reason):
    with pytest.raises(AnswerInvalid) as invalid:
        answers.clean(items[code], raw)
    assert str(invalid.value) == reason


def test_a_follow_up_question_is_asked_only_when_its_condition_holds(items):
    why_not = items["why-not"]
    assert why_not.is_shown({"frequency": "never"})
    assert not why_not.is_shown({"frequency": "weekly"})
    assert not why_not.is_shown({})


def test_missing_names_the_required_questions_that_are_shown_and_unanswered(items):
    ordered = list(items.values())
    assert [i.code for i in answers.missing(ordered, {})] == ["s-1", "s-2", "time-1", "frequency"]
    assert answers.missing(ordered, COMPLETE) == []


def test_answers_to_hidden_questions_are_not_kept(items):
    ordered = list(items.values())
    given = {**COMPLETE, "frequency": "weekly", "why-not": "Tid"}
    assert "why-not" not in answers.shown_answers(ordered, given)
    assert answers.shown_answers(ordered, COMPLETE)["why-not"] == "Tid"
