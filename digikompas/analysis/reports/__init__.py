"""Reports of a round's gap analysis: the national analysis report and the library report, each
as PDF (HTML rendered by WeasyPrint), XLSX (openpyxl) or JSON.

`build(spec, progress=…)` returns (bytes, file name, content type). It runs in two halves:
`collect` (content.py) reads the analysis (services.analyse: the engine's tables with anonymity
enforced) into a ReportContent of plain figures, and `render_pdf` / `render_xlsx` /
`render_json` (pdf.py, xlsx.py, jsonfile.py) write that one content, so the three formats always
say the same. Everything is imported from this package; the modules are its sub-domains.

Anonymity: every figure is read from the engine's tables and nothing is recomputed from
answers. A figure the engine suppressed is a Figure with `hidden` set: "–" in the PDF and the
workbook, null with `"suppressed": true` in JSON. A figure with no one to describe (no answers,
no one with a need) is empty: blank in the PDF and the workbook, null in JSON.

jsonfile.py describes the JSON structure.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.text import slugify

from ..models import FileFormat, ReportKind, ReportStep
from .content import (
    HIDDEN,
    TOP_GAPS,
    BarrierLine,
    BarrierValue,
    Cell,
    Competency,
    Figure,
    GapLine,
    GroupFigures,
    HeatLine,
    Method,
    Progress,
    ReportContent,
    ReportError,
    ReportSpec,
    ScaleLevel,
    Suppression,
    collect,
    in_language,
)
from .jsonfile import SCHEMA, as_json, render_json
from .pdf import ASSETS, PDF_OPTIONS, render_document, render_html, render_pdf
from .pdf import _static_fetcher as _static_fetcher  # the tests check what it fetches
from .xlsx import render_xlsx

__all__ = [
    "ASSETS",
    "CONTENT_TYPES",
    "HIDDEN",
    "PDF_OPTIONS",
    "SCHEMA",
    "TOP_GAPS",
    "BarrierLine",
    "BarrierValue",
    "Built",
    "Cell",
    "Competency",
    "Figure",
    "GapLine",
    "GroupFigures",
    "HeatLine",
    "Method",
    "Progress",
    "ReportContent",
    "ReportError",
    "ReportSpec",
    "ScaleLevel",
    "Suppression",
    "as_json",
    "build",
    "collect",
    "filename_of",
    "in_language",
    "render",
    "render_document",
    "render_html",
    "render_json",
    "render_pdf",
    "render_xlsx",
]

CONTENT_TYPES = {
    FileFormat.PDF: "application/pdf",
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.JSON: "application/json",
}


class Built(NamedTuple):
    content: bytes
    filename: str
    content_type: str


def build(spec: ReportSpec, *, progress: Progress | None = None) -> Built:
    """The report as a file: (content, file name, content type)."""
    progress = progress or (lambda step: None)
    content = collect(spec, progress=progress)
    progress(ReportStep.RENDERING)
    return Built(render(content), filename_of(spec), CONTENT_TYPES[spec.file_format])


def render(content: ReportContent) -> bytes:
    # The renderers are looked up here, in the package, at each call, so that replacing one on
    # the package (as a test does to make a build fail) takes effect.
    renderers = {
        FileFormat.PDF: render_pdf,
        FileFormat.XLSX: render_xlsx,
        FileFormat.JSON: render_json,
    }
    return renderers[content.spec.file_format](content)


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
