"""The coverage of a round's gaps by the offer catalogue (coverage.py) as files for the dialogue
with education institutions: an XLSX workbook (openpyxl) and an A4 landscape PDF (WeasyPrint),
made the way the analysis reports are (analysis/reports/xlsx.py and pdf.py).

Both are written in the active language: the view calls them inside the request's language.
They only write what Coverage holds, the national gaps per job role the engine has cleared for
the anonymity minimum, so they can show no smaller group than the coverage page does.
"""

from __future__ import annotations

import datetime
import io

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from digikompas.analysis.reports import pdf
from digikompas.analysis.reports.content import _date, _number
from digikompas.analysis.reports.xlsx import _sheet_title
from digikompas.orgs.models import JobRole

from .coverage import STATUS_NAMES, Coverage, GapCoverage, OfferFit, Status
from .models import EducationOffer

# Fills of the workbook (light, so black text stays readable), and the same in the PDF's CSS.
UNCOVERED_FILL = "F4CCCC"
PARTLY_FILL = "FFE599"
REACHES_FILL = "B6D7A8"


def filename(coverage: Coverage, extension: str) -> str:
    """coverage-<round pk>-<today>.<extension>: ASCII only, whatever the round is called."""
    return f"coverage-{coverage.round.pk}-{timezone.localdate().isoformat()}.{extension}"


# -- texts shared by both files -------------------------------------------------------------------


def title(coverage: Coverage) -> str:
    return _("Competence gaps and education offers – %(round)s") % {"round": coverage.round.title}


def notes(coverage: Coverage) -> list[str]:
    """The method, in plain words: where the gaps come from and how coverage is decided."""
    lines = [
        _(
            "The gaps are national, per job role: for each job role and competency, the mean "
            "number of levels the respondents whose role needs the competency lie below the "
            "level it needs (0 for those at or above it). Only gaps above 0 are listed."
        ),
        _(
            "Figures for groups of fewer than %(minimum)s respondents are not shown, nor figures "
            "from which such a group could be worked out, so a job role can be missing from the "
            "list even if some of its people have a gap."
        )
        % {"minimum": coverage.minimum},
        _(
            "An offer reaches a gap when it builds the competency to at least the level the job "
            "role needs and is meant for that role (or names no job roles). An offer falls short "
            "when it builds the competency to a lower level, or is meant for other job roles."
        ),
        _(
            "Covered: at least one offer reaches the gap. Partly covered: offers build the "
            "competency, but all of them fall short. Not covered: no offer builds the "
            "competency."
        ),
        _(
            "Offers are matched to the survey's competencies by the competency's identifier, "
            "which stays the same from one version of the competence framework to the next."
        ),
    ]
    if any(gap.gap.need is None for gap in coverage.gaps):
        lines.append(
            _(
                "Where no national level can be given for what a job role needs, no offer "
                "counts as reaching its gap."
            )
        )
    if any(offer.is_example for offer in coverage.offers):
        lines.append(
            _(
                "Offers marked as example data have assumed details (price, dates, hours): "
                "check them with the provider."
            )
        )
    return lines


def respondents_text(coverage: Coverage) -> str | int:
    if coverage.respondents < coverage.minimum:
        return _("fewer than %(minimum)s") % {"minimum": coverage.minimum}
    return coverage.respondents


def offer_name(offer: EducationOffer) -> str:
    return f"{offer.title} ({offer.provider.name})"


def need_text(gap: GapCoverage) -> str:
    need = gap.gap.need
    return str(need) if need is not None else _("no national level")


def short_text(fit: OfferFit) -> str:
    """An offer that falls short of a gap, and why."""
    reason = _("to level %(level)s %(name)s") % {"level": fit.level_reached, "name": fit.level_name}
    if not fit.for_role:
        reason = f"{reason}, {_('meant for other job roles')}"
    return f"{offer_name(fit.offer)}: {reason}"


def price_text(price: int | None) -> str:
    if price is None:
        return _("price not given")
    amount = formats.number_format(price, decimal_pos=0, force_grouping=True)
    # Translators: a price in Danish kroner
    return _("%(amount)s kr.") % {"amount": amount}


def time_text(offer: EducationOffer) -> str:
    """How much time the offer takes: ECTS points, hours and the duration as given."""
    parts = []
    if offer.ects is not None:
        whole = offer.ects == offer.ects.to_integral_value()
        parts.append(_("%(ects)s ECTS") % {"ects": _number(float(offer.ects), 0 if whole else 1)})
    if offer.hours is not None:
        parts.append(
            ngettext("%(hours)s hour", "%(hours)s hours", offer.hours) % {"hours": offer.hours}
        )
    if offer.duration:
        parts.append(offer.duration)
    return ", ".join(parts) or _("time not given")


def roles_text(offer: EducationOffer) -> str:
    if not offer.target_roles:
        return _("All job roles")
    names = dict(JobRole.choices)
    return ", ".join(str(names.get(role, role)) for role in offer.target_roles)


