"""Evaluations: a participant evaluates a session they attended once it has ended, once; the
summary of a module shows means, distributions and comments only for groups of at least the
anonymity minimum (5 in the tests), and hides more where the module's total would otherwise give
a hidden session away."""

import datetime

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from digikompas.orgs.models import Person
from digikompas.pilot import enrolment as service
from digikompas.pilot.harvest import suppress
from digikompas.pilot.models import Enrolment, EnrolmentStatus, Evaluation, Session
from digikompas.pilot.tests.test_harvest import attend
from digikompas.testing import field_error, html, message
from digikompas.testing import log_in_client as log_in

FEWER = "Fewer than 5 evaluations: not shown, to protect anonymity."
COMPLEMENTARY = (
    "Not shown: together with the other figures, it would show the evaluations of a session "
    "with fewer than 5 evaluations."
)


def evaluate_url(enrolment) -> str:
    return reverse("pilot:evaluate", args=[enrolment.pk])


def summary_url(module) -> str:
    return reverse("pilot:evaluation_summary", args=[module.pk])


def past_session(module, *, days_ago, place, facilitator=None) -> Session:
    starts = timezone.now() - datetime.timedelta(days=days_ago)
    return Session.objects.create(
        module=module,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place=place,
        capacity=30,
        facilitator=facilitator,
    )


def evaluated(session, scores, comments=()) -> list[Evaluation]:
    """Attended enrolments of new people in a past session, each with an evaluation: `scores`
    are (satisfaction, usefulness) pairs. Written directly, as the enrolment service refuses a
    session that has started."""
    comments = list(comments) + [""] * (len(scores) - len(comments))
    made = []
    for number, ((satisfaction, usefulness), comment) in enumerate(
        zip(scores, comments, strict=True)
    ):
        person = Person.objects.create(
            name=f"Deltager {session.pk}-{number}", email=f"d{session.pk}-{number}@example.dk"
        )
        enrolment = Enrolment.objects.create(
            session=session, person=person, status=EnrolmentStatus.ENROLLED, attended=True
        )
        made.append(
            Evaluation.objects.create(
                enrolment=enrolment,
                satisfaction=satisfaction,
                usefulness=usefulness,
                comment=comment,
            )
        )
    return made


# -- giving an evaluation -------------------------------------------------------------------------


def test_a_participant_evaluates_an_attended_session_that_has_ended(client, staff, session):
    enrolment = attend(session, staff)
    log_in(client, staff)
    page = client.get(evaluate_url(enrolment))
    assert page.status_code == 200
    text = html(page)
    assert '<legend class="form-label">How satisfied are you with the session?</legend>' in text
    assert (
        '<input type="radio" class="form-radio" id="id_satisfaction_4" name="satisfaction" '
        'value="5"><label class="form-label" for="id_satisfaction_4">5 – Very satisfied</label>'
    ) in text
    response = client.post(
        evaluate_url(enrolment),
        {"satisfaction": "4", "usefulness": "5", "comment": "Godt og konkret."},
        follow=True,
    )
    assert message("Thank you for your evaluation.") in html(response)
    evaluation = Evaluation.objects.get()
    assert (evaluation.enrolment, evaluation.satisfaction, evaluation.usefulness) == (
        enrolment,
        4,
        5,
    )
    assert evaluation.comment == "Godt og konkret."
    # Shown again: what was given, and no form.
    again = html(client.get(evaluate_url(enrolment)))
    assert "An evaluation cannot be changed." in again
    assert "4 of 5" in again
    assert 'name="satisfaction"' not in again


def test_an_evaluation_is_given_once_and_not_changed(client, staff, session):
    enrolment = attend(session, staff)
    log_in(client, staff)
    client.post(evaluate_url(enrolment), {"satisfaction": "2", "usefulness": "3"})
    response = client.post(
        evaluate_url(enrolment), {"satisfaction": "5", "usefulness": "5"}, follow=True
    )
    assert message(
        "You have already evaluated this session. An evaluation cannot be changed.", "info"
    ) in html(response)
    evaluation = Evaluation.objects.get()
    assert (evaluation.satisfaction, evaluation.usefulness) == (2, 3)


def test_the_scales_are_checked(client, staff, session):
    enrolment = attend(session, staff)
    log_in(client, staff)
    response = client.post(evaluate_url(enrolment), {"usefulness": "7"})
    assert response.status_code == 400
    text = html(response)
    assert field_error("satisfaction", "Choose how satisfied you are.") in text
    assert field_error("usefulness", "Choose a number from 1 to 5.") in text
    assert not Evaluation.objects.exists()


def move_into_the_past(session, *, still_running=False):
    Session.objects.filter(pk=session.pk).update(
        starts_at=F("starts_at") - datetime.timedelta(days=2),
        ends_at=timezone.now() + datetime.timedelta(hours=1)
        if still_running
        else F("ends_at") - datetime.timedelta(days=2),
    )
    session.refresh_from_db()


