"""The effect of a programme (effect.py) in words and as files: the texts the page, the JSON and
the workbook share, `as_json`/`render_json` (also the API's answer) and `render_xlsx` (sheets
"Effect" and "Method").

Everything is written in the active language. Only what the Effect holds is written, and it
holds only figures cleared for anonymity: a hidden figure is null in JSON and an empty cell with
a note in the workbook.

The JSON (`"schema": "digikompas.pilot-effect/1"`; levels and changes in levels of the
framework's scale, dates ISO 8601):

    {"schema", "language", "generated_at", "title",
     "programme": {"id", "key", "title"},
     "before_round", "after_round": null | {"id", "title", "opens_at", "closes_at"},
     "preliminary": bool, "problems": [text], "anonymity_minimum", "confidence": 0.95,
     "groups": [{"key": "participants" | "non_participants", "name", "n", "status", "note"}],
     "neither": {"n", "status", "note"},   # enrolled, completed nothing: in neither group
     "all_competencies": null | row, "competencies": [row],
     "method": {"notes": [text], "composite": [code], "scale": [{"value", "label"}]}}

    row: {"identifier", "code", "title": {"da", "en"}, "built_by_programme", "reading",
          "participants": cell, "non_participants": cell, "comparison": comparison}
    cell: {"status", "note", "n", "mean_before", "mean_after", "mean_change", "sd_change",
           "ci_low", "ci_high", "df", "effect_size" (Cohen's d_z), "magnitude"}
    comparison: {"status", "note", "difference", "ci_low", "ci_high", "df" (Welch),
                 "hedges_g", "magnitude"}

`status` is shown, empty (describes no one), too_few, group_hidden or (comparison) no_spread.
"""

from __future__ import annotations

import io
import json
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .effect import (
    CONFIDENCE,
    EMPTY,
    GROUP_HIDDEN,
    GROUP_NOUNS,
    NO_SPREAD,
    NON_PARTICIPANTS,
    PARTICIPANTS,
    SHOWN,
    TOO_FEW,
    Cell,
    Comparison,
    Count,
    Effect,
    Group,
    Row,
    magnitude,
    magnitude_text,
)

SCHEMA = "digikompas.pilot-effect/1"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_TYPE = "application/json"
# Decimals of the levels and changes, in the tables and in the sentences that read them: one
# decimal would show a difference of 0.13 (0.11 to 0.15) as "0.1 (0.1 to 0.1)".
PLACES = 2
READING_PLACES = 2


def filename(effect: Effect, extension: str) -> str:
    """effect-<programme key>-<today>.<extension>: the key is a slug, so ASCII."""
    return f"effect-{effect.programme.key}-{timezone.localdate().isoformat()}.{extension}"


# -- numbers and texts shared by the page and the files ------------------------------------------


def number(value: float | None, places: int = PLACES) -> str:
    """Rounded half up and written the active language's way; a dash for no value."""
    if value is None:
        return "–"
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.0"
    return formats.number_format(rounded, decimal_pos=places)


def interval(value, low, high, places: int = PLACES) -> str:
    """ "0.8 (0.5 to 1.1)": a value with its 95% confidence interval (just the value when it
    has none)."""
    if low is None or high is None:
        return number(value, places)
    # Translators: a value with its 95% confidence interval, e.g. "0.8 (0.5 to 1.1)"
    return _("%(value)s (%(low)s to %(high)s)") % {
        "value": number(value, places),
        "low": number(low, places),
        "high": number(high, places),
    }


MAGNITUDE_NAMES = {
    "large": _lazy("large"),
    "medium": _lazy("medium"),
    "small": _lazy("small"),
    "negligible": _lazy("negligible"),
}


def effect_size(value: float | None) -> str:
    """ "0.85 (large)": an effect size with its size in words; a dash for none."""
    if value is None:
        return "–"
    # Translators: an effect size and its size in words, e.g. "0.85 (large)"
    return _("%(value)s (%(size)s)") % {
        "value": number(value),
        "size": MAGNITUDE_NAMES[magnitude(value)],
    }


def title(effect: Effect) -> str:
    return _("Effect of %(programme)s") % {"programme": effect.programme.title}