def place_text(offer: EducationOffer) -> str:
    parts = [offer.place] if offer.place else []
    if offer.online:
        parts.append(_("online"))
    return ", ".join(parts)


def cheapest(gap: GapCoverage) -> int | None:
    prices = [fit.offer.price_dkk for fit in gap.reaching if fit.offer.price_dkk is not None]
    return min(prices, default=None)


def summary(coverage: Coverage) -> list[tuple[str, str, int]]:
    """(status, its name, the number of gaps with it), in the order of Status."""
    return [(status.value, str(STATUS_NAMES[status]), coverage.count(status)) for status in Status]


# -- the workbook ---------------------------------------------------------------------------------


def render_xlsx(coverage: Coverage) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    fills = {
        Status.UNCOVERED: PatternFill(fill_type="solid", fgColor=UNCOVERED_FILL),
        Status.PARTLY: PatternFill(fill_type="solid", fgColor=PARTLY_FILL),
    }

    def sheet(ws, sheet_title: str, header: list[str], rows: list[list], widths: list[int]):
        ws.title = _sheet_title(sheet_title, workbook)
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = wrap
        for row in rows:
            ws.append(row)
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        if rows:
            ws.auto_filter.ref = ws.dimensions

    def number_formats(ws, formats_: dict[int, str]):
        for column, number_format in formats_.items():
            for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = number_format

    # 1. The gaps, one row per job role × competency.
    gaps = workbook.active
    sheet(
        gaps,
        _("Gaps"),
        [
            _("Code"),
            _("Competency"),
            _("Job role"),
            _("Needed level"),
            _("Needed level, name"),
            _("Mean level"),
            _("Mean gap"),
            _("Share below the need"),
            _("n with a need"),
            _("Status"),
            _("Number of offers that reach the need"),
            _("Offers that reach the need"),
            _("Cheapest reaching offer (kr.)"),
            _("Offers that fall short"),
            _("What the needed level means"),
        ],
        [
            [
                gap.competency.code,
                gap.competency.title,
                gap.gap.role_name,
                gap.gap.need.value if gap.gap.need is not None else None,
                gap.gap.need.label if gap.gap.need is not None else need_text(gap),
                gap.gap.mean,
                gap.gap.mean_gap,
                gap.gap.share_below,
                gap.gap.n_need,
                gap.status_name,
                len(gap.reaching),
                "; ".join(offer_name(fit.offer) for fit in gap.reaching),
                cheapest(gap),
                "; ".join(short_text(fit) for fit in gap.short),
                gap.gap.descriptor,
            ]
            for gap in coverage.gaps
        ],
        [8, 30, 18, 9, 16, 9, 9, 11, 9, 15, 10, 45, 13, 45, 45],
    )
    number_formats(gaps, {6: "0.00", 7: "0.00", 8: "0%", 13: "#,##0"})
    for gap, row in zip(coverage.gaps, gaps.iter_rows(min_row=2), strict=True):
        for cell in row:
            if gap.status in fills:
                cell.fill = fills[gap.status]
            if cell.column in (2, 12, 14, 15):
                cell.alignment = wrap

    # 2. The matrix: competencies with a gap × the offers that build one of them.
    matrix = workbook.create_sheet()
    sheet(
        matrix,
        _("Matrix"),
        [
            _("Code"),
            _("Competency"),
            _("Highest needed level"),
            *(offer_name(offer) for offer in coverage.offers),
        ],
        [
            [row.competency.code, row.competency.title, row.need, *row.levels]
            for row in coverage.matrix
        ],
        [8, 30, 10, *(18 for _offer in coverage.offers)],
    )
    matrix.freeze_panes = "D2"
    matrix.row_dimensions[1].height = 60
    reaches = PatternFill(fill_type="solid", fgColor=REACHES_FILL)
    for line, cells in zip(coverage.matrix, matrix.iter_rows(min_row=2, min_col=4), strict=True):
        for level, cell in zip(line.levels, cells, strict=True):
            cell.alignment = Alignment(horizontal="center")
            if line.reaches(level):
                cell.fill = reaches

    # 3. The offers of the matrix, with what an institution or a leader would compare.
    offers = workbook.create_sheet()
    sheet(
        offers,
        _("Offers"),
        [
            _("Offer"),
            _("Provider"),
            _("Kind"),
            _("Format"),
            _("ECTS points"),
            _("Hours"),
            _("Duration"),
            _("Price (kr.)"),
            _("Place"),
            _("Online"),
            _("Target job roles"),
            _("Start dates"),
            _("Link"),
            _("Example data"),
        ],
        [
            [
                offer.title,
                offer.provider.name,
                offer.get_kind_display(),
                offer.get_format_display(),
                offer.ects,
                offer.hours,
                offer.duration,
                offer.price_dkk,
                offer.place,
                _("Yes") if offer.online else _("No"),
                roles_text(offer),
                ", ".join(offer.start_dates),
                offer.link,
                _("Yes") if offer.is_example else _("No"),
            ]
            for offer in coverage.offers
        ],
        [36, 24, 18, 16, 8, 8, 18, 11, 16, 8, 28, 24, 36, 10],
    )
    number_formats(offers, {5: "0.0", 8: "#,##0"})
    for offer, row in zip(coverage.offers, offers.iter_rows(min_row=2), strict=True):
        row[0].alignment = row[10].alignment = wrap
        if offer.link:
            row[12].hyperlink = offer.link
            row[12].style = "Hyperlink"

    # 4. The method.
    method = workbook.create_sheet()
    method.title = _sheet_title(_("Method"), workbook)
    _method_sheet(method, coverage, bold=bold, wrap=wrap)

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _method_sheet(ws, coverage: Coverage, *, bold, wrap) -> None:
    from openpyxl.styles import Alignment

    round = coverage.round
    ws.column_dimensions["A"].width = 32
    ws.column_dimensions["B"].width = 100
    ws.append([title(coverage)])
    ws["A1"].font = bold
    ws.append([])
    framework = round.survey.framework
    facts = [
        (_("Round"), round.title),
        (_("Survey"), round.survey.title),
        (_("Competence framework"), str(framework) if framework else ""),
        (_("Opens"), _date(round.opens_at)),
        (_("Closes"), _date(round.closes_at)),
        (_("Made"), _date(timezone.now())),
        (_("Responses analysed"), respondents_text(coverage)),
        (_("Anonymity minimum"), coverage.minimum),
        *((name, count) for _status, name, count in summary(coverage)),
    ]
    for label, value in facts:
        ws.append([label, value])
        ws.cell(ws.max_row, 1).font = bold
        ws.cell(ws.max_row, 2).alignment = Alignment(horizontal="left")
    ws.append([])
    lines = [
        *notes(coverage),
        _(
            "Gaps sheet: the rows of gaps not covered are red, those partly covered yellow. "
            "Matrix sheet: each cell is the level the offer builds in the competency; a green "
            "cell reaches the highest level any job role with a gap needs, whatever job roles "
            "the offer is meant for."
        ),
    ]
    for number, line in enumerate(lines):
        ws.append([_("Notes") if number == 0 else "", line])
        ws.cell(ws.max_row, 1).font = bold
        ws.cell(ws.max_row, 2).alignment = wrap
    if coverage.levels:
        ws.append([])
        ws.append([_("Scale"), ""])
        ws.cell(ws.max_row, 1).font = bold
        for level in coverage.levels:
            ws.append([str(level), level.description])
            ws.cell(ws.max_row, 2).alignment = wrap


