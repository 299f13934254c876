"""The effect of a programme: how the competence levels of the people who took part changed
between the round before and the round after, set beside the change of those who did not.

What is measured
----------------
*Paired respondents* are the people with a submitted response in both rounds (the programme's
before_round and after_round, confidential rounds whose responses keep their person); each
person's latest response in each round counts. The competency items of the two rounds are paired
by Competency.identifier, which a competency keeps from one version of a framework to the next,
so the rounds may ask different versions. A person counts for a competency only when they rated it
in both rounds; if a survey asks about one competency twice, its first item counts.

*Participants* are paired people who completed at least one module of the programme;
*non-participants* are paired people with no enrolment (other than a cancelled one) and no
completion in the programme. People who enrolled but completed nothing are in neither group.

Per competency and group: n, the mean level before and after, the mean change (after − before),
the standard deviation of the changes, the 95% confidence interval of the mean change (Student's t,
n − 1 degrees of freedom) and Cohen's d_z = mean change / SD of the changes (None when the SD is 0:
everyone changed by the same amount). Participants are compared with non-participants by the
difference of their mean changes, with Welch's 95% interval (Welch–Satterthwaite degrees of
freedom) and Hedges' g: the difference over the pooled SD of the changes times the exact small-
sample correction J(df) = Γ(df/2) / (√(df/2) · Γ((df − 1)/2)), df = n₁ + n₂ − 2. The row "all
competencies" does the same with each person's mean level over the competencies of the composite
(below) that they rated in both rounds.

Anonymity (settings.ANONYMITY_MINIMUM, "the minimum")
------------------------------------------------------
Every figure is computed here and handed out already cleared: a hidden figure is None in the
dataclasses, so no template, file or API can show it by mistake.

1. A group with 0 < N < minimum paired people is hidden whole: its N and all its cells.
2. A cell (competency × group) of a shown group is shown only when n ≥ minimum people rated the
   competency in both rounds; a cell with n == 0 is empty, not hidden (it describes no one).
3. A comparison is shown only when both of its cells are.
4. The composite "all competencies" is built only from the competencies whose cells are shown
   in every shown group, so no answer behind a hidden cell enters a published figure and both
   groups are compared on the same competencies; with no such competency it is hidden.

Why no hidden figure can be recovered by subtraction: every published count lies inside one
group (a group's N, a cell's n, the composite's n), and the only other count published, of the
people who enrolled but completed nothing, describes people in neither group and is itself shown
only at the minimum. Nothing pools the two groups: neither the total of paired people nor the
number of respondents of either round is published, because participants + non-participants +
neither = paired people, and with that total the shown groups would give away a hidden one (four
non-participants beside six participants: a total of ten would say "four"). Within a shown group
a hidden cell's n is not a sum or difference of published counts: the other cells and the
composite count other sets of people (those who rated other competencies; by rule 4 the composite
counts only people of shown cells), and the group's N minus a cell's n, the people who did not
rate it in both rounds, is not published. What this does not cover, as in the analysis
(analysis/suppression.py): bounds ("fewer than 5" says a hidden group holds 1 to 4 people) and
what the rounds' own published results say when set beside these figures.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from scipy import special, stats

from digikompas.frameworks.models import Competency
from digikompas.surveys.models import Answer, ItemKind, Response, Round

from .models import Completion, Enrolment, EnrolmentStatus, Programme

CONFIDENCE = 0.95

PARTICIPANTS = "participants"
NON_PARTICIPANTS = "non_participants"
GROUPS = (PARTICIPANTS, NON_PARTICIPANTS)
GROUP_NAMES = {
    PARTICIPANTS: gettext_lazy("Participants"),
    NON_PARTICIPANTS: gettext_lazy("Non-participants"),
}
# The group's name inside a sentence ("fewer than 5 participants …").
GROUP_NOUNS = {
    PARTICIPANTS: gettext_lazy("participants"),
    NON_PARTICIPANTS: gettext_lazy("non-participants"),
}

# What a cell, a group or a count is: its figures are shown, or why not.
SHOWN = "shown"
EMPTY = "empty"  # it describes no one
TOO_FEW = "too_few"  # 0 < n < minimum
GROUP_HIDDEN = "group_hidden"  # the whole group has fewer paired people than the minimum
NO_SPREAD = "no_spread"  # comparison only: everyone in both groups changed by the same amount

# Cohen's conventions for a standardised difference, by its size.
MAGNITUDES = (
    (0.8, "large", gettext_lazy("a large effect")),
    (0.5, "medium", gettext_lazy("a medium effect")),
    (0.2, "small", gettext_lazy("a small effect")),
    (0.0, "negligible", gettext_lazy("a negligible effect")),
)


def magnitude(value: float | None) -> str | None:
    """negligible, small, medium or large for an effect size (Cohen's d or Hedges' g)."""
    if value is None:
        return None
    return next(key for bound, key, _text in MAGNITUDES if abs(value) >= bound)


def magnitude_text(value: float | None) -> str | None:
    if value is None:
        return None
    return str(next(text for bound, _key, text in MAGNITUDES if abs(value) >= bound))


# -- the results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One group's change in one competency (or in all of them). Every figure is None unless
    `status` is SHOWN; `sd_change`, the interval and `effect_size` are also None when they cannot
    be computed (n < 2, or an SD of 0: see `no_spread`)."""

    group: str
    status: str
    n: int | None = None
    mean_before: float | None = None
    mean_after: float | None = None
    mean_change: float | None = None
    sd_change: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    df: int | None = None
    effect_size: float | None = None  # Cohen's d_z

    @property
    def shown(self) -> bool:
        return self.status == SHOWN

    @property
    def group_name(self) -> str:
        return str(GROUP_NAMES[self.group])

    @property
    def no_spread(self) -> bool:
        """Shown, but everyone changed by the same amount: no SD, interval or effect size."""
        return self.shown and self.sd_change == 0

    @property
    def magnitude(self) -> str | None:
        return magnitude(self.effect_size)