def group_note(group: Group, minimum: int) -> str:
    noun = GROUP_NOUNS[group.key]
    if group.status == GROUP_HIDDEN:
        return _(
            "Not shown: fewer than %(minimum)s %(group)s answered both rounds, so nothing "
            "about them is shown."
        ) % {"minimum": minimum, "group": noun}
    if group.status == EMPTY:
        return _("No %(group)s answered both rounds.") % {"group": noun}
    return ""


def neither_note(neither: Count, minimum: int) -> str:
    if neither.status == EMPTY:
        return _("No one who answered both rounds enrolled without completing a module.")
    if neither.status == TOO_FEW:
        return _(
            "Fewer than %(minimum)s people who answered both rounds enrolled but completed no "
            "module; they are in neither group."
        ) % {"minimum": minimum}
    return _(
        "%(n)s people who answered both rounds enrolled but completed no module; they are in "
        "neither group."
    ) % {"n": neither.n}


def cell_note(cell: Cell, minimum: int, *, overall: bool = False) -> str:
    """Why a cell shows no figures, or why it lacks some of them; empty when it has them all."""
    noun = GROUP_NOUNS[cell.group]
    if cell.status == GROUP_HIDDEN:
        return _("Not shown: fewer than %(minimum)s %(group)s answered both rounds.") % {
            "minimum": minimum,
            "group": noun,
        }
    if cell.status == TOO_FEW:
        if overall:
            return _("Not shown: no competency has figures shown for every group shown.")
        return _(
            "Not shown: fewer than %(minimum)s %(group)s rated this competency in both rounds."
        ) % {"minimum": minimum, "group": noun}
    if cell.status == EMPTY:
        return _("No %(group)s rated this competency in both rounds.") % {"group": noun}
    if cell.no_spread:
        return _(
            "Everyone changed by the same amount, so there is no spread: no confidence interval "
            "or effect size can be given."
        )
    if cell.sd_change is None:
        return _("One person: no spread, confidence interval or effect size can be given.")
    return ""


def comparison_note(row: Row) -> str:
    comparison = row.comparison
    if comparison.status == NO_SPREAD:
        return _(
            "Everyone in both groups changed by the same amount: no confidence interval or "
            "effect size can be given."
        )
    if comparison.status != SHOWN:
        return _("No comparison: the change of both groups must be shown to compare them.")
    return ""


def _change_of(group: str, change: float) -> str:
    rounded = number(change, READING_PLACES)
    size = number(abs(change), READING_PLACES)
    if group == PARTICIPANTS:
        if rounded == number(0, READING_PLACES):
            return _("Participants stayed at the same level on average")
        if change > 0:
            return _("Participants rose %(change)s levels on average") % {"change": size}
        return _("Participants fell %(change)s levels on average") % {"change": size}
    if rounded == number(0, READING_PLACES):
        return _("non-participants stayed at the same level")
    if change > 0:
        return _("non-participants rose %(change)s") % {"change": size}
    return _("non-participants fell %(change)s") % {"change": size}


def reading(row: Row) -> str:
    """The row in a sentence or two, e.g. "Participants rose 0.8 levels on average;
    non-participants rose 0.1; the difference is 0.7 (0.4 to 1.0), a large effect."."""
    first, second, comparison = row.participants, row.non_participants, row.comparison
    if not first.shown:
        if first.status == EMPTY:
            return _("No participants rated this in both rounds, so there is no change to show.")
        return _("Too few participants rated this in both rounds to show their change.")
    if comparison.shown:
        size = magnitude_text(comparison.hedges_g) or _("an effect size that cannot be given")
        difference = _("the difference is %(difference)s, %(size)s") % {
            "difference": interval(
                comparison.difference, comparison.ci_low, comparison.ci_high, READING_PLACES
            ),
            "size": size,
        }
        # Translators: e.g. "Participants rose 0.8 levels on average; non-participants rose
        # 0.1; the difference is 0.7 (0.4 to 1.0), a large effect."
        text = _("%(participants)s; %(others)s; %(difference)s.") % {
            "participants": _change_of(PARTICIPANTS, first.mean_change),
            "others": _change_of(NON_PARTICIPANTS, second.mean_change),
            "difference": difference,
        }
        if _includes_zero(comparison.ci_low, comparison.ci_high):
            text = f"{text} {_('The interval includes 0: the difference may be chance.')}"
        return text
    own = _change_of(PARTICIPANTS, first.mean_change)
    if first.ci_low is not None:
        # Translators: e.g. "Participants rose 0.8 levels on average (0.5 to 1.1)"
        own = _("%(change)s (%(low)s to %(high)s)") % {
            "change": own,
            "low": number(first.ci_low, READING_PLACES),
            "high": number(first.ci_high, READING_PLACES),
        }
    if first.effect_size is not None:
        own = _("%(change)s, %(size)s") % {
            "change": own,
            "size": magnitude_text(first.effect_size),
        }
    own = f"{own}."
    if _includes_zero(first.ci_low, first.ci_high):
        own = f"{own} {_('The interval includes 0: the change may be chance.')}"
    if second.status == EMPTY:
        other = _(
            "No non-participants rated this in both rounds, so there is no one to compare with."
        )
    elif second.status == GROUP_HIDDEN:
        other = _(
            "Too few non-participants answered both rounds to show them, so there is no one "
            "to compare with."
        )
    elif second.status == TOO_FEW:
        other = _(
            "Too few non-participants rated this in both rounds to show them, so there is no "
            "one to compare with."
        )
    else:
        other = _("The change of the non-participants cannot be compared with it.")
    return f"{own} {other}"


