"""Reports of a round's gap analysis: the national analysis report and the library report, each
as PDF (HTML rendered by WeasyPrint), XLSX (openpyxl) or JSON.

`build(spec, progress=…)` returns (bytes, file name, content type). It runs in two halves:
`collect` reads the analysis (services.analyse: the engine's tables with anonymity enforced)
into a ReportContent of plain figures, and `render_pdf` / `render_xlsx` / `render_json` write
that one content, so the three formats always say the same.

Anonymity: every figure is read from the engine's tables and nothing is recomputed from
answers. A figure the engine suppressed is a Figure with `hidden` set: "–" in the PDF and the
workbook, null with `"suppressed": true` in JSON. A figure with no one to describe (no answers,
no one with a need) is empty: blank in the PDF and the workbook, null in JSON.

The JSON structure (`"schema": "digikompas.gap-report/1"`; numbers are numbers, shares are
fractions 0–1, dates ISO 8601):

    {"schema", "kind": "national" | "library", "title", "language", "generated_at",
     "round": {"id", "title", "survey", "opens_at", "closes_at"},
     "library": null | {"id", "code", "name", "municipality"},
     "group_by": null | "municipality" | "library" | "region" | "role",
     "library_hidden": bool,  # library reports: every figure of the library is hidden
     "method": {"invited", "answered", "response_rate", "responses",  # null when not shown
                "anonymity_minimum", "framework", "notes": [text],
                "scale": [{"value", "label", "description"}],
                "suppression": [{"grouping", "cells", "suppressed", "need_suppressed"}]},
     "competencies": [{"code", "title"}],
     "tables": {grouping: [{"key", "name", "competency", "n", "mean", "sd", "ci_low",
                            "ci_high", "n_need", "share_below", "mean_gap",
                            "suppressed", "need_suppressed"}]},
     "largest_gaps": [{"competency", "title", "role", "need_level", "mean", "mean_gap",
                       "share_below", "n_need", "descriptor"}],
     "barriers": {"units": [name], "items": [{"code", "statement", "category",
                  "values": [{"unit", "n", "share_agreeing", "suppressed"}]}]}}
"""

from __future__ import annotations

import datetime
import functools
import io
import json
import math
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from digikompas.orgs.models import Library
from digikompas.surveys import services as surveys
from digikompas.surveys.models import AGREES_FROM, Round

from . import charts, dataset, services
from .dataset import LIBRARY, MUNICIPALITY, NATION, STAFF_OR_LEADER
from .models import FileFormat, GroupBy, ReportKind, ReportStep

HIDDEN = "–"
CONTENT_TYPES = {
    FileFormat.PDF: "application/pdf",
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.JSON: "application/json",
}
SCHEMA = "digikompas.gap-report/1"
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


class Built(NamedTuple):
    content: bytes
    filename: str
    content_type: str


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


# -- collecting the figures ----------------------------------------------------------------------


def build(spec: ReportSpec, *, progress: Progress | None = None) -> Built:
    """The report as a file: (content, file name, content type)."""
    progress = progress or (lambda step: None)
    content = collect(spec, progress=progress)
    progress(ReportStep.RENDERING)
    return Built(render(content), filename_of(spec), CONTENT_TYPES[spec.file_format])


def render(content: ReportContent) -> bytes:
    renderers = {
        FileFormat.PDF: render_pdf,
        FileFormat.XLSX: render_xlsx,
        FileFormat.JSON: render_json,
    }
    return renderers[content.spec.file_format](content)


def in_language(function):
    """Run a builder in the report's language (its ReportSpec or ReportContent's spec)."""

    @functools.wraps(function)
    def wrapped(subject, *args, **kwargs):
        spec = subject if isinstance(subject, ReportSpec) else subject.spec
        with translation.override(spec.language):
            return function(subject, *args, **kwargs)

    return wrapped


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


def filename_of(spec: ReportSpec) -> str:
    def slug(text: str) -> str:
        for danish, ascii in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
            text = text.replace(danish, ascii).replace(danish.upper(), ascii.capitalize())
        return slugify(text) or "x"

    if spec.kind == ReportKind.LIBRARY and spec.library is not None:
        subject = slug(spec.library.name)
    else:
        subject = f"national-{spec.group_by}"
    return f"digikompas-{slug(spec.round.title)}-{subject}.{spec.file_format}"


# -- PDF -----------------------------------------------------------------------------------------

# Static files are fetched through this made-up origin, which the fetcher below maps to the files
# the staticfiles finders find; a report never loads anything from the network.
ASSETS = "https://digikompas.invalid/static/"