@dataclass(frozen=True)
class Comparison:
    """Participants' mean change minus non-participants', when both cells are shown."""

    status: str
    difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    df: float | None = None  # Welch–Satterthwaite
    hedges_g: float | None = None

    @property
    def shown(self) -> bool:
        return self.status in (SHOWN, NO_SPREAD)

    @property
    def magnitude(self) -> str | None:
        return magnitude(self.hedges_g)


@dataclass(frozen=True)
class Row:
    """One competency (or `competency` None: all competencies) with both groups and the
    comparison."""

    competency: Competency | None
    built_by_programme: bool
    participants: Cell
    non_participants: Cell
    comparison: Comparison

    @property
    def key(self) -> str:
        return "all" if self.competency is None else str(self.competency.identifier)

    @property
    def code(self) -> str:
        return "" if self.competency is None else self.competency.code

    @property
    def title(self) -> str:
        return _("All competencies") if self.competency is None else self.competency.title

    @property
    def cells(self) -> tuple[Cell, Cell]:
        return (self.participants, self.non_participants)


@dataclass(frozen=True)
class Group:
    """A group's paired people: N when shown, or why not."""

    key: str
    status: str
    n: int | None = None

    @property
    def shown(self) -> bool:
        return self.status == SHOWN

    @property
    def name(self) -> str:
        return str(GROUP_NAMES[self.key])


@dataclass(frozen=True)
class Count:
    """A count that is published only at the minimum (the people in neither group)."""

    status: str
    n: int | None = None

    @property
    def shown(self) -> bool:
        return self.status == SHOWN


@dataclass(frozen=True)
class Effect:
    """The effect of a programme, cleared for anonymity. `rows` is empty when nothing could be
    measured; `problems` says why, or what to keep in mind (preliminary figures), in words."""

    programme: Programme
    before_round: Round | None
    after_round: Round | None
    minimum: int
    computed_at: datetime.datetime
    preliminary: bool
    problems: tuple[str, ...]
    participants: Group
    non_participants: Group
    neither: Count
    rows: tuple[Row, ...] = ()
    overall: Row | None = None
    # Codes of the competencies the "all competencies" row is built from.
    composite: tuple[str, ...] = ()
    # The scale of the after round's framework: (value, label).
    scale: tuple[tuple[int, str], ...] = field(default=())

    @property
    def groups(self) -> tuple[Group, Group]:
        return (self.participants, self.non_participants)

    @property
    def measured(self) -> bool:
        return bool(self.rows)


