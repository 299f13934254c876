"""What a report says: its figures as plain dataclasses, read from the round's analysis by
`collect`, and the helpers that write a figure in the report's language. Every renderer (pdf.py,
xlsx.py, jsonfile.py) writes one ReportContent, so the formats always say the same.
"""

from __future__ import annotations

import datetime
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from digikompas.orgs.models import Library
from digikompas.surveys import services as surveys
from digikompas.surveys.models import AGREES_FROM, Round

from .. import dataset, services
from ..dataset import LIBRARY, MUNICIPALITY, NATION, STAFF_OR_LEADER
from ..models import FileFormat, GroupBy, ReportKind, ReportStep

HIDDEN = "–"
TOP_GAPS = 10

Progress = Callable[[str], None]


class ReportError(Exception):
    """A report that cannot be built, for a reason the person who asked can act on."""


@dataclass(frozen=True)
class ReportSpec:
    round: Round
    kind: str = ReportKind.NATIONAL
    file_format: str = FileFormat.PDF
    group_by: str = GroupBy.MUNICIPALITY  # national reports
    library: Library | None = None  # library reports
    language: str = field(default_factory=lambda: settings.LANGUAGE_CODE)


# -- figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure as published: a number, hidden by the engine, or empty (no one to describe)."""

    value: float | int | None
    hidden: bool
    text: str  # in the report's language: "1,25", "40 %", "–" when hidden, "" when empty

    @property
    def number(self) -> float:
        """The value for a chart: NaN when hidden or empty (charts leave it out)."""
        return math.nan if self.value is None else float(self.value)


def _figure(value, *, hidden: bool, style: str = "level") -> Figure:
    if hidden:
        return Figure(None, True, HIDDEN)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Figure(None, False, "")
    if style == "count":
        return Figure(int(value), False, formats.number_format(int(value), decimal_pos=0))
    if style == "share":
        value = float(value)
        return Figure(value, False, _number(100 * value, 0) + " %")
    value = float(value)
    return Figure(value, False, _number(value, 2))


def _number(value: float, places: int) -> str:
    """The value rounded half up to `places` decimals, written the active language's way
    (number_format alone cuts the digits off rather than rounding)."""
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, decimal_pos=places)


@dataclass(frozen=True)
class Cell:
    """One group × competency of an engine table."""

    n: Figure
    mean: Figure
    sd: Figure
    ci_low: Figure
    ci_high: Figure
    n_need: Figure
    share_below: Figure
    mean_gap: Figure
    suppressed: bool
    need_suppressed: bool

    @property
    def ci_text(self) -> str:
        if self.suppressed:
            return HIDDEN
        if self.ci_low.value is None:
            return ""
        return f"{self.ci_low.text}–{self.ci_high.text}"

    @property
    def empty(self) -> bool:
        return not self.suppressed and not self.n.value


def _cell(table, row: int, column: int) -> Cell:
    hidden = bool(table.suppressed[row, column])
    # need_suppressed includes every suppressed cell; `or` keeps that true whatever the table.
    need_hidden = hidden or bool(table.need_suppressed[row, column])
    n = int(table.n[row, column])
    return Cell(
        n=_figure(n if n else None, hidden=hidden, style="count"),
        mean=_figure(table.mean[row, column], hidden=hidden),
        sd=_figure(table.sd[row, column], hidden=hidden),
        ci_low=_figure(table.ci_low[row, column], hidden=hidden),
        ci_high=_figure(table.ci_high[row, column], hidden=hidden),
        n_need=_figure(int(table.n_need[row, column]) or None, hidden=need_hidden, style="count"),
        share_below=_figure(table.share_below[row, column], hidden=need_hidden, style="share"),
        mean_gap=_figure(table.mean_gap[row, column], hidden=need_hidden),
        suppressed=hidden,
        need_suppressed=need_hidden,
    )


@dataclass(frozen=True)
class GroupFigures:
    """One group (a municipality, a library, Denmark …) with a Cell per competency."""

    grouping: str
    key: int
    name: str
    cells: list[Cell]

    @property
    def all_hidden(self) -> bool:
        """Every figure of the group is hidden (and at least one was there to hide)."""
        return any(c.suppressed for c in self.cells) and all(
            c.suppressed or c.empty for c in self.cells
        )


@dataclass(frozen=True)
class Competency:
    code: str
    title: str


@dataclass(frozen=True)
class GapLine:
    competency: Competency
    role: str
    need_level: str
    mean: Figure
    mean_gap: Figure
    share_below: Figure
    n_need: Figure
    descriptor: str


