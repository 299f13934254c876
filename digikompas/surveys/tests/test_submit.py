"""Saving answers and submitting them: services.save_answers and services.submit."""

import datetime
import threading
import time

import pytest
import time_machine
from django.db import connection, connections
from django.utils import translation

from digikompas.surveys import scores, services
from digikompas.surveys.models import AnonymityMode, Answer, Response

from .conftest import COMPLETE, open_round


def _submit_complete(invitation, answers=COMPLETE):
    services.save_answers(invitation=invitation, answers=answers)
    return services.submit(invitation=invitation)


def test_it_stores_the_saved_answers_as_one_response(invitation, staff, odense_main):
    submitted = _submit_complete(invitation)

    assert submitted.created
    response = Response.objects.get()
    assert submitted.response == response
    assert response.invitation == invitation
    assert response.person == staff
    assert response.library == odense_main
    assert response.municipality == odense_main.municipality
    assert response.job_role == "librarian"
    stored = {a.item.code: a for a in response.answers.select_related("item")}
    assert set(stored) == set(COMPLETE)
    assert stored["s-1"].number == 2
    assert stored["time-1"].number == 4
    assert stored["frequency"].text == "never"
    assert stored["why-not"].text == "Tid"
    invitation.refresh_from_db()
    assert invitation.responded_at == response.submitted_at
    assert invitation.draft == {}


def test_it_keeps_one_response_when_submitted_twice(invitation):
    first = _submit_complete(invitation)

    second = services.submit(invitation=invitation)

    assert not second.created
    assert second.response == first.response
    assert Response.objects.count() == 1
    assert Answer.objects.count() == len(COMPLETE)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time, so there is no race to lose; the same test runs "
    "against PostgreSQL in `make test`",
)
def test_two_submissions_at_the_same_moment_make_one_response(
    transactional_db, survey, odense, staff, monkeypatch
):
    # Anonymous: no one-to-one link to the invitation would stop a second response, only the
    # lock on the invitation row does. The first submission is held inside the lock while the
    # second one starts; the second must wait and then find the first done.
    round = open_round(survey, municipalities=[odense], anonymity=AnonymityMode.ANONYMOUS)
    services.invite(round=round)
    invitation = round.invitations.get(person=staff)
    services.save_answers(invitation=invitation, answers=COMPLETE)
    store = services._store_response
    inside = threading.Event()

    def slow_store(**kwargs):
        inside.set()
        time.sleep(0.5)
        return store(**kwargs)

    monkeypatch.setattr(services, "_store_response", slow_store)
    outcomes = []

    def submit():
        try:
            outcomes.append(services.submit(invitation=invitation).created)
        finally:
            connections.close_all()

    first = threading.Thread(target=submit)
    first.start()
    assert inside.wait(timeout=10)
    second = threading.Thread(target=submit)
    second.start()
    first.join(timeout=10)
    second.join(timeout=10)

    assert sorted(outcomes) == [False, True]
    assert Response.objects.count() == 1


def test_an_anonymous_response_keeps_no_link_to_the_person(survey, odense, staff, odense_main):
    round = open_round(survey, municipalities=[odense], anonymity=AnonymityMode.ANONYMOUS)
    services.invite(round=round)
    invitation = round.invitations.get(person=staff)

    submitted = _submit_complete(invitation)

    assert submitted.created
    assert submitted.response is None  # nothing to hand back that would tie it to her
    response = Response.objects.get()
    assert response.invitation is None
    assert response.person is None
    # The grouping keys of the analysis are kept; they are not a link to her.
    assert response.library == odense_main
    assert response.job_role == "librarian"
    invitation.refresh_from_db()
    assert invitation.responded_at is not None
    assert invitation.draft == {}
    # Submitting again still makes no second response.
    assert not services.submit(invitation=invitation).created
    assert Response.objects.count() == 1


