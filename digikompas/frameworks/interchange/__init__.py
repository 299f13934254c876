"""Frameworks in and out of digikompas as files: 1EdTech CASE 1.0 JSON, CSV and Excel (XLSX).

Each format has a reader that turns the bytes of a file into FrameworkContent (or raises
FrameworkRejected with every problem it found, naming the item or row and the field) and a
writer that turns content into a file. Exporting a framework and importing the file gives an
identical framework (content.FrameworkContent compares equal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..content import FrameworkContent, FrameworkRejected, Problem


@dataclass(frozen=True)
class Imported:
    """Content read from a file, with notes on what the file held that digikompas does not keep
    (e.g. associations other than the hierarchy); the notes are shown to the importer."""

    content: FrameworkContent
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DocumentInfo:
    """What a file says about the version it holds, beside the content."""

    version: int | None = None
    published_at: datetime | None = None
    last_change: datetime | None = None


FORMATS = {
    # format: (extension, content type)
    "case": (".json", "application/json"),
    "csv": (".csv", "text/csv; charset=utf-8"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
EXTENSIONS = {".json": "case", ".csv": "csv", ".xlsx": "xlsx"}


def check_upload(*, filename: str, size: int) -> str:
    """The format of an upload by its name; FrameworkRejected for a wrong type or size."""
    file_format = EXTENSIONS.get(PurePath(filename).suffix.lower())
    if file_format is None:
        raise FrameworkRejected(
            [
                Problem(
                    filename,
                    "",
                    _("Upload a CASE package (.json), a CSV file (.csv) or an Excel file (.xlsx)."),
                )
            ]
        )
    if size == 0:
        raise FrameworkRejected([Problem(filename, "", _("The file is empty."))])
    if size > settings.IMPORT_MAX_BYTES:
        raise FrameworkRejected(
            [
                Problem(
                    filename,
                    "",
                    _("The file is %(size)s; the largest file you can import is %(max)s.")
                    % {
                        "size": filesizeformat(size),
                        "max": filesizeformat(settings.IMPORT_MAX_BYTES),
                    },
                )
            ]
        )
    return file_format


def read_file(*, raw: bytes, filename: str) -> Imported:
    file_format = check_upload(filename=filename, size=len(raw))
    if file_format == "case":
        from .case import read_case

        return read_case(raw)
    from .table import read_table

    return read_table(raw, file_format=file_format)


def write_file(content: FrameworkContent, *, file_format: str, info: DocumentInfo) -> bytes:
    if file_format == "case":
        import json

        from .case import write_case

        package = write_case(content, info=info)
        return json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
    from .table import write_table

    return write_table(content, file_format=file_format, info=info)