@in_language
def render_html(content: ReportContent) -> str:
    """The report as the HTML document WeasyPrint prints."""
    template = (
        "analysis/report_national.html" if content.is_national else "analysis/report_library.html"
    )
    return render_to_string(template, _pdf_context(content))


# Tagged, so that screen readers and reflow know the headings, tables and reading order.
PDF_OPTIONS = {"pdf_tags": True}


def render_document(content: ReportContent):
    """The report laid out in pages (a weasyprint.Document), before it is written as PDF."""
    import weasyprint

    html = weasyprint.HTML(
        string=render_html(content), base_url=ASSETS, url_fetcher=_static_fetcher()
    )
    return html.render(**PDF_OPTIONS)


def render_pdf(content: ReportContent) -> bytes:
    return render_document(content).write_pdf(**PDF_OPTIONS)


def _static_fetcher():
    import weasyprint
    from weasyprint.urls import URLFetcherResponse

    class StaticFetcher(weasyprint.URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(ASSETS):
                raise ValueError(f"A report loads no external resource: {url}")
            found = finders.find(unquote(url[len(ASSETS) :].split("?")[0]))
            if not found:
                raise ValueError(f"No static file at {url}")
            content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, Path(found).read_bytes(), headers={"Content-Type": content_type}
            )

    # A missing stylesheet or font stops the build rather than print a plain page.
    return StaticFetcher(fail_on_errors=True)


def _pdf_context(content: ReportContent) -> dict:
    context = {
        "report": content,
        "round": content.round,
        "language": translation.get_language(),
        "assets": ASSETS,
        "hidden": HIDDEN,
        "wide": len(content.competencies) > 6,
    }
    nation = content.tables.get(NATION, [])
    if content.is_national:
        context["group_by_name"] = content.grouping_name(content.spec.group_by)
        # The shades of services.HeatCell.shade: a quarter of a level each.
        bounds = [_number(q / 4, 2) for q in range(1, 4)]
        context["legend"] = [
            (0, "0"),
            *((shade, f"≤ {bound}") for shade, bound in enumerate(bounds, start=1)),
            (4, f"> {bounds[-1]}"),
        ]
        if nation:
            context["nation_rows"] = list(zip(content.competencies, nation[0].cells, strict=True))
            context["gap_chart"] = charts.svg(
                charts.gap_bars(
                    [
                        {"label": c.title, "gap": cell.mean_gap.number}
                        for c, cell in zip(content.competencies, nation[0].cells, strict=True)
                    ],
                    title_gap=_("Mean gap (levels)"),
                    title_competency=_("Competency"),
                )
            )
        if content.barriers:
            context["barrier_chart"] = charts.svg(
                charts.barrier_bars(
                    [
                        {"label": line.statement, "group": value.unit, "share": value.share.number}
                        for line in content.barriers
                        for value in line.values
                    ],
                    title_share=_("Share agreeing"),
                    title_group=_("Group"),
                )
            )
    else:
        units, comparison = _comparison(content)
        context["units"], context["comparison"] = units, comparison
        if any(cell.mean.value is not None for _c, cells in comparison for cell in cells):
            context["comparison_chart"] = charts.svg(
                charts.comparison_dots(
                    [
                        {"label": competency.title, "unit": unit, "mean": cell.mean.number}
                        for competency, cells in comparison
                        for unit, cell in zip(units, cells, strict=True)
                    ],
                    title_level=_("Mean level"),
                    title_competency=_("Competency"),
                    title_unit=_("Unit"),
                )
            )
    return context


def _comparison(content: ReportContent) -> tuple[list[str], list[tuple[Competency, list[Cell]]]]:
    """The names of the library, its municipality and Denmark (those with answers), and per
    competency their cells in that order."""
    groups = [groups[0] for groups in content.tables.values() if groups]
    rows = [
        (competency, [group.cells[column] for group in groups])
        for column, competency in enumerate(content.competencies)
    ]
    return [group.name for group in groups], rows


# -- XLSX ----------------------------------------------------------------------------------------