def _includes_zero(low: float | None, high: float | None) -> bool:
    return low is not None and high is not None and low <= 0 <= high


def notes(effect: Effect) -> list[str]:
    """The method in plain words."""
    minimum = effect.minimum
    lines = [
        _(
            "Paired respondents: people who answered both the round before and the round "
            "after; each person's latest response in each round counts. Competencies are "
            "matched between the rounds by their identifier, which stays the same from one "
            "version of the competence framework to the next, and a person counts for a "
            "competency only when they rated it in both rounds."
        ),
        _(
            "Participants: paired people who completed at least one module of the programme. "
            "Non-participants: paired people who neither enrolled in a session of the "
            "programme (cancelled places do not count) nor completed a module. People who "
            "enrolled but completed no module are in neither group."
        ),
        _(
            "Change: the level after minus the level before, for each person. For each group "
            "the page gives the mean change with its 95 per cent confidence interval (Student's t "
            "distribution, n − 1 degrees of freedom) and the effect size Cohen's d_z: the mean "
            "change divided by the standard deviation of the changes. When everyone changed by "
            "the same amount, the standard deviation is 0 and no interval or effect size is "
            "given."
        ),
        _(
            "Comparison: the participants' mean change minus the non-participants', with its "
            "95 per cent confidence interval by Welch's t-test (Welch–Satterthwaite degrees of "
            "freedom, no assumption that both groups vary alike), and the effect size Hedges' g: "
            "the difference divided by the pooled standard deviation of the changes, corrected for "
            "small groups."
        ),
        _(
            "Effect sizes are read by Cohen's conventions: below 0.2 negligible, from 0.2 "
            "small, from 0.5 medium, from 0.8 large."
        ),
        _(
            "All competencies: each person's mean level over the competencies they rated in "
            "both rounds, before and after; only competencies shown for every group shown are "
            "included."
        ),
        _(
            "Anonymity: no figure describes fewer than %(minimum)s people. A group with fewer "
            "paired people is not shown at all, nor is a competency fewer than %(minimum)s in a "
            "group rated in both rounds, and a comparison is shown only when both groups are. "
            "The two groups are never added up, so a hidden group cannot be worked out from "
            "the one shown."
        )
        % {"minimum": minimum},
        _(
            "People chose to take part: participants may differ from non-participants in ways "
            "that also change their levels. The difference shows what changed together with "
            "taking part, not for certain what the programme caused."
        ),
    ]
    if effect.preliminary and effect.after_round is not None:
        lines.append(
            _(
                "The round after is still open: the figures are preliminary and will change as "
                "more people answer."
            )
        )
    return lines


def group_count(group: Group, minimum: int) -> str:
    """N in words for the method sheet and the page's summary."""
    if group.status == GROUP_HIDDEN:
        return _("fewer than %(minimum)s") % {"minimum": minimum}
    return str(group.n or 0)


def neither_count(neither: Count, minimum: int) -> str:
    if neither.status == TOO_FEW:
        return _("fewer than %(minimum)s") % {"minimum": minimum}
    return str(neither.n or 0)


