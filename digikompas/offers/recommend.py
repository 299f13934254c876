"""Offers recommended for a person's own gaps, and for the gaps of a library or municipality.

A person: their latest submitted response in a confidential round (anonymous rounds keep no link
to the person) gives their level in each competency and the level their job role needs
(surveys.profiles). An offer is recommended when it is meant for their job role and lifts them in
at least one competency where they are below the need; it scores the number of missing levels it
closes (a level above the need closes nothing more).

A unit: the latest round with a published (not suppressed) row for the unit gives its mean gap per
competency (a unit's gaps are not split by job role: that crossing is too small to publish). An
offer is recommended when it builds a competency with a gap to at least the lowest level any of
its target roles needs there; it scores the unit's mean gap in each such competency, in full when
it reaches the highest level its target roles need there and half otherwise.

In both, the best scores come first, then the cheapest and shortest; each recommendation carries
its reasons: which gap, from which level to which.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from digikompas.analysis import access as analysis_access
from digikompas.analysis import services as analysis
from digikompas.analysis.access import Unit
from digikompas.frameworks.models import Competency, ProficiencyLevel
from digikompas.orgs.access import Actor
from digikompas.orgs.models import JobRole, Person
from digikompas.surveys.models import ItemKind, Response, Round
from digikompas.surveys.profiles import profile_of

from .coverage import for_role, offer_order, offers_by_competency, role_needs
from .models import EducationOffer

TOP = 5
# How many earlier rounds are tried for a unit whose latest round has too few respondents.
ROUNDS_TRIED = 5


@dataclass(frozen=True)
class Reason:
    """One gap an offer closes, fully or in part."""

    competency: Competency
    reached: ProficiencyLevel | None  # the level the offer brings a participant to
    need: ProficiencyLevel | None
    current: ProficiencyLevel | None = None  # a person's own level
    mean_gap: float | None = None  # a unit's mean gap, in levels
    share_below: float | None = None  # a unit's share below the need

    @property
    def closes(self) -> bool:
        return (
            self.reached is not None
            and self.need is not None
            and self.reached.value >= self.need.value
        )


@dataclass(frozen=True)
class Recommendation:
    offer: EducationOffer
    reasons: tuple[Reason, ...]
    score: float


@dataclass(frozen=True)
class Gap:
    competency: Competency
    need: ProficiencyLevel | None
    current: ProficiencyLevel | None = None
    mean_gap: float | None = None
    share_below: float | None = None
    descriptor: str = ""


@dataclass(frozen=True)
class Recommendations:
    round: Round
    gaps: tuple[Gap, ...]  # largest first
    recommendations: tuple[Recommendation, ...]
    unit: Unit | None = None


def _recommended(
    gaps: tuple[Gap, ...],
    reason: Callable[[Gap, EducationOffer, int], Reason | None],
    score: Callable[[Reason], float],
) -> tuple[Recommendation, ...]:
    """The offers building a competency with a gap, each with its reasons (`reason` says why the
    offer helps with the gap, or None when it does not), the best TOP by the sum of `score`
    over the reasons, then the number of gaps closed, then the cheapest and shortest."""
    found = offers_by_competency({gap.competency.identifier for gap in gaps})
    offers: dict[int, EducationOffer] = {}
    reasons: dict[int, list[Reason]] = {}
    for gap in gaps:
        for offer, reached in found.get(gap.competency.identifier, ()):
            why = reason(gap, offer, reached)
            if why is not None:
                offers[offer.pk] = offer
                reasons.setdefault(offer.pk, []).append(why)
    scored = [
        Recommendation(offer=offers[pk], reasons=tuple(items), score=sum(score(r) for r in items))
        for pk, items in reasons.items()
    ]

    def order(rec: Recommendation):
        return (-rec.score, -sum(r.closes for r in rec.reasons), offer_order(rec.offer))

    return tuple(sorted(scored, key=order)[:TOP])


# -- a person ---------------------------------------------------------------------------------


def latest_response(person: Person) -> Response | None:
    """The person's latest submitted response with competency answers."""
    return (
        Response.objects.filter(person=person, round__survey__items__kind=ItemKind.COMPETENCY)
        .select_related("library", "round__survey")
        .order_by("-submitted_at", "-pk")
        .distinct()
        .first()
    )