@dataclass(frozen=True)
class HeatLine:
    name: str
    cells: list[tuple[Figure, int]]  # the mean gap and its shade (-1 … 4)


@dataclass(frozen=True)
class BarrierValue:
    unit: str
    n: Figure
    share: Figure


@dataclass(frozen=True)
class BarrierLine:
    code: str
    statement: str
    category: str
    values: list[BarrierValue]


@dataclass(frozen=True)
class Suppression:
    grouping: str
    name: str
    cells: int  # group × competency cells with respondents or hidden
    hidden: int
    need_hidden: int  # cells whose n is shown but whose need figures are hidden


@dataclass(frozen=True)
class ScaleLevel:
    value: int
    label: str
    description: str


@dataclass(frozen=True)
class Method:
    invited: int | None  # None: fewer invited than the minimum, not shown
    answered: int | None
    response_rate: float | None
    responses: int | None  # None: fewer than the minimum
    minimum: int
    framework: str
    scale: list[ScaleLevel]
    suppression: list[Suppression]
    notes: list[str]


@dataclass(frozen=True)
class ReportContent:
    spec: ReportSpec
    title: str
    generated_at: datetime.datetime
    method: Method
    competencies: list[Competency]
    tables: dict[str, list[GroupFigures]]  # grouping → groups, in the order shown
    gaps: list[GapLine] = field(default_factory=list)
    heat: list[HeatLine] = field(default_factory=list)
    barrier_units: list[str] = field(default_factory=list)
    barriers: list[BarrierLine] = field(default_factory=list)
    library_hidden: bool = False

    @property
    def round(self) -> Round:
        return self.spec.round

    @property
    def is_national(self) -> bool:
        return self.spec.kind == ReportKind.NATIONAL

    def grouping_name(self, grouping: str) -> str:
        return str(services.GROUPING_NAMES[grouping])

    def summary(self) -> str:
        """One line about what the report holds, for the command line."""
        hidden = sum(s.hidden for s in self.method.suppression)
        cells = sum(s.cells for s in self.method.suppression)
        responses = self.method.responses
        return _(
            "Responses: %(responses)s. Competencies: %(competencies)s. Barrier statements: "
            "%(barriers)s. Hidden figures: %(hidden)s of %(cells)s (anonymity minimum "
            "%(minimum)s)."
        ) % {
            "responses": responses
            if responses is not None
            else _("fewer than %(minimum)s") % {"minimum": self.method.minimum},
            "competencies": len(self.competencies),
            "barriers": len(self.barriers),
            "hidden": hidden,
            "cells": cells,
            "minimum": self.method.minimum,
        }


def in_language(function):
    """Run a builder in the report's language (its ReportSpec or ReportContent's spec)."""

    @functools.wraps(function)
    def wrapped(subject, *args, **kwargs):
        spec = subject if isinstance(subject, ReportSpec) else subject.spec
        with translation.override(spec.language):
            return function(subject, *args, **kwargs)

    return wrapped


# -- collecting the figures -----------------------------------------------------------------------


@in_language
def collect(spec: ReportSpec, *, progress: Progress | None = None) -> ReportContent:
    """Read the round's analysis into the figures of the report, in its language."""
    progress = progress or (lambda step: None)
    round = spec.round
    progress(ReportStep.LOADING)
    if not round.responses.exists():
        raise ReportError(
            _("The round %(round)s has no responses yet, so there is nothing to report.")
            % {"round": round.title}
        )
    progress(ReportStep.ANALYSING)
    analysis = services.analyse(round)
    data = analysis.data
    if not data.competency_items and not data.barrier_items:
        raise ReportError(
            _(
                "The survey of the round %(round)s asks no competency or barrier questions, so "
                "there is nothing to analyse."
            )
            % {"round": round.title}
        )
    progress(ReportStep.TABLES)
    competencies = [
        Competency(item.competency.code, item.competency.title) for item in data.competency_items
    ]
    if spec.kind == ReportKind.LIBRARY:
        return _library_content(spec, analysis, competencies)
    return _national_content(spec, analysis, competencies)


def _groups(analysis, grouping: str, keys=None) -> list[GroupFigures]:
    """The groups of a grouping (all, or those of `keys` in that order) with their figures."""
    table = analysis.competencies.get(grouping)
    if table is None:
        return []
    keys = [int(key) for key in (table.keys if keys is None else keys)]
    names = services.group_names(grouping, keys)
    groups = []
    for key in keys:
        row = analysis.competency_row(grouping, key)
        if row is None:
            continue
        cells = [_cell(table, row, column) for column in range(table.n.shape[1])]
        groups.append(GroupFigures(grouping, key, names.get(key, str(key)), cells))
    return groups