@in_language
def render_xlsx(content: ReportContent) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list], widths: list[int], formats_=()):
        ws = workbook.create_sheet(_sheet_title(title, workbook))
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            ws.append(row)
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        for column, number_format in formats_:
            for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = number_format
        ws.freeze_panes = "A2"
        if rows:
            ws.auto_filter.ref = ws.dimensions
        return ws

    method = workbook.active
    method.title = _sheet_title(_("Method"), workbook)
    _method_sheet(method, content, bold)

    header = [
        _("Group"),
        _("Code"),
        _("Competency"),
        _("n"),
        _("Mean level"),
        _("Standard deviation"),
        _("95 % CI, low"),
        _("95 % CI, high"),
        _("n with a need"),
        _("Share below the need"),
        _("Mean gap"),
        _("Hidden (anonymity)"),
        _("Need figures hidden"),
    ]
    for grouping, groups in content.tables.items():
        rows = [
            [
                group.name,
                competency.code,
                competency.title,
                *(
                    _xlsx_value(figure)
                    for figure in (
                        cell.n,
                        cell.mean,
                        cell.sd,
                        cell.ci_low,
                        cell.ci_high,
                        cell.n_need,
                        cell.share_below,
                        cell.mean_gap,
                    )
                ),
                cell.suppressed,
                cell.need_suppressed,
            ]
            for group in groups
            for competency, cell in zip(content.competencies, group.cells, strict=True)
        ]
        number_formats = [(c, "0.00") for c in (5, 6, 7, 8, 11)] + [(10, "0%")]
        sheet(
            content.grouping_name(grouping),
            header,
            rows,
            [28, 8, 36, 8, 10, 10, 10, 10, 10, 12, 10, 12, 12],
            number_formats,
        )

    if content.gaps:
        sheet(
            _("Largest gaps"),
            [
                _("Code"),
                _("Competency"),
                _("Job role"),
                _("Needed level"),
                _("Mean level"),
                _("Mean gap"),
                _("Share below the need"),
                _("n with a need"),
                _("What the needed level means"),
            ],
            [
                [
                    gap.competency.code,
                    gap.competency.title,
                    gap.role,
                    gap.need_level,
                    _xlsx_value(gap.mean),
                    _xlsx_value(gap.mean_gap),
                    _xlsx_value(gap.share_below),
                    _xlsx_value(gap.n_need),
                    gap.descriptor,
                ]
                for gap in content.gaps
            ],
            [8, 36, 22, 16, 10, 10, 12, 10, 60],
            [(5, "0.00"), (6, "0.00"), (7, "0%")],
        )

    if content.barriers:
        rows = [
            [
                line.code,
                line.statement,
                line.category,
                value.unit,
                _xlsx_value(value.n),
                _xlsx_value(value.share),
                value.share.hidden,
            ]
            for line in content.barriers
            for value in line.values
        ]
        sheet(
            _("Barriers"),
            [
                _("Code"),
                _("Statement"),
                _("Barrier"),
                _("Group"),
                _("n"),
                _("Share agreeing"),
                _("Hidden (anonymity)"),
            ],
            rows,
            [12, 50, 20, 24, 8, 12, 12],
            [(6, "0%")],
        )

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_value(figure: Figure):
    """A number as a number; "–" when hidden; blank when empty."""
    return HIDDEN if figure.hidden else figure.value


def _sheet_title(title: str, workbook) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the workbook.
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title))[:31]
    taken = set(workbook.sheetnames)
    candidate, number = cleaned, 2
    while candidate in taken:
        suffix = f" {number}"
        candidate, number = cleaned[: 31 - len(suffix)] + suffix, number + 1
    return candidate


def _method_sheet(ws, content: ReportContent, bold) -> None:
    from openpyxl.styles import Alignment

    method = content.method
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 32
    ws.column_dimensions["B"].width = 100
    ws.append([content.title])
    ws["A1"].font = bold
    ws.append([])
    facts = [
        (_("Round"), content.round.title),
        (_("Survey"), content.round.survey.title),
        (_("Opens"), _date(content.round.opens_at)),
        (_("Closes"), _date(content.round.closes_at)),
        (_("Made"), _date(content.generated_at)),
        (_("Invited"), method.invited if method.invited is not None else HIDDEN),
        (_("Answered"), method.answered if method.answered is not None else HIDDEN),
        (
            _("Response rate"),
            method.response_rate if method.response_rate is not None else HIDDEN,
        ),
        (_("Responses analysed"), method.responses if method.responses is not None else HIDDEN),
        (_("Anonymity minimum"), method.minimum),
        (_("Competence framework"), method.framework),
    ]
    if content.spec.library is not None:
        facts.insert(2, (_("Library"), content.spec.library.name))
    else:
        facts.insert(2, (_("Grouped by"), content.grouping_name(content.spec.group_by)))
    for label, value in facts:
        ws.append([label, value])
        ws.cell(ws.max_row, 1).font = bold
        if label == _("Response rate") and isinstance(value, float):
            ws.cell(ws.max_row, 2).number_format = "0%"
        ws.cell(ws.max_row, 2).alignment = Alignment(horizontal="left")
    ws.append([])
    if content.library_hidden:
        ws.append([_("Note"), _library_hidden_note(content)])
        ws.cell(ws.max_row, 2).alignment = wrap
    for note in method.notes:
        ws.append(["", note])
        ws.cell(ws.max_row, 2).alignment = wrap
    if method.suppression:
        ws.append([])
        ws.append([_("Hidden figures"), _("Table: hidden of all figures (need figures only)")])
        ws.cell(ws.max_row, 1).font = bold
        for count in method.suppression:
            ws.append([count.name, _suppression_text(count)])
    if method.scale:
        ws.append([])
        ws.append([_("Scale"), ""])
        ws.cell(ws.max_row, 1).font = bold
        for level in method.scale:
            ws.append([f"{level.value} {level.label}", level.description])
            ws.cell(ws.max_row, 2).alignment = wrap