# -- the statistics (pure numpy and scipy) ---------------------------------------------------------


@dataclass(frozen=True)
class _Change:
    n: int
    mean_before: float
    mean_after: float
    mean_change: float
    sd_change: float | None
    ci_low: float | None
    ci_high: float | None
    effect_size: float | None
    changes: np.ndarray


def describe(before: np.ndarray, after: np.ndarray) -> _Change:
    """The change of one group in one competency from paired levels (n ≥ 1)."""
    changes = after - before
    n = len(changes)
    mean = float(changes.mean())
    sd = low = high = d_z = None
    if n >= 2:
        sd = float(changes.std(ddof=1))
        if sd > 0:
            half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * sd / math.sqrt(n)
            low, high = mean - half, mean + half
            d_z = mean / sd
    return _Change(
        n=n,
        mean_before=float(before.mean()),
        mean_after=float(after.mean()),
        mean_change=mean,
        sd_change=sd,
        ci_low=low,
        ci_high=high,
        effect_size=d_z,
        changes=changes,
    )


def hedges_correction(df: int) -> float:
    """J(df) = Γ(df/2) / (√(df/2) Γ((df−1)/2)), the exact small-sample correction of Cohen's d
    (≈ 1 − 3 / (4 df − 1)); in logarithms, as Γ overflows for large df."""
    return math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)


def compare(first: np.ndarray, second: np.ndarray) -> Comparison:
    """Mean of `first` minus mean of `second` (change scores of two groups, each n ≥ 2): Welch's
    95% interval and Hedges' g."""
    n1, n2 = len(first), len(second)
    difference = float(first.mean() - second.mean())
    v1, v2 = float(first.var(ddof=1)), float(second.var(ddof=1))
    a, b = v1 / n1, v2 / n2
    if a + b == 0:
        return Comparison(status=NO_SPREAD, difference=difference)
    df = (a + b) ** 2 / (a**2 / (n1 - 1) + b**2 / (n2 - 1))
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, df)) * math.sqrt(a + b)
    pooled = math.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2))
    return Comparison(
        status=SHOWN,
        difference=difference,
        ci_low=difference - half,
        ci_high=difference + half,
        df=df,
        hedges_g=difference / pooled * hedges_correction(n1 + n2 - 2),
    )


# -- gathering the answers -------------------------------------------------------------------------


def _competency_items(round: Round) -> dict[int, Competency]:
    """The round's competency items (id → competency), the first item of each competency."""
    items: dict[int, Competency] = {}
    seen = set()
    for item in (
        round.survey.items.filter(kind=ItemKind.COMPETENCY)
        .select_related("competency")
        .order_by("section__position", "position", "pk")
    ):
        if item.competency.identifier not in seen:
            seen.add(item.competency.identifier)
            items[item.pk] = item.competency
    return items


def _latest_levels(round: Round, items: dict[int, Competency]) -> dict[int, dict]:
    """person id → {competency identifier: level} from each person's latest response."""
    latest: dict[int, int] = {}
    for response, person in (
        Response.objects.filter(round=round, person__isnull=False)
        .order_by("person_id", "-submitted_at", "-pk")
        .values_list("pk", "person_id")
    ):
        latest.setdefault(person, response)
    person_of = {response: person for person, response in latest.items()}
    levels: dict[int, dict] = {person: {} for person in latest}
    # All the round's answers, filtered here rather than by a list of response ids, which would
    # outgrow the parameters a query may have in a national round.
    for response, item, number in Answer.objects.filter(
        response__round=round,
        response__person__isnull=False,
        item__kind=ItemKind.COMPETENCY,
        number__isnull=False,
    ).values_list("response_id", "item_id", "number"):
        if response in person_of and item in items:
            levels[person_of[response]][items[item].identifier] = number
    return levels


def _scale(round: Round) -> tuple[tuple[int, str], ...]:
    framework = round.survey.framework
    if framework is None:
        return ()
    return tuple((level.value, level.label) for level in framework.levels.all())


# -- the effect -----------------------------------------------------------------------------------


