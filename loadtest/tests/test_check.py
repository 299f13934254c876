"""The exactly-once check of the load test finds what it is there to find: a lost, a doubled and
a changed response, in both anonymity modes. (Not in `make test`'s paths: run it with
``python -m pytest loadtest/tests``.)"""

import random

import pytest

from digikompas.frameworks import services as frameworks
from digikompas.frameworks.tests.conftest import make_content
from digikompas.orgs.models import Library, Municipality
from digikompas.surveys import services
from digikompas.surveys.models import AnonymityMode, Answer, Response
from digikompas.surveys.tests.conftest import make_survey, open_round
from digikompas.testing import make_person
from loadtest import check, data
from loadtest.client import Outcome

RESPONDENTS = 6


def _answered(anonymity):
    """A round of the tests' small survey (every kind of item) answered by six people through
    the product's services, and what their browsers saw, as the load generator records it."""
    framework = frameworks.publish(framework=frameworks.create_framework(content=make_content()))
    survey = make_survey(framework)
    odense = Municipality.objects.get(code=461)
    library = Library.objects.create(municipality=odense, code="746100-01", name="Hovedbiblioteket")
    for n in range(RESPONDENTS):
        make_person(f"Person {n}", f"p{n}@odense.example", library=library, login=False)
    round = open_round(survey, municipalities=[odense], anonymity=anonymity)
    services.invite(round=round)
    tokens = tuple(round.invitations.order_by("pk").values_list("token", flat=True))
    plan = data.Plan(round.pk, anonymity == AnonymityMode.ANONYMOUS, data._pages(survey), tokens)
    outcome = Outcome()
    rng = random.Random(1)
    for invitation in round.invitations.order_by("pk"):
        sent = {}
        for page in data.answers_for(plan, rng):
            services.save_answers(invitation=invitation, answers=page)
            sent.update(page)
        outcome.sent[invitation.token] = sent
        outcome.submitted.add(invitation.token)
        services.submit(invitation=invitation)
        outcome.acknowledged.add(invitation.token)
    return plan, outcome


@pytest.fixture(params=[AnonymityMode.ANONYMOUS, AnonymityMode.CONFIDENTIAL])
def answered(request, db):
    return _answered(request.param)


def test_it_passes_when_every_acknowledged_submission_is_stored_once(answered):
    verdict = check.verify(*answered)

    assert verdict.ok
    assert (verdict.acknowledged, verdict.stored, verdict.lost, verdict.duplicated) == (6, 6, 0, 0)


def test_it_finds_a_lost_response(answered):
    Response.objects.order_by("pk").first().delete()

    verdict = check.verify(*answered)

    assert not verdict.ok
    assert (verdict.stored, verdict.lost, verdict.duplicated) == (5, 1, 0)


def test_it_finds_a_response_stored_twice(answered):
    plan, outcome = answered
    first = Response.objects.order_by("pk").first()
    answers = list(first.answers.all())
    copy = Response.objects.create(round_id=plan.round_id, library=first.library)
    Answer.objects.bulk_create(
        Answer(response=copy, item_id=a.item_id, number=a.number, text=a.text, choices=a.choices)
        for a in answers
    )

    verdict = check.verify(plan, outcome)

    assert not verdict.ok
    assert verdict.duplicated == 1


def test_it_finds_a_response_stored_with_other_answers(answered):
    answer = Answer.objects.filter(number__isnull=False).order_by("pk").first()
    answer.number += 1
    answer.save()

    verdict = check.verify(*answered)

    assert not verdict.ok
    # In an anonymous round the changed response matches no one's answers: it is counted as
    # changed, and the respondent's own answers as lost.
    assert verdict.wrong_values == 1