def test_only_attended_sessions_can_be_evaluated(client, staff, session):
    enrolment = service.enrol(session, staff)
    move_into_the_past(session)
    log_in(client, staff)
    reason = "Only participants registered as having attended the session can evaluate it."
    for attended in (None, False):
        if attended is False:
            service.record_attendance(session, {enrolment.pk: False})
        response = client.get(evaluate_url(enrolment))
        assert response.status_code == 403
        assert reason in html(response)
        post = client.post(evaluate_url(enrolment), {"satisfaction": "5", "usefulness": "5"})
        assert post.status_code == 403
    assert not Evaluation.objects.exists()


def test_a_session_is_evaluated_when_it_has_ended(client, staff, session):
    enrolment = service.enrol(session, staff)
    move_into_the_past(session, still_running=True)
    service.record_attendance(session, {enrolment.pk: True})
    log_in(client, staff)
    response = client.post(evaluate_url(enrolment), {"satisfaction": "5", "usefulness": "5"})
    assert response.status_code == 403
    assert "The session can be evaluated when it has ended." in html(response)
    assert not Evaluation.objects.exists()


def test_only_the_participant_evaluates(
    client, staff, library_leader, facilitator, other_staff, session
):
    enrolment = attend(session, staff)
    # Her leader and the facilitator see the enrolment, but it is not theirs to evaluate.
    for who in (library_leader, facilitator):
        log_in(client, who)
        response = client.post(evaluate_url(enrolment), {"satisfaction": "1", "usefulness": "1"})
        assert response.status_code == 403
        assert "Only the participant can evaluate their session." in html(response)
    log_in(client, other_staff)
    assert client.get(evaluate_url(enrolment)).status_code == 404
    assert not Evaluation.objects.exists()


# -- the summary ----------------------------------------------------------------------------------


def test_fewer_than_five_evaluations_are_not_shown(client, coordinator, module):
    first = past_session(module, days_ago=3, place="Odense")
    evaluated(first, [(5, 5), (1, 1), (4, 2), (3, 3)], comments=["Alt for kort"])
    log_in(client, coordinator)
    page = html(client.get(summary_url(module)))
    assert page.count(FEWER) == 2  # the session and the module
    assert "Mean satisfaction" not in page
    assert "Alt for kort" not in page


def test_five_evaluations_are_shown_without_names(client, coordinator, module):
    first = past_session(module, days_ago=3, place="Odense")
    evaluated(
        first,
        [(5, 4), (4, 4), (4, 3), (3, 5), (5, 5)],
        comments=["Meget brugbart", "alt for kort", "Bedre kaffe"],
    )
    log_in(client, coordinator)
    response = client.get(summary_url(module))
    page = html(response)
    assert FEWER not in page
    assert "5 evaluations" in page
    # 21 / 5 and 21 / 5.
    assert "<dt>Mean satisfaction</dt><dd>4.2 of 5</dd>" in page
    assert "<dt>Mean usefulness</dt><dd>4.2 of 5</dd>" in page
    # Score 4: two for satisfaction, two for usefulness; score 3: one and one.
    assert (
        '<tr><th scope="row">4</th><td class="text-align-right">2</td>'
        '<td class="text-align-right">2</td></tr>'
    ) in page
    # Comments in alphabetical order, not in the order given.
    assert "<li>alt for kort</li><li>Bedre kaffe</li><li>Meget brugbart</li>" in page
    assert "Deltager" not in page
    summary = response.context["summary"]
    assert summary.total.shown
    assert summary.sessions[0][1].shown


def test_a_session_hidden_alone_is_not_given_away_by_the_total(client, coordinator, module):
    """Sessions of 5 and 2 evaluations: showing the module (7) and the first session (5) would
    give the second away by subtraction, so the first is hidden too."""
    big = past_session(module, days_ago=10, place="Odense")
    small = past_session(module, days_ago=3, place="Aarhus")
    evaluated(big, [(5, 5)] * 5, comments=["Stor gruppe"])
    evaluated(small, [(1, 1), (1, 2)], comments=["Lille gruppe"])
    log_in(client, coordinator)
    response = client.get(summary_url(module))
    summary = response.context["summary"]
    groups = {session.pk: group for session, group in summary.sessions}
    assert summary.total.shown
    assert summary.total.count == 7
    assert not groups[big.pk].shown
    assert not groups[small.pk].shown
    page = html(response)
    assert COMPLEMENTARY in page
    assert FEWER in page
    # The module shows all seven: the comments of both, not one session's alone.
    assert "<dt>Mean satisfaction</dt><dd>3.9 of 5</dd>" in page
    assert "<li>Lille gruppe</li><li>Stor gruppe</li>" in page