@pytest.mark.parametrize("anonymity", [AnonymityMode.ANONYMOUS, AnonymityMode.CONFIDENTIAL])
def test_only_a_confidential_round_keeps_the_moment_of_answering(
    anonymity, survey, odense, staff, library_leader
):
    """In an anonymous round the moments (and so the order) of answering would pair each
    response with the invitation of the person who gave it."""
    round = open_round(survey, municipalities=[odense], anonymity=anonymity)
    services.invite(round=round)
    moments = {}
    for person, hour in ((staff, 9), (library_leader, 15)):
        invitation = round.invitations.get(person=person)
        moment = round.opens_at + datetime.timedelta(hours=hour)
        with time_machine.travel(moment, tick=False):
            services.save_answers(invitation=invitation, answers=COMPLETE)
            services.submit(invitation=invitation)
        moments[person.pk] = moment

    invitations = {i.person_id: i for i in round.invitations.all()}
    submitted = sorted(round.responses.values_list("submitted_at", flat=True))
    if anonymity == AnonymityMode.ANONYMOUS:
        assert submitted == [round.opens_at, round.opens_at]
        for invitation in invitations.values():
            assert invitation.responded_at == round.opens_at
            assert invitation.started_at is None
    else:
        assert submitted == sorted(moments.values())
        for person_id, invitation in invitations.items():
            assert invitation.responded_at == moments[person_id]


def test_a_missing_required_answer_stops_the_submission(invitation):
    services.save_answers(invitation=invitation, answers={"s-1": 2, "time-1": 4})

    with translation.override("en"), pytest.raises(services.AnswersIncomplete) as raised:
        services.submit(invitation=invitation)

    assert [item.code for item in raised.value.items] == ["s-2", "frequency"]
    with translation.override("en"):
        assert str(raised.value) == (
            "Answer every required question before you submit: "
            "Guidance, How often do you disseminate?."
        )
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.responded_at is None
    assert invitation.draft == {"s-1": 2, "time-1": 4}


def test_a_closed_round_takes_no_answers_and_no_submission(invitation):
    services.save_answers(invitation=invitation, answers=COMPLETE)
    after_closing = invitation.round.closes_at + datetime.timedelta(minutes=1)

    with time_machine.travel(after_closing, tick=False):
        with pytest.raises(services.RoundClosed):
            services.save_answers(invitation=invitation, answers={"comment": "late"})
        with pytest.raises(services.RoundClosed):
            services.submit(invitation=invitation)

    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert "comment" not in invitation.draft


def test_a_round_that_has_not_opened_takes_no_answers(invitation):
    before_opening = invitation.round.opens_at - datetime.timedelta(minutes=1)

    with time_machine.travel(before_opening, tick=False), pytest.raises(services.RoundClosed):
        services.save_answers(invitation=invitation, answers={"s-1": 1})


def test_an_answer_the_condition_no_longer_asks_for_is_dropped(invitation):
    # "Why not?" is asked only when the answer to "how often" is "never".
    answers = {**COMPLETE, "frequency": "weekly"}

    _submit_complete(invitation, answers)

    codes = set(Response.objects.get().answers.values_list("item__code", flat=True))
    assert "why-not" not in codes
    assert codes == {"s-1", "s-2", "time-1", "frequency"}


def test_saving_after_submission_changes_nothing(invitation):
    _submit_complete(invitation)

    services.save_answers(invitation=invitation, answers={"s-1": 0, "comment": "changed"})

    invitation.refresh_from_db()
    assert invitation.draft == {}
    response = Response.objects.get()
    assert response.answers.get(item__code="s-1").number == 2
    assert not response.answers.filter(item__code="comment").exists()


def test_saving_merges_pages_and_none_clears_an_answer(invitation):
    services.save_answers(invitation=invitation, answers={"s-1": 2, "s-2": 1})
    services.save_answers(invitation=invitation, answers={"time-1": 3})

    invitation = services.save_answers(invitation=invitation, answers={"s-2": None})

    assert invitation.draft == {"s-1": 2, "time-1": 3}
    assert invitation.started_at is not None


def test_the_scale_answers_are_also_packed_for_the_analysis(invitation):
    _submit_complete(invitation)

    response = Response.objects.get()
    rows, item_ids, values = scores.unpack([bytes(response.scores)])
    codes = dict(invitation.round.survey.items.values_list("pk", "code"))
    # Only the competency and agreement answers; the choices and the free text are not scales.
    assert {codes[int(i)]: int(v) for i, v in zip(item_ids, values, strict=True)} == {
        "s-1": 2,
        "s-2": 1,
        "time-1": 4,
    }
    assert set(rows.tolist()) == {0}
