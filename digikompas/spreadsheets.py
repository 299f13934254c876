"""The rows of an uploaded spreadsheet, CSV or Excel, as every import reads them.

`read_rows` yields each row's cells; `cell` turns a cell into trimmed text. A file that cannot be
read raises UnreadableFile with a message for the user (also while the rows are being read, as an
Excel file is read lazily); each importer turns it into its own kind of error.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

EXTENSIONS = (".csv", ".xlsx")


class UnreadableFile(Exception):
    """The bytes are not a CSV file or an Excel workbook; the message says what to do."""


def upload_problem(*, filename: str, size: int, wrong_type: str) -> str | None:
    """What makes an upload unusable by its name and size alone (before it is read), or None.
    `wrong_type` is the importer's own words for a file that is not CSV or Excel."""
    if PurePath(filename).suffix.lower() not in EXTENSIONS:
        return str(wrong_type)
    if size > settings.IMPORT_MAX_BYTES:
        return _("The file is %(size)s; the largest file you can import is %(max)s.") % {
            "size": filesizeformat(size),
            "max": filesizeformat(settings.IMPORT_MAX_BYTES),
        }
    if size == 0:
        return _("The file is empty.")
    return None


class UploadForm(forms.Form):
    """The upload of one CSV file or Excel workbook; a subclass names the field (`label`) and
    says what a file of another type should have been (`wrong_type`)."""

    label = ""
    wrong_type = ""

    file = forms.FileField(widget=forms.FileInput(attrs={"accept": ",".join(EXTENSIONS)}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = self.label
        self.fields["file"].help_text = _(
            "A CSV file (.csv) or an Excel workbook (.xlsx) of at most %(max)s."
        ) % {"max": filesizeformat(settings.IMPORT_MAX_BYTES)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        problem = upload_problem(filename=upload.name, size=upload.size, wrong_type=self.wrong_type)
        if problem:
            raise forms.ValidationError(problem)
        return upload


def read_rows(raw: bytes, *, excel: bool) -> Iterator[Sequence]:
    return _xlsx_rows(raw) if excel else iter(_csv_rows(raw))


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores every number as a float: 2 comes back as 2.0
    # A workbook cannot keep "\r" (its XML turns "\r\n" into "\n"), so neither format does.
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _csv_rows(raw: bytes) -> list[list[str]]:
    try:
        # utf-8-sig drops the byte order mark Excel writes in front of "CSV UTF-8" files.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(
            _(
                "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”, "
                "or upload the workbook (.xlsx) instead."
            )
        ) from None
    if not text.strip():
        return []
    # Danish Excel separates with semicolons, English with commas; a header row has no quoted
    # separators in practice, so whichever it has more of is the separator.
    first_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        # In practice a quotation mark that is never closed, swallowing the rest of the file.
        raise UnreadableFile(
            _("The file is not a valid CSV file. Check its quotation marks.")
        ) from None


def _xlsx_rows(raw: bytes) -> Iterator[tuple]:
    from openpyxl import load_workbook

    unreadable = UnreadableFile(_("The file could not be read as an Excel workbook (.xlsx)."))
    # openpyxl raises many kinds of error (zip, XML, KeyError for a missing part) for a damaged
    # or foreign file, while loading and while reading rows; to the user they are all one.
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:
        raise unreadable from None
    try:
        sheet = workbook.worksheets[0]
        # Some programs write a wrong sheet size; without it, openpyxl reads every stored row.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True)
    except Exception:
        raise unreadable from None
    finally:
        workbook.close()


def put(cell, value) -> None:
    """Store a value in a workbook cell as it is: a text stays a text even when it starts with
    "=" (never a formula), without the control characters a workbook's XML cannot hold (saving
    would fail)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value
