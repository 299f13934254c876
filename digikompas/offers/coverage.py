"""Which education offers close the gaps a survey round found, and which gaps no offer closes.

The gaps are the national ones per job role (analysis.services.largest_gaps over every role ×
competency with a mean gap above 0): aggregates the engine has already cleared for the anonymity
minimum, so nothing here can show a smaller group. For every gap the offers are split in three:

- *reaching*: the offer builds the competency to at least the level the role needs, and is meant
  for the role (its target roles include it, or it names none);
- *short*: the offer builds the competency, but to a lower level than the role needs, or it is
  meant for other roles;
- the rest do not build the competency at all.

A gap with an offer that reaches it is covered; with only offers that fall short, partly covered;
with none, uncovered. Offers link to the competencies of the published default framework, the
round to those of the framework version its survey was made from: they are matched on the
competency's identifier, which a competency keeps from version to version.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from digikompas.analysis import services as analysis
from digikompas.frameworks.models import Competency, ProficiencyLevel, TargetLevel
from digikompas.surveys.models import Round

from .models import EducationOffer, OfferCompetency


class Status(StrEnum):
    COVERED = "covered"
    PARTLY = "partly"
    UNCOVERED = "uncovered"


STATUS_NAMES = {
    Status.COVERED: _("Covered"),
    Status.PARTLY: _("Partly covered"),
    Status.UNCOVERED: _("Not covered"),
}


@dataclass(frozen=True)
class OfferFit:
    """An offer that builds a competency, and how far."""

    offer: EducationOffer
    level_reached: int
    level_name: str
    for_role: bool  # meant for the role of the gap (or for every role)


@dataclass(frozen=True)
class GapCoverage:
    """One job role's gap in one competency, with the offers that reach or fall short of it."""

    gap: analysis.Gap
    reaching: tuple[OfferFit, ...]
    short: tuple[OfferFit, ...]

    @property
    def competency(self) -> Competency:
        return self.gap.competency

    @property
    def status(self) -> Status:
        if self.reaching:
            return Status.COVERED
        if self.short:
            return Status.PARTLY
        return Status.UNCOVERED

    @property
    def status_name(self) -> str:
        return str(STATUS_NAMES[self.status])


@dataclass(frozen=True)
class MatrixRow:
    """A competency with a gap, and the level each offer of the matrix builds in it."""

    competency: Competency
    need: int  # the highest level any role with a gap in it needs
    levels: tuple[int | None, ...]  # per offer of Coverage.offers; None: not built

    def reaches(self, level: int | None) -> bool:
        return level is not None and level >= self.need


@dataclass(frozen=True)
class Coverage:
    round: Round
    levels: tuple[ProficiencyLevel, ...]  # the round framework's scale, lowest first
    gaps: tuple[GapCoverage, ...]  # in survey order of the competency, then by largest gap
    offers: tuple[EducationOffer, ...]  # the offers that build a competency with a gap
    matrix: tuple[MatrixRow, ...]
    respondents: int
    minimum: int

    def count(self, status: Status) -> int:
        return sum(1 for gap in self.gaps if gap.status == status)

    @property
    def covered(self) -> int:
        return self.count(Status.COVERED)

    @property
    def partly(self) -> int:
        return self.count(Status.PARTLY)

    @property
    def uncovered(self) -> int:
        return self.count(Status.UNCOVERED)


def offers_by_competency(
    identifiers: set[uuid.UUID],
) -> dict[uuid.UUID, list[tuple[EducationOffer, int]]]:
    """Offers building each competency (by identifier), with the level they reach (one query)."""
    links = (
        OfferCompetency.objects.filter(competency__identifier__in=identifiers)
        .select_related("offer__provider", "competency")
        .order_by("offer__provider__name", "offer__title_da")
    )
    # An offer may link to the same competency in two framework versions: its highest level counts.
    best: dict[uuid.UUID, dict[int, tuple[EducationOffer, int]]] = defaultdict(dict)
    for link in links:
        by_offer = best[link.competency.identifier]
        known = by_offer.get(link.offer_id)
        if known is None or link.level_reached > known[1]:
            by_offer[link.offer_id] = (link.offer, link.level_reached)
    return {identifier: list(by_offer.values()) for identifier, by_offer in best.items()}


