"""Recommended offers: for a person's own gaps from their confidential answers, and for the gaps
of the library a leader leads, each with the reason."""

import datetime

import pytest
from django.utils import timezone

from digikompas.analysis.access import Unit
from digikompas.analysis.dataset import LIBRARY
from digikompas.offers import recommend
from digikompas.orgs.models import JobRole
from digikompas.surveys import services
from digikompas.surveys.models import AnonymityMode
from digikompas.testing import log_in_client as as_english

from .test_coverage import make_offer

LIBRARIAN = JobRole.LIBRARIAN


def answer(round, person, s1, s2):
    """The person's own submitted response (a confidential round keeps the person)."""
    return services._store_response(
        round=round,
        person=person,
        items=list(round.survey.items.all()),
        answers={"s-1": s1, "s-2": s2, "time-1": 3},
        library=person.library,
        job_role=person.job_role,
        submitted_at=timezone.now() + datetime.timedelta(minutes=1),
    )


def titles(result):
    return [rec.offer.title_da for rec in result.recommendations]


@pytest.fixture
def catalogue(report_round):
    """Offers building the round's competencies S.1 and S.2 (librarians need 2 in both)."""
    return {
        "both": make_offer("Søg og vejled", {"S.1": 2, "S.2": 2}, price=5000),
        "search": make_offer("Søgning i baserne", {"S.1": 2}, roles=[LIBRARIAN], price=2000),
        "search-intro": make_offer("Søgning, første skridt", {"S.1": 1}, price=500),
        "guide-intro": make_offer("Vejledning, første skridt", {"S.2": 1}),
        "leaders": make_offer("Vejledning for ledere", {"S.2": 2}, roles=["library_leader"]),
    }


def test_a_staff_member_gets_offers_for_her_largest_gaps_with_the_reason(
    staff, report_round, catalogue
):
    """Alice is at 0 in S.1 and 1 in S.2; librarians need 2 in both."""
    answer(report_round, staff, s1=0, s2=1)

    result = recommend.for_person(staff)

    assert [(g.competency.code, g.current.value, g.need.value) for g in result.gaps] == [
        ("S.1", 0, 2),
        ("S.2", 1, 2),
    ]
    # Closing 3 missing levels, then 2, then 1. The S.2 introduction brings her nowhere new,
    # and the leaders' offer is not for her job role.
    assert titles(result) == ["Søg og vejled", "Søgning i baserne", "Søgning, første skridt"]
    best = result.recommendations[0]
    assert best.score == 3
    assert [
        (r.competency.code, r.current.value, r.reached.value, r.closes) for r in best.reasons
    ] == [
        ("S.1", 0, 2, True),
        ("S.2", 1, 2, True),
    ]
    assert result.recommendations[2].reasons[0].closes is False


def test_no_gap_no_recommendation(staff, report_round, catalogue):
    answer(report_round, staff, s1=2, s2=2)

    result = recommend.for_person(staff)

    assert result.gaps == ()
    assert result.recommendations == ()


def test_nothing_for_someone_who_answered_only_anonymously(staff, report_round, catalogue):
    report_round.anonymity = AnonymityMode.ANONYMOUS
    report_round.save()
    answer(report_round, staff, s1=0, s2=0)  # an anonymous round keeps no person

    assert recommend.for_person(staff) is None


def test_a_library_gets_offers_for_its_gaps_and_a_small_library_none(
    library_leader, odense_main, odense_branch, report_round, catalogue
):
    rounds = recommend.unit_rounds(recommend_actor(library_leader))
    assert rounds == [report_round]

    main = recommend.for_unit(Unit(LIBRARY, odense_main.pk, odense_main.name), rounds)
    small = recommend.for_unit(Unit(LIBRARY, odense_branch.pk, odense_branch.name), rounds)

    # Vollsmose has 3 respondents: nothing of it is shown, so nothing is recommended for it.
    assert small is None
    # Odense Hovedbibliotek's gap in S.2 is not shown: 3 of its 12 respondents (the leaders) have
    # no need in S.2, too few to be told apart from the rest.
    assert [g.competency.code for g in main.gaps] == ["S.1"]
    # Reaching level 2, which librarians need, closes the gap: in full, cheapest first; the
    # first steps reach only the leaders' need of 1, so they count half.
    assert titles(main) == ["Søgning i baserne", "Søg og vejled", "Søgning, første skridt"]
    gap = main.gaps[0].mean_gap
    assert [rec.score for rec in main.recommendations] == pytest.approx([gap, gap, gap / 2])
    reason = main.recommendations[2].reasons[0]
    assert (reason.reached.value, reason.need.value, reason.closes) == (1, 2, False)
    assert reason.mean_gap > 0
    assert 0 < reason.share_below <= 1


def recommend_actor(person):
    from digikompas.orgs.access import actor_for

    return actor_for(person.user)


# -- the page -----------------------------------------------------------------------------------


def test_the_page_gives_the_reason_in_words(client, staff, report_round, catalogue):
    answer(report_round, staff, s1=0, s2=1)
    as_english(client, staff.user)

    page = client.get("/offers/recommendations/").text

    assert "Søg og vejled" in page
    assert "from your level 0" in page
    assert "your job role needs 2" in page
    assert "closes the gap" in page


def test_the_page_explains_why_there_is_nothing_yet(
    client, staff, branch_leader, odense_branch, report_round
):
    as_english(client, staff.user)
    assert (
        "when you have answered a competence survey" in client.get("/offers/recommendations/").text
    )

    as_english(client, branch_leader.user)
    page = client.get("/offers/recommendations/").text
    assert f"Too few people from {odense_branch.name}" in page


def test_a_login_without_a_person_gets_403(client, outsider):
    client.force_login(outsider)
    assert client.get("/offers/recommendations/").status_code == 403