def _empty(programme, before, after, minimum, problems, *, preliminary=False) -> Effect:
    return Effect(
        programme=programme,
        before_round=before,
        after_round=after,
        minimum=minimum,
        computed_at=timezone.now(),
        preliminary=preliminary,
        problems=tuple(problems),
        participants=Group(PARTICIPANTS, EMPTY),
        non_participants=Group(NON_PARTICIPANTS, EMPTY),
        neither=Count(EMPTY),
    )


def _group(key: str, people: set, minimum: int) -> Group:
    if not people:
        return Group(key, EMPTY, 0)
    if len(people) < minimum:
        return Group(key, GROUP_HIDDEN)
    return Group(key, SHOWN, len(people))


def _count(n: int, minimum: int) -> Count:
    if n == 0:
        return Count(EMPTY, 0)
    return Count(SHOWN, n) if n >= minimum else Count(TOO_FEW)


def _cell(
    group: Group, before: np.ndarray, after: np.ndarray, minimum: int
) -> tuple[Cell, _Change | None]:
    """A cleared cell, and the change behind it (None unless the cell is shown)."""
    if group.status == GROUP_HIDDEN:
        return Cell(group.key, GROUP_HIDDEN), None
    n = len(before)
    if n == 0:
        return Cell(group.key, EMPTY, 0), None
    if n < minimum:
        return Cell(group.key, TOO_FEW), None
    change = describe(before, after)
    cell = Cell(
        group=group.key,
        status=SHOWN,
        n=change.n,
        mean_before=change.mean_before,
        mean_after=change.mean_after,
        mean_change=change.mean_change,
        sd_change=change.sd_change,
        ci_low=change.ci_low,
        ci_high=change.ci_high,
        df=change.n - 1,
        effect_size=change.effect_size,
    )
    return cell, change


def _row(competency, built, groups, pairs, minimum) -> Row:
    """pairs: group key → (before levels, after levels) of the group's people with both."""
    cells, changes = {}, {}
    for group in groups:
        cells[group.key], changes[group.key] = _cell(group, *pairs[group.key], minimum)
    first, second = changes[PARTICIPANTS], changes[NON_PARTICIPANTS]
    if first is not None and second is not None and first.n >= 2 and second.n >= 2:
        comparison = compare(first.changes, second.changes)
    else:
        comparison = Comparison(status=TOO_FEW)
    return Row(
        competency=competency,
        built_by_programme=built,
        participants=cells[PARTICIPANTS],
        non_participants=cells[NON_PARTICIPANTS],
        comparison=comparison,
    )


def _split(programme: Programme, paired: set[int]) -> tuple[dict[str, list[int]], int]:
    """The paired people of each group (ids, sorted), and how many are in neither group."""
    completed = set(
        Completion.objects.filter(module__programme=programme).values_list("person_id", flat=True)
    )
    enrolled = set(
        Enrolment.objects.filter(session__module__programme=programme)
        .exclude(status=EnrolmentStatus.CANCELLED)
        .values_list("person_id", flat=True)
    )
    people = {
        PARTICIPANTS: sorted(paired & completed),
        NON_PARTICIPANTS: sorted(paired - completed - enrolled),
    }
    return people, len((paired & enrolled) - completed)


def _matrices(people, identifiers, levels_before, levels_after):
    """Levels before and after as person × competency matrices (NaN where a person did not
    rate it), and where both are given."""
    b = np.full((len(people), len(identifiers)), np.nan)
    a = np.full_like(b, np.nan)
    for i, person in enumerate(people):
        for j, identifier in enumerate(identifiers):
            b[i, j] = levels_before[person].get(identifier, np.nan)
            a[i, j] = levels_after[person].get(identifier, np.nan)
    return b, a, ~np.isnan(b) & ~np.isnan(a)


