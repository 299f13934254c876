"""The selection tool's scores on a case computed by hand: three resources for Odense.

    A (eReolen-like): 100 loans a month in 2024, 125 in 2025; per-loan licence 2.00 kr; for
      seniors; accessible.
    B (Filmstriben-like): 200 loans a month both years; fixed fee 12,000 kr for 2025; for
      seniors, children 9–12 and teachers; accessibility unknown.
    C: no usage, no licence, no target groups; linked to the strategy; not accessible.

The library's target groups: seniors and children 9–12. No survey round: competence is neutral.

    criterion       A                          B                        C
    usage           1,500, 2nd of 2: 50        2,400, highest: 100      no figures: 50
    trend           +25 %: 75                  ±0 %: 50                 no figures: 50
    cost per use    3,000/1,500 = 2.00: 100    12,000/2,400 = 5.00: 50  no figures: 50
    target groups   1 of 2: 50                 2 of 2: 100              names none: 50
    strategy        not linked: 0              not linked: 0            linked: 100
    competence      50                         50                       50
    accessibility   100                        unknown: 50              0
    collaboration   50                         50                       50
    total (all 1)   475 / 8 = 59.4             450 / 8 = 56.3           400 / 8 = 50.0
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from digikompas.leadership import metrics, selection
from digikompas.leadership.models import (
    Collaboration,
    DigitalResource,
    Indicator,
    Licence,
    Membership,
    PricingModel,
    ResourceType,
    StrategyGoal,
    UsageRecord,
)
from digikompas.orgs.models import UserGroup

LAST = datetime.date(2025, 12, 1)
EVEN = dict.fromkeys(selection.CRITERION_KEYS, 1)
GROUPS = [UserGroup.SENIORS, UserGroup.CHILDREN_9_12]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def loans(resource, municipality, first, count, per_month):
    UsageRecord.objects.bulk_create(
        UsageRecord(
            resource=resource,
            municipality=municipality,
            month=metrics.add_months(first, n),
            metric="loans",
            count=per_month,
        )
        for n in range(count)
    )


@pytest.fixture
def case(odense):
    a = DigitalResource.objects.create(
        name="A", type=ResourceType.E_BOOKS, target_groups=["seniors"], accessible=True
    )
    b = DigitalResource.objects.create(
        name="B",
        type=ResourceType.FILM,
        target_groups=["seniors", "children_9_12", "teachers"],
    )
    c = DigitalResource.objects.create(name="C", type=ResourceType.REFERENCE, accessible=False)
    loans(a, odense, datetime.date(2024, 1, 1), 12, 100)
    loans(a, odense, datetime.date(2025, 1, 1), 12, 125)
    loans(b, odense, datetime.date(2024, 1, 1), 24, 200)
    Licence.objects.create(
        resource=a,
        municipality=odense,
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        pricing_model=PricingModel.PER_LOAN,
        price_per_loan=Decimal("2.00"),
        usage_metric="loans",
    )
    Licence.objects.create(
        resource=b,
        municipality=odense,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        pricing_model=PricingModel.FIXED,
        fixed_fee=Decimal("12000.00"),
    )
    goal = StrategyGoal.objects.create(
        municipality=odense, title="Flere digitale lånere", horizon=datetime.date(2027, 12, 31)
    )
    indicator = Indicator.objects.create(
        goal=goal, name="Opslag pr. indbygger", baseline=Decimal(1), target=Decimal(2)
    )
    indicator.resources.add(c)
    return {"A": a, "B": b, "C": c}


def ranked(municipality, case, weights=EVEN, groups=GROUPS):
    return selection.rank(
        municipality,
        weights=weights,
        target_groups=groups,
        resources=list(case.values()),
        last=LAST,
    )


def scores_of(row) -> dict[str, tuple[int, str]]:
    return {s.criterion.key: (s.score, s.explanation) for s in row.scores}


def test_the_ranking_and_the_explanation_of_every_score(odense, case):
    ranking = ranked(odense, case)

    assert [(row.rank, row.resource.name, row.total) for row in ranking.rows] == [
        (1, "A", 59.4),
        (2, "B", 56.3),
        (3, "C", 50.0),
    ]
    a, b, c = (scores_of(row) for row in ranking.rows)
    assert a == {
        "usage": (50, "1,500 loans from January 2025 to December 2025, the 2nd highest of 2: 50."),
        "trend": (
            75,
            "Up 25 % on the 12 months before (1,500 against 1,200 loans): 75.",
        ),
        "cost_per_use": (
            100,
            "Cost per use 2.00 kr. (3,000.00 kr. for 1,500 loans), the lowest of 2: 100.",
        ),
        "audience": (50, "For 1 of the library's 2 target groups (Seniors): 50."),
        "strategy": (0, "Linked to no indicator of the strategy: 0."),
        "competence": (50, "No one in Odense has answered a competence survey yet: neutral, 50."),
        "accessibility": (100, "The vendor documents WCAG 2.1 AA: 100."),
        "collaboration": (
            50,
            "No collaboration Odense belongs to holds a licence for it: neutral, 50.",
        ),
    }
    assert b["usage"] == (
        100,
        "2,400 loans from January 2025 to December 2025, the highest of 2: 100.",
    )
    assert b["trend"] == (50, "Unchanged on the 12 months before (2,400 against 2,400 loans): 50.")
    assert b["cost_per_use"] == (
        50,
        "Cost per use 5.00 kr. (12,000.00 kr. for 2,400 loans), the 2nd lowest of 2: 50.",
    )
    assert b["audience"] == (
        100,
        "For 2 of the library's 2 target groups (Seniors, Children 9–12): 100.",
    )
    assert b["accessibility"] == (
        50,
        "Not known whether the vendor documents WCAG 2.1 AA: neutral, 50.",
    )
    assert c["usage"] == (50, "No usage figures: neutral, 50.")
    assert c["cost_per_use"] == (50, "No usage figures, so no cost per use: neutral, 50.")
    assert c["audience"] == (50, "The resource names no target groups: neutral, 50.")
    assert c["strategy"] == (
        100,
        "Linked to the indicator “Opslag pr. indbygger” (goal “Flere digitale lånere”): 100.",
    )
    assert c["accessibility"] == (0, "The vendor does not document WCAG 2.1 AA: 0.")
    assert selection.total_text(ranking.rows[0], ranking.weights) == (
        "(1 × 50 + 1 × 75 + 1 × 100 + 1 × 50 + 1 × 0 + 1 × 50 + 1 × 100 + 1 × 50) / 8 = 59.4"
    )


def test_weights_change_the_order(odense, case):
    only_usage = {**dict.fromkeys(selection.CRITERION_KEYS, 0), "usage": 10}
    assert [row.resource.name for row in ranked(odense, case, only_usage).rows] == ["B", "A", "C"]

    strategy_first = {**EVEN, "strategy": 10}
    ranking = ranked(odense, case, strategy_first)
    # The weights sum to 17. C: (300 + 10 × 100) / 17; A: (475 + 10 × 0) / 17; B: 450 / 17.
    assert [(row.resource.name, row.total) for row in ranking.rows] == [
        ("C", 76.5),
        ("A", 27.9),
        ("B", 26.5),
    ]


def test_every_weight_zero_is_refused(odense, case):
    with pytest.raises(selection.NoWeights, match="at least one criterion"):
        ranked(odense, case, dict.fromkeys(selection.CRITERION_KEYS, 0))


def test_criteria_without_data_are_neutral(odense, case):
    """No target groups chosen, no strategy, nothing published: neutral, and why."""
    StrategyGoal.objects.all().delete()
    ranking = ranked(odense, case, groups=[])
    for row in ranking.rows:
        scores = scores_of(row)
        assert scores["audience"] == (
            50,
            "No target groups of the library were chosen: neutral, 50.",
        )
        assert scores["strategy"] == (
            50,
            "Odense has no strategy goals with indicators yet: neutral, 50.",
        )


def test_a_resource_used_but_not_licensed_has_no_cost_per_use(odense, case):
    Licence.objects.filter(resource=case["B"]).delete()
    b = scores_of(next(row for row in ranked(odense, case).rows if row.resource.name == "B"))
    assert b["cost_per_use"] == (
        50,
        "Odense has no licence for B in the period: neutral, 50.",
    )


# -- the collaboration price --------------------------------------------------------------------


def test_a_collaboration_cheaper_per_inhabitant_than_the_own_licence(odense, aarhus, case):
    """Own: 100,000 kr a year for 200,000 inhabitants = 0.50 kr; the collaboration: 150,000 kr
    for 500,000 = 0.30 kr, 40 % less: 50 + 40 = 90."""
    odense.population, aarhus.population = 200_000, 300_000
    odense.save()
    aarhus.save()
    fyn = Collaboration.objects.create(name="Fælleslicens")
    for member in (odense, aarhus):
        Membership.objects.create(
            collaboration=fyn, municipality=member, joined_on=datetime.date(2024, 1, 1)
        )
    year = {"starts_on": datetime.date(2025, 1, 1), "ends_on": datetime.date(2025, 12, 31)}
    c = case["C"]
    Licence.objects.create(
        resource=c,
        municipality=odense,
        pricing_model=PricingModel.FIXED,
        fixed_fee=Decimal("100000"),
        **year,
    )
    Licence.objects.create(
        resource=c,
        collaboration=fyn,
        pricing_model=PricingModel.FIXED,
        fixed_fee=Decimal("150000"),
        **year,
    )
    row = next(row for row in ranked(odense, case).rows if row.resource == c)
    assert scores_of(row)["collaboration"] == (
        90,
        "The collaboration Fælleslicens pays 0.30 kr. per inhabitant a year against 0.50 kr. "
        "for the own licence, 40 % less: 90.",
    )


def test_only_through_the_collaboration_is_neutral(odense, case):
    fyn = Collaboration.objects.create(name="Fælleslicens")
    Membership.objects.create(
        collaboration=fyn, municipality=odense, joined_on=datetime.date(2024, 1, 1)
    )
    Licence.objects.create(
        resource=case["C"],
        collaboration=fyn,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        pricing_model=PricingModel.FIXED,
        fixed_fee=Decimal("150000"),
    )
    row = next(row for row in ranked(odense, case).rows if row.resource == case["C"])
    assert scores_of(row)["collaboration"] == (
        50,
        "Odense has it through the collaboration Fælleslicens and no own licence to compare "
        "with: neutral, 50.",
    )


# -- staff competence, from the survey ------------------------------------------------------------


from digikompas.analysis.tests.conftest import (  # noqa: E402, F401
    _minimum_and_cache,
    dalum,
    report_round,
    report_survey,
)


@pytest.fixture
def answered_round(request, monkeypatch):
    # The test framework's domain "S" (S.1 search, S.2 guidance) plays the default framework's
    # "D3 Formidling af digitale ressourcer".
    monkeypatch.setattr(selection, "DISSEMINATION_DOMAIN", "S")
    return request.getfixturevalue("report_round")


def gap_of(round, municipality, code) -> float:
    """The municipality's published mean gap in one competency, from the analysis itself."""
    from digikompas.analysis import services as analysis
    from digikompas.analysis.dataset import MUNICIPALITY

    result = analysis.analyse(round)
    row = result.competency_row(MUNICIPALITY, municipality.pk)
    column = [item.competency.code for item in result.data.competency_items].index(code)
    return float(result.competencies[MUNICIPALITY].mean_gap[row, column])


