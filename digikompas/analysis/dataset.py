"""A round's responses as the arrays the engine reads: the one place the analysis touches the ORM.

`load(round)` reads the submitted responses of a round in a few queries and returns a RoundData:
one row per response, one column per competency item and per barrier item, the grouping keys
of each response (its library, municipality, region and job role as they were when it was
submitted) and the competence need of each response's job role and library kind. Everything
after this is numpy (engine.py), so the figures can be checked without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db.models import Q

from digikompas.frameworks.models import (
    Competency,
    Framework,
    ProficiencyLevel,
    TargetProfile,
    choose_profile,
)
from digikompas.orgs.models import JobRole, Library
from digikompas.surveys import scores
from digikompas.surveys.models import (
    AGREES_FROM,
    Item,
    ItemKind,
    Response,
    Round,
)

from .engine import MISSING, Grouping

# The groupings of an analysis: library inside municipality inside region inside the nation, and
# job role inside staff-or-leader inside the nation. Keys are database ids, job roles their
# position in ROLES.
LIBRARY = "library"
MUNICIPALITY = "municipality"
REGION = "region"
ROLE = "role"
NATION = "nation"
# Staff and leaders, for comparing the two on the same barrier items.
STAFF_OR_LEADER = "staff_or_leader"
GROUPINGS = (LIBRARY, MUNICIPALITY, REGION, ROLE, STAFF_OR_LEADER, NATION)
ROLES = tuple(JobRole.values)
LEADER_ROLES = (JobRole.LIBRARY_LEADER, JobRole.HEAD_OF_LIBRARIES)
STAFF, LEADERS = 0, 1


@dataclass(frozen=True)
class RoundData:
    round: Round
    framework: Framework | None
    levels_of_scale: list[ProficiencyLevel]  # the framework's scale, lowest first
    competency_items: list[Item]  # the columns of `levels`, in survey order
    barrier_items: list[
        Item
    ]  # agreement items (most tied to a barrier): the columns of `agreement`
    response_ids: np.ndarray  # (R,)
    library: np.ndarray  # (R,) library id, MISSING for people without a library
    municipality: np.ndarray  # (R,) municipality id, MISSING when unknown
    region: np.ndarray  # (R,) region id, MISSING when unknown
    role: np.ndarray  # (R,) position of the job role in ROLES, MISSING when unknown
    need_profile: np.ndarray  # (R,) row of `need` that holds the respondent's competence need
    need: np.ndarray  # (P, C) required level per need profile × competency item, or MISSING
    levels: np.ndarray  # (R, C) int8 level given, MISSING for no answer
    agreement: np.ndarray  # (R, B) int8 agreement 1–5, MISSING for no answer

    @property
    def respondents(self) -> int:
        return len(self.response_ids)

    @property
    def n_levels(self) -> int:
        return max((level.value for level in self.levels_of_scale), default=-1) + 1

    @property
    def competencies(self) -> list[Competency]:
        return [item.competency for item in self.competency_items]

    def groupings(self, names: Sequence[str] = GROUPINGS) -> list[Grouping]:
        """The engine's groupings by name; "staff_or_leader" splits the nation in two."""
        everyone = np.zeros(self.respondents, dtype=np.int64)
        known = {
            LIBRARY: Grouping(LIBRARY, self.library, MUNICIPALITY),
            MUNICIPALITY: Grouping(MUNICIPALITY, self.municipality, REGION),
            REGION: Grouping(REGION, self.region, NATION),
            # Roles nest inside staff and leaders, so that one cannot be subtracted from the other.
            ROLE: Grouping(ROLE, self.role, STAFF_OR_LEADER),
            STAFF_OR_LEADER: Grouping(STAFF_OR_LEADER, self.staff_or_leader(), NATION),
            NATION: Grouping(NATION, everyone, None),
        }
        return [known[name] for name in names]

    def staff_or_leader(self) -> np.ndarray:
        leaders = np.isin(self.role, [ROLES.index(role) for role in LEADER_ROLES])
        keys = np.where(leaders, LEADERS, STAFF).astype(np.int64)
        keys[self.role == MISSING] = MISSING
        return keys

    def barrier_agrees_from(self) -> int:
        return AGREES_FROM


