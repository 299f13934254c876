"""The report as PDF: the content rendered into an HTML template, printed by WeasyPrint, with
the charts as inline SVG and every static file read from the project, never the network.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .. import charts
from ..dataset import NATION
from .content import HIDDEN, Cell, Competency, ReportContent, _number, in_language

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
    return lay_out(render_html(content))


def lay_out(html: str):
    """An HTML document laid out in tagged pages (a weasyprint.Document), its static files read
    through ASSETS from the project: shared by every printed file, reports and others."""
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=ASSETS, url_fetcher=_static_fetcher())
    return document.render(**PDF_OPTIONS)


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
