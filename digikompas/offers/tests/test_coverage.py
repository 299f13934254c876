"""Coverage: a round's national gaps per job role held against the offers that build the
competencies, on the round of analysis/tests/conftest.py (24 librarians who need level 2 in S.1
and S.2, 6 library leaders; the scale is 0–2)."""

import re

import pytest

from digikompas.frameworks import services as frameworks
from digikompas.frameworks.models import Competency
from digikompas.offers.coverage import Status, coverage, role_needs
from digikompas.offers.models import (
    EducationOffer,
    OfferCompetency,
    OfferFormat,
    OfferKind,
    Provider,
)
from digikompas.orgs.models import JobRole
from digikompas.surveys.models import Answer
from digikompas.testing import log_in_client as as_english

LIBRARIAN = JobRole.LIBRARIAN


def make_offer(title, builds, *, roles=(), price=None, provider_name="Biblioteksskolen"):
    """An offer building each competency (code → level) of the round's framework."""
    provider, _ = Provider.objects.get_or_create(name=provider_name)
    offer = EducationOffer.objects.create(
        provider=provider,
        title_da=title,
        kind=OfferKind.CONTINUING,
        format=OfferFormat.COURSE,
        online=True,
        target_roles=list(roles),
        price_dkk=price,
    )
    for code, level in builds.items():
        competency = Competency.objects.filter(code=code, framework__status="published").latest(
            "framework__version"
        )
        OfferCompetency.objects.create(offer=offer, competency=competency, level_reached=level)
    return offer


def row(result, code, role):
    return next(g for g in result.gaps if g.competency.code == code and g.gap.role == role)


def titles(fits):
    return [fit.offer.title_da for fit in fits]


def test_every_librarian_gap_is_uncovered_without_offers(report_round):
    result = coverage(report_round)

    librarians = [g for g in result.gaps if g.gap.role == LIBRARIAN]
    assert {g.competency.code for g in librarians} == {"S.1", "S.2"}
    assert all(g.status == Status.UNCOVERED for g in result.gaps)
    assert result.uncovered == len(result.gaps)
    assert result.covered == result.partly == 0
    assert result.offers == ()
    assert all(r.levels == () for r in result.matrix)


def test_the_mean_gap_is_the_librarians_own(report_round):
    """The gap shown is the mean of max(2 - level, 0) over the 24 librarians' answers."""
    result = coverage(report_round)

    for code in ("S.1", "S.2"):
        levels = Answer.objects.filter(
            response__round=report_round,
            response__job_role=LIBRARIAN,
            item__competency__code=code,
        ).values_list("number", flat=True)
        assert len(levels) == 24
        expected = sum(max(2 - level, 0) for level in levels) / len(levels)
        gap = row(result, code, LIBRARIAN).gap
        assert gap.mean_gap == pytest.approx(expected)
        assert gap.need.value == 2


def test_offers_reach_a_gap_or_fall_short_of_it(report_round):
    reaching = make_offer("Søgning i baserne", {"S.1": 2}, roles=[LIBRARIAN], price=4500)
    cheaper = make_offer("Søg bedre", {"S.1": 2}, price=1200)
    make_offer("Intro til vejledning", {"S.2": 1})
    make_offer("Søgning for ledere", {"S.1": 2}, roles=[JobRole.LIBRARY_LEADER])

    result = coverage(report_round)

    s1 = row(result, "S.1", LIBRARIAN)
    assert s1.status == Status.COVERED
    # The cheapest first; the leaders' offer falls short for librarians.
    assert titles(s1.reaching) == ["Søg bedre", "Søgning i baserne"]
    assert titles(s1.short) == ["Søgning for ledere"]
    assert [fit.for_role for fit in s1.short] == [False]
    s2 = row(result, "S.2", LIBRARIAN)
    assert s2.status == Status.PARTLY
    assert titles(s2.reaching) == []
    assert titles(s2.short) == ["Intro til vejledning"]
    # The matrix: one row per competency with a gap, one column per offer building one.
    assert len(result.offers) == 4
    matrix = {
        r.competency.code: dict(zip(result.offers, r.levels, strict=True)) for r in result.matrix
    }
    assert matrix["S.1"][reaching] == matrix["S.1"][cheaper] == 2
    assert matrix["S.2"][reaching] is None


def test_an_offer_on_a_newer_framework_version_still_covers_the_gap(report_round):
    """Offers link to the latest published version; the round to the one it was made from."""
    old = report_round.survey.framework
    newer = frameworks.publish(framework=frameworks.new_version(framework=old))
    offer = make_offer("Søgning, ny udgave", {"S.1": 2})
    assert offer.competencies.get().competency.framework == newer

    result = coverage(report_round)

    assert titles(row(result, "S.1", LIBRARIAN).reaching) == ["Søgning, ny udgave"]


def test_a_role_with_a_need_only_in_one_kind_of_library_gets_that_need(report_round):
    """Library leaders need S.1 at level 1 only in main libraries, librarians level 2 in every
    kind: the needs a gap of theirs is measured against."""
    framework = report_round.survey.framework
    s1 = framework.competencies.get(code="S.1")

    needs = role_needs(framework.pk)

    assert needs[(JobRole.LIBRARY_LEADER, s1.pk)] == 1
    assert needs[(LIBRARIAN, s1.pk)] == 2
    assert (JobRole.HEAD_OF_LIBRARIES, s1.pk) not in needs


# -- the page -----------------------------------------------------------------------------------


def test_an_analyst_sees_uncovered_gaps_stand_out_and_can_filter_them(
    client, analyst, report_round
):
    make_offer("Søg bedre", {"S.1": 2}, price=1200)
    as_english(client, analyst.user)

    page = client.get(f"/offers/coverage/{report_round.pk}/").text

    assert "1 gaps covered" in " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert "Søg bedre" in page
    assert "1200 kr." in page
    assert 'class="coverage-uncovered"' in page
    assert "Not covered" in page
    only_uncovered = client.get(f"/offers/coverage/{report_round.pk}/?status=uncovered").text
    assert "Not covered" in only_uncovered
    assert 'class="coverage-covered"' not in only_uncovered
    assert 'class="coverage-covered"' in page


def test_coordinators_and_providers_read_coverage_staff_and_leaders_do_not(
    client, coordinator, provider, staff, library_leader, report_round
):
    url = f"/offers/coverage/{report_round.pk}/"
    for person, status in ((coordinator, 200), (provider, 200), (staff, 403)):
        client.force_login(person.user)
        assert client.get(url).status_code == status, person
    client.force_login(library_leader.user)
    assert client.get("/offers/coverage/").status_code == 403


def test_the_rounds_list_and_an_unknown_round(client, analyst, report_round):
    as_english(client, analyst.user)

    page = client.get("/offers/coverage/").text

    assert f'href="/offers/coverage/{report_round.pk}/"' in page
    assert client.get(f"/offers/coverage/{report_round.pk + 1}/").status_code == 404
    assert client.get(f"/offers/coverage/{report_round.pk}/export/docx/").status_code == 404
