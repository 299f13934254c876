"""The report as an XLSX workbook (openpyxl): a method sheet, a sheet per table of figures, the
largest gaps and the barriers; numbers as numbers, hidden figures as "–", empty ones blank.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from .content import HIDDEN, Figure, ReportContent, Suppression, _date, in_language


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
