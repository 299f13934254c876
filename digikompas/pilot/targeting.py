"""Pilot modules suggested for gaps: a person's own, and the published gaps of the units a leader
leads.

A person: the gaps come from their latest submitted response in a confidential round, found the
way offers.recommend finds it (anonymous rounds keep no link to the person), measured by
surveys.profiles: their level in each competency against the level their job role needs.

A unit (library or municipality): its gaps in the newest round where it is published
(offers.recommend.for_unit, from analysis.services.largest_gaps): mean gaps and shares below the
need that the analysis engine has cleared for the anonymity minimum. Nothing about any one person
is read for a unit.

A module is suggested when its programme has not ended, it has a session still to come, and it
builds a competency with a gap; for a person also when the programme is meant for their job role
(or names none) and they have not completed the module. Competencies are matched by their
identifier, so a module on another version of the framework than the round's still counts. A
module does not say which level it brings a participant to, so it scores the whole gap in every
competency it builds: the missing levels for a person, the mean gap for a unit. The highest score
comes first, then the module addressing the most gaps, then the soonest session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from digikompas.analysis import access as analysis_access
from digikompas.analysis.access import Unit
from digikompas.frameworks.models import Competency
from digikompas.offers import recommend
from digikompas.offers.recommend import Gap
from digikompas.orgs.access import Actor
from digikompas.orgs.models import Person, Role
from digikompas.surveys.models import Round
from digikompas.surveys.profiles import profile_of

from .models import Module, Session

TOP = 5
UNIT_LEADERS = (Role.LIBRARY_LEADER, Role.MUNICIPAL_LEADER)


class Nothing(StrEnum):
    """Why nothing is suggested."""

    NO_ANSWERS = "no_answers"  # a person who has answered no confidential round
    TOO_SMALL = "too_small"  # a unit published in no recent round
    NO_GAPS = "no_gaps"
    NO_MODULES = "no_modules"


@dataclass(frozen=True)
class Suggestion:
    module: Module
    gaps: tuple[Gap, ...]  # the gaps it addresses, largest first
    score: float
    next_session: Session


@dataclass(frozen=True)
class Suggestions:
    round: Round | None
    gaps: tuple[Gap, ...]  # largest first
    suggestions: tuple[Suggestion, ...]
    unit: Unit | None = None

    @property
    def nothing(self) -> Nothing | None:
        if self.round is None:
            return Nothing.TOO_SMALL if self.unit is not None else Nothing.NO_ANSWERS
        if not self.gaps:
            return Nothing.NO_GAPS
        if not self.suggestions:
            return Nothing.NO_MODULES
        return None


def open_modules(now=None) -> QuerySet[Module]:
    """Modules of programmes that have not ended, with a session still to come."""
    now = now or timezone.now()
    return Module.objects.filter(
        programme__ends_on__gte=timezone.localdate(now), sessions__starts_at__gt=now
    ).distinct()


def _suggested(
    gaps: tuple[Gap, ...],
    size: Callable[[Gap], float],
    modules: QuerySet[Module],
    *,
    keep: Callable[[Module], bool] = lambda module: True,
) -> tuple[Suggestion, ...]:
    """The modules addressing the gaps, each with the gaps it addresses, scored by the sum of
    `size` over them; the best TOP."""
    by_identifier = {gap.competency.identifier: gap for gap in gaps}
    if not by_identifier:
        return ()
    now = timezone.now()
    candidates = (
        open_modules(now)
        .filter(pk__in=modules.values("pk"), competencies__identifier__in=by_identifier)
        .select_related("programme")
        .prefetch_related(
            Prefetch("competencies", queryset=Competency.objects.only("pk", "identifier")),
            Prefetch(
                "sessions",
                queryset=Session.objects.filter(starts_at__gt=now).order_by("starts_at", "pk"),
                to_attr="upcoming",
            ),
        )
        .order_by("pk")
    )
    found = []
    for module in candidates:
        if not keep(module):
            continue
        addressed = {c.identifier for c in module.competencies.all()} & by_identifier.keys()
        # In the order of the gaps: largest first.
        reasons = tuple(gap for gap in gaps if gap.competency.identifier in addressed)
        found.append(
            Suggestion(
                module=module,
                gaps=reasons,
                score=sum(size(gap) for gap in reasons),
                next_session=module.upcoming[0],
            )
        )
    found.sort(key=lambda s: (-s.score, -len(s.gaps), s.next_session.starts_at, s.module.pk))
    return tuple(found[:TOP])


# -- a person -----------------------------------------------------------------------------------


def for_person(person: Person, *, modules: QuerySet[Module] | None = None) -> Suggestions:
    """Modules (of `modules`, or of every programme) for the person's own gaps."""
    response = recommend.latest_response(person)
    profile = profile_of(response) if response is not None else None
    if profile is None:
        return Suggestions(round=None, gaps=(), suggestions=())
    rows = sorted((row for row in profile.rows if row.gap > 0), key=lambda row: -row.gap)
    gaps = tuple(
        Gap(
            competency=row.item.competency,
            need=row.required,
            current=row.yours,
            descriptor=row.descriptor,
        )
        for row in rows
    )
    role = response.job_role
    modules = Module.objects.all() if modules is None else modules

    def meant_for_them(module: Module) -> bool:
        roles = module.programme.target_roles
        return not roles or role in roles

    return Suggestions(
        round=response.round,
        gaps=gaps,
        suggestions=_suggested(
            gaps,
            lambda gap: gap.need.value - gap.current.value,
            modules.exclude(completions__person=person),
            keep=meant_for_them,
        ),
    )


# -- the units a leader leads -------------------------------------------------------------------


def leads_units(actor: Actor) -> bool:
    return actor.has_role(*UNIT_LEADERS)


def for_units(actor: Actor) -> list[Suggestions]:
    """Modules for the published gaps of each unit the actor leads (none for anyone else)."""
    if not leads_units(actor):
        return []
    rounds = recommend.unit_rounds(actor)
    return [for_unit(unit, rounds) for unit in analysis_access.own_units(actor)]


def for_unit(unit: Unit, rounds: list[Round]) -> Suggestions:
    """Modules for the unit's gaps in the newest of the rounds where it is published."""
    found = recommend.for_unit(unit, rounds)
    if found is None:
        return Suggestions(round=None, gaps=(), suggestions=(), unit=unit)
    return Suggestions(
        round=found.round,
        gaps=found.gaps,
        suggestions=_suggested(found.gaps, lambda gap: gap.mean_gap, Module.objects.all()),
        unit=unit,
    )