def for_role(offer: EducationOffer, role: str) -> bool:
    """The offer is meant for people in the job role (an offer naming no role is for all)."""
    return not offer.target_roles or role in offer.target_roles


def offer_order(offer: EducationOffer) -> tuple:
    """Cheapest first (unknown prices last), then the shortest, then by title."""
    price = offer.price_dkk if offer.price_dkk is not None else float("inf")
    size = offer.ects * 25 if offer.ects is not None else (offer.hours or float("inf"))
    return (price, size, offer.title_da)


def role_needs(framework_id: int | None) -> dict[tuple[str, int], int]:
    """(job role, competency id) → the level the role needs: from its profile for every kind of
    library, or else the lowest its profiles for particular kinds of library ask for."""
    needs: dict[tuple[str, int], int] = {}
    general: set[tuple[str, int]] = set()
    targets = TargetLevel.objects.filter(profile__framework_id=framework_id).values_list(
        "profile__job_role", "profile__library_kind", "competency_id", "level"
    )
    for role, kind, competency_id, level in targets:
        key = (role, competency_id)
        if not kind:
            needs[key] = level
            general.add(key)
        elif key not in general:
            needs[key] = min(level, needs.get(key, level))
    return needs


def coverage(round: Round) -> Coverage:
    """The round's national gaps by job role against the offer catalogue."""
    result = analysis.analyse(round)
    levels = tuple(result.data.levels_of_scale)
    by_value = {level.value: level for level in levels}
    needs = role_needs(result.data.framework.pk if result.data.framework else None)
    gaps = [
        gap
        if gap.need is not None
        else replace(gap, need=by_value.get(needs.get((gap.role, gap.competency.pk))))
        for gap in analysis.largest_gaps(result, top=10**6)
    ]
    level_names = {level.value: level.label for level in levels}
    position = {item.competency_id: n for n, item in enumerate(result.data.competency_items)}
    gaps.sort(key=lambda gap: (position[gap.competency.pk], -gap.mean_gap, gap.role))
    offers = offers_by_competency({gap.competency.identifier for gap in gaps})

    rows = []
    for gap in gaps:
        need = gap.need.value if gap.need is not None else None
        reaching, short = [], []
        for offer, reached in offers.get(gap.competency.identifier, ()):
            fit = OfferFit(
                offer=offer,
                level_reached=reached,
                level_name=level_names.get(reached, str(reached)),
                for_role=for_role(offer, gap.role),
            )
            if fit.for_role and need is not None and reached >= need:
                reaching.append(fit)
            else:
                short.append(fit)
        rows.append(
            GapCoverage(
                gap=gap,
                reaching=tuple(sorted(reaching, key=lambda fit: offer_order(fit.offer))),
                short=tuple(sorted(short, key=lambda fit: offer_order(fit.offer))),
            )
        )

    in_matrix: dict[int, EducationOffer] = {}
    for row in rows:
        for fit in (*row.reaching, *row.short):
            in_matrix.setdefault(fit.offer.pk, fit.offer)
    matrix_offers = sorted(in_matrix.values(), key=lambda o: (o.provider.name, o.title_da))
    matrix = []
    competencies = {gap.competency.pk: gap.competency for gap in gaps}
    for competency in sorted(competencies.values(), key=lambda c: position[c.pk]):
        built = {offer.pk: reached for offer, reached in offers.get(competency.identifier, ())}
        needs = [
            gap.need.value
            for gap in gaps
            if gap.competency.pk == competency.pk and gap.need is not None
        ]
        matrix.append(
            MatrixRow(
                competency=competency,
                need=max(needs, default=0),
                levels=tuple(built.get(offer.pk) for offer in matrix_offers),
            )
        )
    return Coverage(
        round=round,
        levels=levels,
        gaps=tuple(rows),
        offers=tuple(matrix_offers),
        matrix=tuple(matrix),
        respondents=result.respondents,
        minimum=result.minimum,
    )