# -- the PDF ---------------------------------------------------------------------------------------


def render_html(coverage: Coverage) -> str:
    """The HTML document WeasyPrint prints."""
    return render_to_string("offers/coverage_pdf.html", _pdf_context(coverage))


def render_pdf(coverage: Coverage) -> bytes:
    return pdf.lay_out(render_html(coverage)).write_pdf(**pdf.PDF_OPTIONS)


def _pdf_context(coverage: Coverage) -> dict:
    groups: list[dict] = []
    for gap in coverage.gaps:  # in survey order of the competency: equal ones are adjacent
        if not groups or groups[-1]["competency"].pk != gap.competency.pk:
            groups.append({"competency": gap.competency, "rows": []})
        groups[-1]["rows"].append(
            {
                "gap": gap,
                "need": need_text(gap),
                "mean": _number(gap.gap.mean, 2),
                "mean_gap": _number(gap.gap.mean_gap, 2),
                "share_below": _number(100 * gap.gap.share_below, 0) + " %",
                "reaching": [_offer_line(fit.offer) for fit in gap.reaching],
                "short": [short_text(fit) for fit in gap.short],
            }
        )
    reaching: dict[int, dict] = {}
    for gap in coverage.gaps:
        for fit in gap.reaching:
            line = reaching.setdefault(fit.offer.pk, _offer_line(fit.offer) | {"gaps": []})
            line["gaps"].append(f"{gap.competency.code} {gap.gap.role_name}")
    framework = coverage.round.survey.framework
    return {
        "coverage": coverage,
        "round": coverage.round,
        "title": title(coverage),
        "made": timezone.now(),
        "language": translation.get_language(),
        "assets": pdf.ASSETS,
        "framework": str(framework) if framework else "",
        "respondents": respondents_text(coverage),
        "summary": summary(coverage),
        "groups": groups,
        "reaching_offers": list(reaching.values()),
        "notes": notes(coverage),
    }


def _offer_line(offer: EducationOffer) -> dict:
    return {
        "offer": offer,
        "name": offer_name(offer),
        "format": offer.get_format_display(),
        "price": price_text(offer.price_dkk),
        "time": time_text(offer),
        "place": place_text(offer),
        "roles": roles_text(offer),
        "starts": ", ".join(_start_date(text) for text in offer.start_dates),
    }


def _start_date(text: str) -> str:
    return formats.date_format(datetime.date.fromisoformat(text), "DATE_FORMAT")