def load(round: Round) -> RoundData:
    """The submitted responses of the round as arrays (four queries, whatever the size)."""
    survey = round.survey
    items = list(
        Item.objects.filter(survey=survey, kind__in=[ItemKind.COMPETENCY, ItemKind.AGREEMENT])
        .select_related("competency", "barrier")
        .order_by("section__position", "position")
    )
    competency_items = [item for item in items if item.kind == ItemKind.COMPETENCY]
    barrier_items = [item for item in items if item.kind == ItemKind.AGREEMENT]
    framework = survey.framework
    scale = list(ProficiencyLevel.objects.filter(framework=framework).order_by("value"))

    rows = list(
        Response.objects.filter(round=round)
        .order_by("pk")
        .values_list("pk", "library_id", "municipality_id", "region_id", "job_role", "scores")
    )
    response_ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    def keys(index: int) -> np.ndarray:
        return np.fromiter(
            (MISSING if row[index] is None else row[index] for row in rows),
            dtype=np.int64,
            count=len(rows),
        )

    library = keys(1)
    role = np.fromiter(
        (ROLES.index(row[4]) if row[4] in ROLES else MISSING for row in rows),
        dtype=np.int64,
        count=len(rows),
    )

    # The need of a response: the target profile of its job role for its library's kind, or the
    # profile for all kinds of library. One need row per (job role, library kind) that occurs.
    kinds = dict(Library.objects.filter(pk__in=set(library.tolist())).values_list("pk", "kind"))
    need_keys: dict[tuple[str, str], int] = {}
    need_profile = np.empty(len(rows), dtype=np.int64)
    for n, row in enumerate(rows):
        key = (row[4], kinds.get(row[1], ""))
        need_profile[n] = need_keys.setdefault(key, len(need_keys))
    need = _need_matrix(framework, need_keys, competency_items)

    levels = _matrix(rows, competency_items)
    agreement = _matrix(rows, barrier_items)

    return RoundData(
        round=round,
        framework=framework,
        levels_of_scale=scale,
        competency_items=competency_items,
        barrier_items=barrier_items,
        response_ids=response_ids,
        library=library,
        municipality=keys(2),
        region=keys(3),
        role=role,
        need_profile=need_profile,
        need=need,
        levels=levels,
        agreement=agreement,
    )


def _matrix(rows: list[tuple], items: list[Item]) -> np.ndarray:
    """Respondents × items of the answers packed in each row's last field (surveys.scores),
    MISSING where there is no answer."""
    matrix = np.full((len(rows), len(items)), MISSING, dtype=np.int8)
    if not rows or not items:
        return matrix
    respondent, item_ids, values = scores.unpack([bytes(row[-1]) for row in rows])
    ids = np.array([item.pk for item in items], dtype=np.int64)
    order = np.argsort(ids)
    at = np.searchsorted(ids[order], item_ids).clip(max=len(ids) - 1)
    wanted = ids[order][at] == item_ids  # answers to other items (e.g. the other kind) are left
    matrix[respondent[wanted], order[at[wanted]]] = values[wanted]
    return matrix


def _need_matrix(
    framework: Framework | None, need_keys: dict[tuple[str, str], int], items: list[Item]
) -> np.ndarray:
    need = np.full((max(len(need_keys), 1), len(items)), MISSING, dtype=np.int8)
    if framework is None or not items:
        return need
    column = {item.competency_id: n for n, item in enumerate(items)}
    profiles = {
        (profile.job_role, profile.library_kind): profile
        for profile in TargetProfile.objects.filter(framework=framework).prefetch_related("targets")
    }
    for (job_role, kind), row in need_keys.items():
        profile = choose_profile(profiles, job_role, kind)
        if profile is None:
            continue
        for target in profile.targets.all():
            if target.competency_id in column:
                need[row, column[target.competency_id]] = target.level
    return need


def rounds_with_results() -> Q:
    """Rounds worth analysing: those with at least one response."""
    return Q(responses__isnull=False)