# -- JSON ---------------------------------------------------------------------------------------


def _round(round) -> dict | None:
    if round is None:
        return None
    return {
        "id": round.pk,
        "title": round.title,
        "opens_at": round.opens_at.isoformat(),
        "closes_at": round.closes_at.isoformat(),
    }


def _cell(cell: Cell, minimum: int, *, overall: bool) -> dict:
    return {
        "status": cell.status,
        "note": cell_note(cell, minimum, overall=overall),
        "n": cell.n,
        "mean_before": cell.mean_before,
        "mean_after": cell.mean_after,
        "mean_change": cell.mean_change,
        "sd_change": cell.sd_change,
        "ci_low": cell.ci_low,
        "ci_high": cell.ci_high,
        "df": cell.df,
        "effect_size": cell.effect_size,
        "magnitude": cell.magnitude,
    }


def _comparison(row: Row) -> dict:
    comparison: Comparison = row.comparison
    return {
        "status": comparison.status,
        "note": comparison_note(row),
        "difference": comparison.difference,
        "ci_low": comparison.ci_low,
        "ci_high": comparison.ci_high,
        "df": comparison.df,
        "hedges_g": comparison.hedges_g,
        "magnitude": comparison.magnitude,
    }


def _row(row: Row, minimum: int) -> dict:
    overall = row.competency is None
    competency = row.competency
    return {
        "identifier": None if overall else str(competency.identifier),
        "code": row.code,
        "title": {"da": competency.title_da, "en": competency.title_en}
        if not overall
        else _all_competencies(),
        "built_by_programme": row.built_by_programme,
        "reading": reading(row),
        "participants": _cell(row.participants, minimum, overall=overall),
        "non_participants": _cell(row.non_participants, minimum, overall=overall),
        "comparison": _comparison(row),
    }


def _all_competencies() -> dict:
    titles = {}
    for language in ("da", "en"):
        with translation.override(language):
            titles[language] = _("All competencies")
    return titles


def as_json(effect: Effect) -> dict:
    """The effect as a JSON-ready dict (the API's answer and the file's content)."""
    programme = effect.programme
    minimum = effect.minimum
    return {
        "schema": SCHEMA,
        "language": translation.get_language(),
        "generated_at": effect.computed_at.isoformat(),
        "title": title(effect),
        "programme": {"id": programme.pk, "key": programme.key, "title": programme.title},
        "before_round": _round(effect.before_round),
        "after_round": _round(effect.after_round),
        "preliminary": effect.preliminary,
        "problems": list(effect.problems),
        "anonymity_minimum": minimum,
        "confidence": CONFIDENCE,
        "groups": [
            {
                "key": group.key,
                "name": group.name,
                "n": group.n,
                "status": group.status,
                "note": group_note(group, minimum),
            }
            for group in effect.groups
        ],
        "neither": {
            "n": effect.neither.n,
            "status": effect.neither.status,
            "note": neither_note(effect.neither, minimum),
        },
        "all_competencies": None if effect.overall is None else _row(effect.overall, minimum),
        "competencies": [_row(row, minimum) for row in effect.rows],
        "method": {
            "notes": notes(effect),
            "composite": list(effect.composite),
            "scale": [{"value": value, "label": label} for value, label in effect.scale],
        },
    }


def render_json(effect: Effect) -> bytes:
    return json.dumps(as_json(effect), ensure_ascii=False, indent=2).encode()


# -- the workbook ---------------------------------------------------------------------------------


def _lines(effect: Effect) -> list[tuple[Row, str, list]]:
    """The rows of the Effect sheet: per competency (all competencies first) both groups and
    the difference."""
    minimum = effect.minimum
    lines = []
    rows = ([effect.overall] if effect.overall is not None else []) + list(effect.rows)
    for row in rows:
        overall = row.competency is None
        for cell in row.cells:
            lines.append(
                [
                    row.code,
                    row.title,
                    _("Yes") if row.built_by_programme else ("" if overall else _("No")),
                    cell.group_name,
                    cell.n,
                    cell.mean_before,
                    cell.mean_after,
                    cell.mean_change,
                    cell.ci_low,
                    cell.ci_high,
                    cell.sd_change,
                    cell.df,
                    cell.effect_size,
                    _("Cohen's d_z") if cell.effect_size is not None else "",
                    _size_name(cell.effect_size),
                    cell_note(cell, minimum, overall=overall),
                ]
            )
        comparison = row.comparison
        lines.append(
            [
                row.code,
                row.title,
                _("Yes") if row.built_by_programme else ("" if overall else _("No")),
                _("Difference (participants − non-participants)"),
                None,
                None,
                None,
                comparison.difference,
                comparison.ci_low,
                comparison.ci_high,
                None,
                comparison.df,
                comparison.hedges_g,
                _("Hedges' g") if comparison.hedges_g is not None else "",
                _size_name(comparison.hedges_g),
                comparison_note(row) or reading(row),
            ]
        )
    return lines