def test_the_smallest_shown_session_is_the_one_hidden_too(client, coordinator, module):
    sessions = [
        past_session(module, days_ago=days, place=place)
        for days, place in ((20, "Odense"), (10, "Aarhus"), (3, "Vejle"))
    ]
    for session, count in zip(sessions, (7, 6, 1), strict=True):
        evaluated(session, [(4, 4)] * count)
    log_in(client, coordinator)
    summary = client.get(summary_url(module)).context["summary"]
    shown = [group.shown for _session, group in summary.sessions]
    assert shown == [True, False, False]
    assert summary.total.shown


def test_a_facilitator_sees_their_own_sessions_and_the_module(client, facilitator, module):
    own = past_session(module, days_ago=10, place="Odense", facilitator=facilitator)
    other = past_session(module, days_ago=3, place="Aarhus")
    evaluated(own, [(4, 4)] * 5)
    evaluated(other, [(2, 2)] * 6, comments=["Fra Aarhus"])
    log_in(client, facilitator)
    response = client.get(summary_url(module))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert [session for session, _group in summary.sessions] == [own]
    assert summary.total.shown
    assert "Your sessions" in html(response)


def test_only_coordinators_and_facilitators_read_the_summary(
    client, coordinator, facilitator, staff, analyst, library_leader, outsider, module, session
):
    log_in(client, coordinator)
    assert client.get(summary_url(module)).status_code == 200
    log_in(client, facilitator)
    assert client.get(summary_url(module)).status_code == 200
    for who in (staff, analyst, library_leader, outsider):
        log_in(client, who)
        assert client.get(summary_url(module)).status_code == 403
    log_in(client, coordinator)
    assert client.get(reverse("pilot:evaluation_summary", args=[999_999])).status_code == 404


def test_a_module_without_evaluations_says_so(client, coordinator, module, session):
    log_in(client, coordinator)
    page = html(client.get(summary_url(module)))
    assert page.count("No evaluations yet.") == 2


# -- complementary suppression, by numbers --------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "shown", "total_shown"),
    [
        ({"a": 5, "b": 6}, {"a", "b"}, True),  # nothing hidden
        ({"a": 4}, set(), False),  # too few altogether
        ({"a": 5, "b": 2}, set(), True),  # b alone would be the total less a
        ({"a": 10, "b": 2, "c": 3}, {"a"}, True),  # b and c hidden hold 5 together
        ({"a": 10, "b": 2, "c": 2}, set(), True),  # b and c together only 4
        ({"a": 9, "b": 6, "c": 1}, {"a"}, True),  # the smaller shown one goes
        ({"a": 6, "b": 6, "c": 1}, {"b"}, True),  # among equals, the first given
        ({"a": 5, "b": 0}, {"a"}, True),  # an empty session holds nothing to protect
        ({"a": 2, "b": 2}, set(), False),
    ],
)
def test_suppress(counts, shown, total_shown):
    assert suppress(counts, minimum=5) == (shown, total_shown)


@pytest.mark.parametrize(
    "counts",
    [
        {"a": 5, "b": 2},
        {"a": 10, "b": 2, "c": 2},
        {"a": 9, "b": 6, "c": 1},
        {"a": 7, "b": 3, "c": 8, "d": 4},
        {"a": 5, "b": 5, "c": 5, "d": 1, "e": 4},
    ],
)
def test_what_is_hidden_can_only_be_worked_out_in_groups_of_five(counts):
    """Whatever is shown, the total less the shown sessions is 0 or at least 5."""
    shown, total_shown = suppress(counts, minimum=5)
    assert all(counts[key] >= 5 for key in shown)
    if total_shown:
        remainder = sum(counts.values()) - sum(counts[key] for key in shown)
        assert remainder == 0 or remainder >= 5


# -- in Chromium ----------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_evaluation_pages_pass_axe_core(page, staff, coordinator, module):
    from digikompas.testing import assert_accessible
    from digikompas.testing import log_in as log_in_page

    shown = past_session(module, days_ago=10, place="Odense")
    hidden = past_session(module, days_ago=5, place="Aarhus")
    evaluated(shown, [(4, 5)] * 6, comments=["Godt", "Konkret"])
    evaluated(hidden, [(2, 2)] * 2)
    enrolment = Enrolment.objects.create(
        session=hidden, person=staff, status=EnrolmentStatus.ENROLLED, attended=True
    )
    log_in_page(page, staff.email)
    page.wait_for_url(lambda url: "/accounts/" not in url)
    page.goto(evaluate_url(enrolment))
    assert_accessible(page)
    page.locator("main form button.button-primary").click()
    assert page.locator("#id_satisfaction_error").is_visible()
    assert_accessible(page)
    page.check("#id_satisfaction_3")
    page.check("#id_usefulness_4")
    page.locator("main form button.button-primary").click()
    page.wait_for_load_state()
    assert Evaluation.objects.filter(enrolment=enrolment, satisfaction=4, usefulness=5).exists()
    assert_accessible(page)

    page.context.clear_cookies()
    log_in_page(page, coordinator.email)
    page.wait_for_url(lambda url: "/accounts/" not in url)
    page.goto(summary_url(module))
    assert_accessible(page)
