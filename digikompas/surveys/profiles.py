"""A respondent's own competence profile: their levels in a submitted response against the
level their job role needs, with the descriptor of the missing level. Shown after answering a
confidential round, and the basis of the offers recommended to them (offers.recommend)."""

from __future__ import annotations

from dataclasses import dataclass

from digikompas.frameworks.models import (
    Descriptor,
    ProficiencyLevel,
    TargetProfile,
    choose_profile,
)

from .models import Item, ItemKind, Response

# How many of the largest gaps are shown as the respondent's focus.
FOCUS_COUNT = 3


@dataclass
class ProfileRow:
    item: Item
    yours: ProficiencyLevel | None
    required: ProficiencyLevel | None
    descriptor: str  # what a person at the required level does

    @property
    def gap(self) -> int:
        if self.yours is None or self.required is None:
            return 0
        return max(self.required.value - self.yours.value, 0)


@dataclass
class Profile:
    target: TargetProfile | None
    rows: list[ProfileRow]

    @property
    def focus(self) -> list[ProfileRow]:
        """The largest gaps, largest first (survey order among equals)."""
        gaps = [row for row in self.rows if row.gap > 0]
        return sorted(gaps, key=lambda row: -row.gap)[:FOCUS_COUNT]


def target_profile(framework_id: int, response: Response) -> TargetProfile | None:
    """The competence need of the respondent's job role in their kind of library, else the one
    for every kind of library."""
    kind = response.library.kind if response.library else ""
    profiles = TargetProfile.objects.filter(
        framework_id=framework_id, job_role=response.job_role, library_kind__in={kind, ""}
    ).prefetch_related("targets")
    return choose_profile(
        {(p.job_role, p.library_kind): p for p in profiles}, response.job_role, kind
    )


def profile_of(response: Response) -> Profile | None:
    """The respondent's own levels against the need of their job role, from the submitted
    response (its job role and library as they were when it was submitted)."""
    items = list(
        response.round.survey.items.filter(kind=ItemKind.COMPETENCY)
        .select_related("competency")
        .order_by("section__position", "position")
    )
    if not items:
        return None
    framework_id = items[0].competency.framework_id
    levels = {
        level.value: level for level in ProficiencyLevel.objects.filter(framework_id=framework_id)
    }
    given = {a.item_id: a.number for a in response.answers.filter(item__in=items)}
    target = target_profile(framework_id, response)
    required = {t.competency_id: t.level for t in target.targets.all()} if target else {}
    descriptors = {
        (d.competency_id, d.level): d.text
        for d in Descriptor.objects.filter(competency__in=[item.competency for item in items])
    }
    rows = []
    for item in items:
        need = required.get(item.competency_id)
        rows.append(
            ProfileRow(
                item=item,
                yours=levels.get(given.get(item.pk)),
                required=levels.get(need),
                descriptor=descriptors.get((item.competency_id, need), ""),
            )
        )
    return Profile(target, rows)