def _national_content(spec, analysis, competencies) -> ReportContent:
    group_by = spec.group_by
    heat_rows = services.heat_rows(analysis, group_by)
    # The groups in the heat map's order (by name), so both tables read alike.
    groups = _groups(analysis, group_by, [row.key for row in heat_rows])
    nation = _groups(analysis, NATION, [0])
    tables = {group_by: groups, NATION: nation} if competencies else {}
    heat = [
        HeatLine(
            row.name,
            [(_figure(cell.mean_gap, hidden=cell.suppressed), cell.shade) for cell in row.cells],
        )
        for row in heat_rows
    ]
    units, barriers = _barriers_by_role(analysis)
    title = _("National analysis report: %(round)s") % {"round": spec.round.title}
    return ReportContent(
        spec=spec,
        title=title,
        generated_at=timezone.now(),
        method=_method(analysis, tables, has_barriers=bool(barriers)),
        competencies=competencies,
        tables=tables,
        gaps=_gap_lines(services.largest_gaps(analysis, top=TOP_GAPS)),
        heat=heat,
        barrier_units=units,
        barriers=barriers,
    )


def _library_content(spec, analysis, competencies) -> ReportContent:
    library = spec.library
    if library is None:
        raise ReportError(_("Choose the library the report is about."))
    found = analysis.competency_row(LIBRARY, library.pk) is not None or (
        analysis.barrier_row(LIBRARY, library.pk) is not None
    )
    if not found:
        raise ReportError(
            _("%(library)s has no responses in the round %(round)s.")
            % {"library": library.name, "round": spec.round.title}
        )
    units = [
        (LIBRARY, library.pk),
        (MUNICIPALITY, library.municipality_id),
        (NATION, 0),
    ]
    tables = {}
    if competencies:
        tables = {grouping: _groups(analysis, grouping, [key]) for grouping, key in units}
    own = tables.get(LIBRARY, [])
    library_hidden = bool(own) and own[0].all_hidden
    gaps = []
    if not library_hidden:
        gaps = _gap_lines(services.largest_gaps(analysis, within=(LIBRARY, library.pk), top=5))
    names, barriers = _barriers_by_unit(analysis, units)
    title = _("Library report: %(library)s – %(round)s") % {
        "library": library.name,
        "round": spec.round.title,
    }
    return ReportContent(
        spec=spec,
        title=title,
        generated_at=timezone.now(),
        method=_method(analysis, tables, has_barriers=bool(barriers)),
        competencies=competencies,
        tables=tables,
        gaps=gaps,
        barrier_units=names,
        barriers=barriers,
        library_hidden=library_hidden,
    )


def _gap_lines(gaps: list[services.Gap]) -> list[GapLine]:
    return [
        GapLine(
            competency=Competency(gap.competency.code, gap.competency.title),
            role=gap.role_name if gap.role else "",
            need_level=f"{gap.need.value} {gap.need.label}" if gap.need else "",
            mean=_figure(gap.mean, hidden=False),
            mean_gap=_figure(gap.mean_gap, hidden=False),
            share_below=_figure(gap.share_below, hidden=False, style="share"),
            n_need=_figure(gap.n_need or None, hidden=False, style="count"),
            descriptor=gap.descriptor,
        )
        for gap in gaps
    ]


def _barrier_values(analysis, column: int, units) -> list[BarrierValue]:
    values = []
    for name, grouping, key in units:
        table = analysis.barriers[grouping]
        row = analysis.barrier_row(grouping, key)
        if row is None:
            values.append(
                BarrierValue(name, _figure(None, hidden=False), _figure(None, hidden=False))
            )
            continue
        hidden = bool(table.suppressed[row, column])
        n = int(table.n[row, column])
        values.append(
            BarrierValue(
                name,
                _figure(n or None, hidden=hidden, style="count"),
                _figure(table.share_agreeing[row, column], hidden=hidden, style="share"),
            )
        )
    return values


def _barrier_lines(analysis, units) -> list[BarrierLine]:
    return [
        BarrierLine(
            code=item.code,
            statement=item.text,
            category=item.barrier.title if item.barrier else "",
            values=_barrier_values(analysis, column, units),
        )
        for column, item in enumerate(analysis.data.barrier_items)
    ]