def _size_name(value: float | None) -> str:
    return "" if value is None else str(MAGNITUDE_NAMES[magnitude(value)])


def render_xlsx(effect: Effect) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from digikompas.analysis.reports.xlsx import _sheet_title

    workbook = Workbook()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    sheet = workbook.active
    sheet.title = _sheet_title(_("Effect"), workbook)
    header = [
        _("Code"),
        _("Competency"),
        _("Built by the programme"),
        _("Group"),
        _("People (n)"),
        _("Mean level before"),
        _("Mean level after"),
        _("Mean change"),
        _("95% CI, low"),
        _("95% CI, high"),
        _("SD of the changes"),
        _("Degrees of freedom"),
        _("Effect size"),
        _("Measure"),
        _("Size"),
        _("Note"),
    ]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = wrap
    for line in _lines(effect):
        sheet.append(line)
    for index, width in enumerate(
        [8, 30, 10, 22, 9, 10, 10, 10, 10, 10, 10, 10, 10, 13, 18, 60], start=1
    ):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row[5:11] + row[12:13]:
            cell.number_format = "0.000"
        row[11].number_format = "0.0"
        row[1].alignment = row[15].alignment = wrap
    sheet.freeze_panes = "E2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions

    method = workbook.create_sheet()
    method.title = _sheet_title(_("Method"), workbook)
    _method_sheet(method, effect, bold=bold, wrap=wrap)

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _method_sheet(ws, effect: Effect, *, bold, wrap) -> None:
    from openpyxl.styles import Alignment

    minimum = effect.minimum
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 100
    ws.append([title(effect)])
    ws["A1"].font = bold
    ws.append([])
    before, after = effect.before_round, effect.after_round
    facts = [
        (_("Programme"), f"{effect.programme.title} ({effect.programme.key})"),
        (_("Round before"), _round_text(before)),
        (_("Round after"), _round_text(after)),
        (_("Made"), formats.date_format(timezone.localtime(effect.computed_at), "DATE_FORMAT")),
        (_("Preliminary"), _("Yes") if effect.preliminary else _("No")),
        (_("Anonymity minimum"), minimum),
        (_("Participants (paired people)"), group_count(effect.participants, minimum)),
        (_("Non-participants (paired people)"), group_count(effect.non_participants, minimum)),
        (_("Enrolled, completed no module"), neither_count(effect.neither, minimum)),
    ]
    for label, value in facts:
        ws.append([label, value])
        ws.cell(ws.max_row, 1).font = bold
        ws.cell(ws.max_row, 2).alignment = Alignment(horizontal="left")
    ws.append([])
    lines = [
        *effect.problems,
        *(group_note(group, minimum) for group in effect.groups if not group.shown),
        neither_note(effect.neither, minimum),
        *notes(effect),
    ]
    for index, line in enumerate(line for line in lines if line):
        ws.append([_("Notes") if index == 0 else "", line])
        ws.cell(ws.max_row, 1).font = bold
        ws.cell(ws.max_row, 2).alignment = wrap
    if effect.scale:
        ws.append([])
        ws.append([_("Scale"), ""])
        ws.cell(ws.max_row, 1).font = bold
        for value, label in effect.scale:
            ws.append([value, label])
            ws.cell(ws.max_row, 1).alignment = Alignment(horizontal="left")


def _round_text(round) -> str:
    if round is None:
        return _("not linked")
    opens = formats.date_format(timezone.localtime(round.opens_at), "DATE_FORMAT")
    closes = formats.date_format(timezone.localtime(round.closes_at), "DATE_FORMAT")
    return f"{round.title} ({opens} – {closes})"