def test_competence_is_the_published_mean_gap_of_the_municipality(aarhus, case, answered_round):
    """Aarhus: S.1 is published (6 of its 7 respondents need it: 0.86 levels below on average);
    S.2 is not (only 5 need it, beside the suppressed leaders). The scale is 0–2."""
    gap = gap_of(answered_round, aarhus, "S.1")
    assert gap == pytest.approx(6 / 7)
    score = 57  # 100 × (1 − 0.857 / 2) = 57.1

    ranking = ranked(aarhus, case)

    assert ranking.competence.mean_gap == pytest.approx(gap)
    for row in ranking.rows:
        assert scores_of(row)["competence"] == (
            score,
            "The staff's mean gap in disseminating digital resources is 0.86 levels of at most 2 "
            f"(survey round “{answered_round.title}”): {score}.",
        )


def test_competence_of_the_competencies_the_strategy_links(aarhus, case, answered_round):
    goal = StrategyGoal.objects.create(
        municipality=aarhus, title="Vejledning", horizon=datetime.date(2027, 12, 31)
    )
    indicator = Indicator.objects.create(
        goal=goal, name="Vejledte", baseline=Decimal(0), target=Decimal(100)
    )
    indicator.resources.add(case["A"])
    framework = answered_round.survey.framework
    # S.2 is not published for Aarhus: the domain's figure is used instead.
    indicator.competencies.add(framework.competencies.get(code="S.2"))
    a = next(row for row in ranked(aarhus, case).rows if row.resource.name == "A")
    assert "in disseminating digital resources is 0.86" in scores_of(a)["competence"][1]

    indicator.competencies.add(framework.competencies.get(code="S.1"))
    a = next(row for row in ranked(aarhus, case).rows if row.resource.name == "A")
    assert scores_of(a)["competence"] == (
        57,
        "The staff's mean gap in the competencies the strategy links to it (S.1) is 0.86 "
        f"levels of at most 2 (survey round “{answered_round.title}”): 57.",
    )