def _barriers_by_role(analysis) -> tuple[list[str], list[BarrierLine]]:
    """Staff and leaders in the nation, per barrier statement."""
    if STAFF_OR_LEADER not in analysis.barriers:
        return [], []
    names = services.group_names(STAFF_OR_LEADER, [dataset.STAFF, dataset.LEADERS])
    units = [(names[key], STAFF_OR_LEADER, key) for key in (dataset.STAFF, dataset.LEADERS)]
    return [unit[0] for unit in units], _barrier_lines(analysis, units)


def _barriers_by_unit(analysis, units) -> tuple[list[str], list[BarrierLine]]:
    """The library, its municipality and the nation, per barrier statement."""
    if not analysis.barriers:
        return [], []
    named = [
        (services.group_names(grouping, [key]).get(key, str(key)), grouping, key)
        for grouping, key in units
    ]
    return [unit[0] for unit in named], _barrier_lines(analysis, named)


def _suppression(analysis, tables: dict[str, list[GroupFigures]]) -> list[Suppression]:
    counts = []
    for grouping, groups in tables.items():
        cells = [cell for group in groups for cell in group.cells]
        counts.append(
            Suppression(
                grouping=grouping,
                name=str(services.GROUPING_NAMES[grouping]),
                cells=sum(1 for cell in cells if not cell.empty),
                hidden=sum(1 for cell in cells if cell.suppressed),
                need_hidden=sum(
                    1 for cell in cells if cell.need_suppressed and not cell.suppressed
                ),
            )
        )
    return counts


def _method(analysis, tables, *, has_barriers: bool) -> Method:
    round, data, minimum = analysis.round, analysis.data, analysis.minimum
    rate = surveys.totals(round=round)
    shown = rate.invited >= minimum
    responses = data.respondents if data.respondents >= minimum else None
    framework = str(data.framework) if data.framework else ""
    scale = [
        ScaleLevel(level.value, level.label, level.description) for level in data.levels_of_scale
    ]
    notes = [_period_note(round)]
    if shown:
        notes.append(
            _(
                "%(invited)s people were invited through digikompas and %(answered)s of them "
                "answered: a response rate of %(rate)s %%."
            )
            % {
                "invited": rate.invited,
                "answered": rate.answered,
                "rate": _number(rate.percent, 0),
            }
        )
    elif rate.invited:
        notes.append(
            _("Fewer than %(minimum)s people were invited, so the response rate is not shown.")
            % {"minimum": minimum}
        )
    else:
        notes.append(_("No one was invited through digikompas; the responses were imported."))
    if responses is not None:
        notes.append(
            _("The analysis covers %(responses)s submitted responses, imported ones included.")
            % {"responses": responses}
        )
    else:
        notes.append(
            _("The analysis covers fewer than %(minimum)s responses, so every figure is hidden.")
            % {"minimum": minimum}
        )
    notes.append(
        _(
            "No figure describes fewer than %(minimum)s respondents. A figure about fewer than "
            "%(minimum)s is hidden, and so is every figure from which a hidden one could be "
            "worked out by subtraction – for instance a library whose municipality and other "
            "libraries are shown. Hidden figures are shown as “–”. An empty cell means that no "
            "one answered, or that no one there has a need for the competency."
        )
        % {"minimum": minimum}
    )
    if data.competency_items:
        notes.append(
            _(
                "Competence levels are self-assessed on the scale of the framework %(framework)s "
                "(below). The competence need is the level the target profile of the respondent's "
                "job role requires – for their kind of library where the framework has such a "
                "profile. The need figures (share below the need, mean gap) describe only "
                "respondents whose job role has a need for the competency; the gap of a "
                "respondent is how many levels they lie below their need (0 at or above it). "
                "The need figures are hidden on their own when those with or without a need "
                "would be too few. The confidence interval of a mean is the 95 %% interval of "
                "Student's t."
            )
            % {"framework": framework or _("(none)")}
        )
    if has_barriers:
        notes.append(
            _(
                "Barrier statements are answered from 1 (strongly disagree) to 5 (strongly "
                "agree); the share agreeing counts the answers of %(agree)s or more."
            )
            % {"agree": AGREES_FROM}
        )
    return Method(
        invited=rate.invited if shown else None,
        answered=rate.answered if shown else None,
        response_rate=rate.answered / rate.invited if shown else None,
        responses=responses,
        minimum=minimum,
        framework=framework,
        scale=scale,
        suppression=_suppression(analysis, tables),
        notes=notes,
    )


def _period_note(round: Round) -> str:
    return _(
        "The round %(round)s of the survey %(survey)s was open from %(opens)s to %(closes)s."
    ) % {
        "round": round.title,
        "survey": round.survey.title,
        "opens": _date(round.opens_at),
        "closes": _date(round.closes_at),
    }


def _date(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")