def for_person(person: Person) -> Recommendations | None:
    """Offers for the person's own gaps; None when they have answered no confidential round."""
    response = latest_response(person)
    if response is None:
        return None
    profile = profile_of(response)
    if profile is None:
        return None
    rows = sorted(
        (row for row in profile.rows if row.gap > 0),
        key=lambda row: -row.gap,
    )
    gaps = tuple(
        Gap(
            competency=row.item.competency,
            need=row.required,
            current=row.yours,
            descriptor=row.descriptor,
        )
        for row in rows
    )
    levels = _levels(response.round)

    def reason(gap: Gap, offer: EducationOffer, reached: int) -> Reason | None:
        if not for_role(offer, response.job_role) or reached <= gap.current.value:
            return None
        return Reason(
            competency=gap.competency,
            reached=levels.get(reached),
            need=gap.need,
            current=gap.current,
        )

    def levels_closed(r: Reason) -> int:
        reached = r.reached.value if r.reached is not None else 0
        return min(reached, r.need.value) - r.current.value

    return Recommendations(
        round=response.round, gaps=gaps, recommendations=_recommended(gaps, reason, levels_closed)
    )


def _levels(round: Round) -> dict[int, ProficiencyLevel]:
    framework_id = round.survey.framework_id
    return {
        level.value: level for level in ProficiencyLevel.objects.filter(framework_id=framework_id)
    }


# -- a library or municipality ------------------------------------------------------------------


def unit_rounds(actor: Actor) -> list[Round]:
    """The latest rounds with results the leader may see, newest first."""
    return list(
        analysis_access.rounds_with_results(actor)
        .filter(survey__items__kind=ItemKind.COMPETENCY)
        .distinct()
        .select_related("survey__framework")
        .order_by("-closes_at", "-pk")[:ROUNDS_TRIED]
    )


def for_unit(unit: Unit, rounds: list[Round]) -> Recommendations | None:
    """Offers for the unit's gaps in the newest of the rounds where the unit is published;
    None when it is published in none of them (too few respondents, or not surveyed)."""
    for round in rounds:
        result = analysis.analyse(round)
        if analysis.published_respondents(result, unit.grouping, unit.key) is None:
            continue
        gaps = analysis.largest_gaps(result, within=(unit.grouping, unit.key), top=10**6)
        return _unit_recommendations(result, unit, gaps)
    return None


def _unit_recommendations(
    result: analysis.RoundAnalysis, unit: Unit, unit_gaps: list[analysis.Gap]
) -> Recommendations:
    needs = role_needs(result.data.framework.pk if result.data.framework else None)
    levels = {level.value: level for level in result.data.levels_of_scale}
    gaps = tuple(
        Gap(
            competency=gap.competency,
            need=levels.get(_needs(needs, gap.competency.pk, JobRole.values)[1]),
            mean_gap=gap.mean_gap,
            share_below=gap.share_below,
        )
        for gap in unit_gaps
        if not math.isnan(gap.mean_gap)
    )

    def reason(gap: Gap, offer: EducationOffer, reached: int) -> Reason | None:
        lowest, highest = _needs(needs, gap.competency.pk, offer.target_roles or JobRole.values)
        if lowest is None or reached < lowest:
            return None
        return Reason(
            competency=gap.competency,
            reached=levels.get(reached),
            need=levels.get(highest),
            mean_gap=gap.mean_gap,
            share_below=gap.share_below,
        )

    def mean_gap_closed(r: Reason) -> float:
        # Closed for every job role the offer is meant for: in full; for some of them: half.
        return r.mean_gap * (1 if r.closes else 0.5)

    return Recommendations(
        round=result.round,
        gaps=gaps,
        recommendations=_recommended(gaps, reason, mean_gap_closed),
        unit=unit,
    )


def _needs(
    needs: dict[tuple[str, int], int], competency_id: int, roles
) -> tuple[int | None, int | None]:
    """The lowest and the highest level above 0 the roles need in the competency."""
    levels = [needs[(role, competency_id)] for role in roles if (role, competency_id) in needs]
    levels = [level for level in levels if level > 0]
    return min(levels, default=None), max(levels, default=None)