def _suppression_text(count: Suppression) -> str:
    return _("%(hidden)s of %(cells)s hidden (%(need)s more with only the need figures hidden)") % {
        "hidden": count.hidden,
        "cells": count.cells,
        "need": count.need_hidden,
    }


def _library_hidden_note(content: ReportContent) -> str:
    return _(
        "The figures of %(library)s are hidden: fewer than %(minimum)s people there answered, or "
        "the figures could be worked out from the others by subtraction. The municipality and "
        "Denmark are shown for comparison."
    ) % {"library": content.spec.library.name, "minimum": content.method.minimum}


# -- JSON ----------------------------------------------------------------------------------------


@in_language
def render_json(content: ReportContent) -> bytes:
    return json.dumps(as_json(content), ensure_ascii=False, indent=2, allow_nan=False).encode()


def as_json(content: ReportContent) -> dict:
    spec, method = content.spec, content.method
    library = spec.library
    return {
        "schema": SCHEMA,
        "kind": spec.kind,
        "title": content.title,
        "language": spec.language,
        "generated_at": content.generated_at.isoformat(),
        "round": {
            "id": spec.round.pk,
            "title": spec.round.title,
            "survey": spec.round.survey.title,
            "opens_at": spec.round.opens_at.isoformat(),
            "closes_at": spec.round.closes_at.isoformat(),
        },
        "library": None
        if library is None
        else {
            "id": library.pk,
            "code": library.code,
            "name": library.name,
            "municipality": library.municipality.name,
        },
        "group_by": spec.group_by if spec.kind == ReportKind.NATIONAL else None,
        "library_hidden": content.library_hidden,
        "method": {
            "invited": method.invited,
            "answered": method.answered,
            "response_rate": method.response_rate,
            "responses": method.responses,
            "anonymity_minimum": method.minimum,
            "framework": method.framework,
            "notes": method.notes,
            "scale": [vars(level) for level in method.scale],
            "suppression": [
                {
                    "grouping": count.grouping,
                    "cells": count.cells,
                    "suppressed": count.hidden,
                    "need_suppressed": count.need_hidden,
                }
                for count in method.suppression
            ],
        },
        "competencies": [vars(competency) for competency in content.competencies],
        "tables": {
            grouping: [
                {
                    "key": group.key,
                    "name": group.name,
                    "competency": competency.code,
                    "n": cell.n.value,
                    "mean": cell.mean.value,
                    "sd": cell.sd.value,
                    "ci_low": cell.ci_low.value,
                    "ci_high": cell.ci_high.value,
                    "n_need": cell.n_need.value,
                    "share_below": cell.share_below.value,
                    "mean_gap": cell.mean_gap.value,
                    "suppressed": cell.suppressed,
                    "need_suppressed": cell.need_suppressed,
                }
                for group in groups
                for competency, cell in zip(content.competencies, group.cells, strict=True)
            ]
            for grouping, groups in content.tables.items()
        },
        "largest_gaps": [
            {
                "competency": gap.competency.code,
                "title": gap.competency.title,
                "role": gap.role or None,
                "need_level": gap.need_level or None,
                "mean": gap.mean.value,
                "mean_gap": gap.mean_gap.value,
                "share_below": gap.share_below.value,
                "n_need": gap.n_need.value,
                "descriptor": gap.descriptor or None,
            }
            for gap in content.gaps
        ],
        "barriers": {
            "units": content.barrier_units,
            "items": [
                {
                    "code": line.code,
                    "statement": line.statement,
                    "category": line.category,
                    "values": [
                        {
                            "unit": value.unit,
                            "n": value.n.value,
                            "share_agreeing": value.share.value,
                            "suppressed": value.share.hidden,
                        }
                        for value in line.values
                    ],
                }
                for line in content.barriers
            ],
        },
    }