def test_competence_is_neutral_when_no_gap_of_the_domain_is_published(odense, case, answered_round):
    """Odense is published, but its gaps are hidden: beside its small libraries they would
    give away the answers of a few."""
    for row in ranked(odense, case).rows:
        assert scores_of(row)["competence"] == (
            50,
            f"The round “{answered_round.title}” has no published figure for Odense in "
            "disseminating digital resources: neutral, 50.",
        )


def test_competence_is_neutral_when_the_municipality_is_not_published(
    odense, case, answered_round, settings
):
    settings.ANONYMITY_MINIMUM = 100
    for row in ranked(odense, case).rows:
        assert scores_of(row)["competence"] == (
            50,
            "Odense is not published in the latest survey rounds: too few respondents to show "
            "figures without revealing anyone: neutral, 50.",
        )


# -- scenarios ----------------------------------------------------------------------------------


def test_a_scenario_is_saved_and_its_weights_kept(odense, municipal_leader):
    scenario = selection.save_scenario(
        municipality=odense,
        name="Børn først",
        weights={**EVEN, "audience": 10, "unknown": 3},
        target_groups=["children_9_12"],
        by=municipal_leader,
    )
    scenario.refresh_from_db()
    assert scenario.weights == {**EVEN, "audience": 10}
    assert scenario.target_groups == ["children_9_12"]
    assert scenario.created_by == municipal_leader