def _overall(rows, groups, matrices, minimum) -> tuple[list[int], Row]:
    """The composite (rule 4: the competencies shown in every shown group, by position) and
    the row of each person's mean level over those of them they rated in both rounds."""
    shown_groups = [g.key for g in groups if g.shown]
    composite = [
        j
        for j, row in enumerate(rows)
        if shown_groups and all(getattr(row, key).shown for key in shown_groups)
    ]
    if not composite:
        # A shown group whose every cell is hidden has no composite: hidden too, not empty.
        return composite, Row(
            None,
            False,
            *(Cell(g.key, TOO_FEW) if g.shown else Cell(g.key, g.status, g.n) for g in groups),
            Comparison(status=TOO_FEW),
        )
    pairs = {}
    for key, (b, a, both) in matrices.items():
        mask = np.zeros_like(both)
        mask[:, composite] = both[:, composite]
        counted = mask.any(axis=1)
        with np.errstate(invalid="ignore"):  # 0/0 for the people not counted
            mean_before = np.where(mask, b, 0).sum(axis=1) / mask.sum(axis=1)
            mean_after = np.where(mask, a, 0).sum(axis=1) / mask.sum(axis=1)
        pairs[key] = (mean_before[counted], mean_after[counted])
    return composite, _row(None, False, groups, pairs, minimum)


def programme_effect(programme: Programme) -> Effect:
    """The programme's effect, cleared for anonymity (see the module's docstring)."""
    minimum = settings.ANONYMITY_MINIMUM
    before, after = programme.before_round, programme.after_round
    if before is None or after is None:
        problems = []
        if before is None:
            problems.append(_("No round before the programme is linked to it."))
        if after is None:
            problems.append(_("No round after the programme is linked to it."))
        problems.append(
            _(
                "Link a confidential competence round before and one after the programme to "
                "measure its effect."
            )
        )
        return _empty(programme, before, after, minimum, problems)
    if not (before.is_confidential and after.is_confidential):
        return _empty(
            programme,
            before,
            after,
            minimum,
            [
                _(
                    "A linked round is anonymous: its answers cannot be paired by person. Both "
                    "rounds must be confidential."
                )
            ],
        )

    problems = []
    now = timezone.now()
    preliminary = not after.is_closed
    if now < after.opens_at:
        problems.append(
            _("The round after opens on %(date)s; there is nothing to compare yet.")
            % {"date": _date(after.opens_at)}
        )
    elif preliminary:
        problems.append(
            _(
                "The round after is still open (until %(date)s): the figures are preliminary "
                "and will change as more people answer."
            )
            % {"date": _date(after.closes_at)}
        )

    before_items, after_items = _competency_items(before), _competency_items(after)
    asked_before = {c.identifier for c in before_items.values()}
    competencies = [c for c in after_items.values() if c.identifier in asked_before]
    if not competencies:
        problems.append(_("The two rounds ask about no competency in common."))
    levels_before = _latest_levels(before, before_items)
    levels_after = _latest_levels(after, after_items)
    paired = levels_before.keys() & levels_after.keys()
    if not paired and now >= after.opens_at:
        problems.append(_("No one has answered both rounds yet."))
    if not competencies or not paired:
        return _empty(programme, before, after, minimum, problems, preliminary=preliminary)

    people, neither = _split(programme, paired)
    groups = [_group(key, set(people[key]), minimum) for key in GROUPS]
    # Compared by identifier: a module may name the competency of another framework version.
    built = set(
        Competency.objects.filter(pk__in=programme.modules.values("competencies")).values_list(
            "identifier", flat=True
        )
    )
    identifiers = [c.identifier for c in competencies]
    matrices = {
        key: _matrices(people[key], identifiers, levels_before, levels_after) for key in GROUPS
    }
    rows = []
    for j, competency in enumerate(competencies):
        pairs = {}
        for key, (b, a, both) in matrices.items():
            pairs[key] = (b[both[:, j], j], a[both[:, j], j])
        rows.append(_row(competency, competency.identifier in built, groups, pairs, minimum))
    composite, overall = _overall(rows, groups, matrices, minimum)

    return Effect(
        programme=programme,
        before_round=before,
        after_round=after,
        minimum=minimum,
        computed_at=now,
        preliminary=preliminary,
        problems=tuple(problems),
        participants=groups[0],
        non_participants=groups[1],
        neither=_count(neither, minimum),
        rows=tuple(rows),
        overall=overall,
        composite=tuple(rows[j].code for j in composite),
        scale=_scale(after),
    )


def _date(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")
