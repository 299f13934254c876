"""Readers of usage reports: COUNTER Release 5 and 5.1 (tabular TSV/CSV/XLSX and SUSHI JSON),
COUNTER 4 JR1, DB1, BR1, BR2 and PR1 (TSV/CSV/XLSX), and simple monthly counts for services that
do not speak COUNTER (eReolen loans, Filmstriben views). Pure Python, no ORM: `usage.store()`
puts a `Report` into the database.

Hand-written for speed (the import is benchmarked against pycounter, bench/counter_import.py):
one pass over the cells; XLSX read straight from its XML with string operations and regular
expressions (openpyxl alone takes as long as all of pycounter on a small workbook), out of a zip
archive read by hand when it is a plain one (zipfile reads the others), CRCs checked. A workbook
is read from its first worksheet; a cell without its reference (r="B3") is refused.

What is taken, and what is refused (a `CounterError` lists every problem of the file with its
line and column; nothing is guessed silently):
- Encodings: UTF-8 with or without a byte-order mark, UTF-16 with one; a file that is not UTF-8
  is read as Windows-1252 (what Excel writes on Danish Windows; a byte it does not define is
  refused). Separators: tab, comma or semicolon, whichever the first lines use.
- Cells may be quoted and padded with spaces; blank rows are skipped; counts may be strings and
  carry thousands separators ("1,234", "1.234", "1 234": groups of exactly three digits, so
  "1.5" or "1,23" is refused as not a whole number).
- Header and column names are matched without regard to case, spaces and underscores
  ("PUBLISHER", "Reporting_ Period_Total"); other spellings are refused. R5 metric types and R4
  user activities are matched the same way and must be COUNTER's.
- The report is what Report_ID says when it is a COUNTER report ID (a wrong Report_Name beside
  it is kept as the name, but does not decide); otherwise a known Report_Name decides.
  R4 is told by its first cell, e.g. "Journal Report 1 (R4)"; other releases are refused.
- Empty month cells: COUNTER writes 0 for a month without usage (R5 §3.3.9) and leaves out rows
  without usage. An empty month cell is taken as 0 only when the row's Reporting_Period_Total
  shows it (the other months add up to the total); otherwise it is refused. Every row's months
  must add up to its Reporting_Period_Total.
- Month columns must cover the Reporting_Period (R5) or follow one another without a gap; a
  heading right of Metric_Type that is not a month is refused.
- R4 "Total for all ..." rows are never counted, nor are the "Reporting Period Total/HTML/PDF"
  columns (they are not months).
- SUSHI JSON leaves out months without usage; those months of the Report_Filters period become 0
  figures, unless an exception says the usage is not (all) there (3031 not ready, 3032 no longer
  available, 3040 partial data).
- Header exceptions (Exceptions / Report_Header.Exceptions) go into `Report.exceptions`.

Monthly counts (no COUNTER): one figure per line, columns in any order, names in English or
Danish:
    month (måned)                YYYY-MM, e.g. 2024-01 (or a date cell on the 1st in XLSX)
    resource (ressource) or platform   optional when the importer names the resource
    metric (måling)              free text, e.g. loans, views
    count (antal)                a whole number
A (resource, month, metric) given twice is refused; other columns are refused.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import html
import io
import json
import operator
import re
import struct
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from itertools import repeat
from typing import NamedTuple

from django.utils.translation import gettext as _

# -- the result --------------------------------------------------------------------------------


class Row(NamedTuple):
    """One figure: how often `metric` was counted on `platform` in `month` (the first day), for
    one title or item when the report has them."""

    platform: str
    month: datetime.date
    metric: str
    count: int
    title: str = ""


# A Row from a tuple of its fields, made in C (map(_new_row, zip(...)) builds rows in bulk).
_new_row = partial(tuple.__new__, Row)
_add = operator.add


class Line(NamedTuple):
    """A body row of a tabular report: what it counts, and its counts month by month (the
    months of its Report)."""

    platform: str
    metric: str
    title: str
    counts: list[int]


_new_line = partial(tuple.__new__, Line)


@dataclass(eq=False)  # two reports are the same report only when they are one
class Report:
    """A report as read. Its figures are `rows`. The tabular readers give them as `lines`
    instead, one per body row with all its months, summed as they were read: storing needs
    only the sums (sums()), so the rows of lines are made when they are first asked for. The
    readers of SUSHI JSON and monthly counts give rows (Report.of_rows)."""

    release: str  # "4", "5", "5.1" or "counts"
    report_id: str  # "PR", "TR_J1", ..., "JR1", ..., "counts"
    name: str
    exceptions: list[dict]  # {"code": int, "severity": str, "message": str, "data": str}
    first_month: datetime.date
    last_month: datetime.date
    lines: list[Line] = field(default_factory=list, repr=False)
    months: list[datetime.date] = field(default_factory=list, repr=False)  # of the lines
    # The counts summed by (platform, month, metric), as the tabular readers sum them.
    summed: dict[tuple[str, datetime.date, str], int] | None = field(default=None, repr=False)

    @classmethod
    def of_rows(
        cls,
        release: str,
        report_id: str,
        name: str,
        rows: list[Row],
        exceptions: list[dict],
        first_month: datetime.date,
        last_month: datetime.date,
    ) -> Report:
        report = cls(release, report_id, name, exceptions, first_month, last_month)
        report.rows = rows  # in place of the cached property's
        return report

    @cached_property
    def rows(self) -> list[Row]:
        """One figure per line and month, in the order of the lines."""
        return [
            row
            for platform, metric, title, counts in self.lines
            for row in map(
                _new_row,
                zip(repeat(platform), self.months, repeat(metric), counts, repeat(title)),
            )
        ]

    def sums(self) -> dict[tuple[str, datetime.date, str], int]:
        """The counts summed over titles, items and the like: one per platform, month and
        metric."""
        if self.summed is None:
            summed: dict[tuple[str, datetime.date, str], int] = defaultdict(int)
            for platform, month, metric, count, _title in self.rows:
                summed[platform, month, metric] += count
            self.summed = dict(summed)
        return self.summed

    @property
    def label(self) -> str:
        """E.g. "COUNTER 5.1 PR", "COUNTER 4 JR1", "monthly counts"."""
        if self.release == "counts":
            return "monthly counts"
        return f"COUNTER {self.release} {self.report_id}"


class Problem(NamedTuple):
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.line is not None and self.column:
            return _("Line %(line)s, column %(column)s: %(message)s") % self._asdict()
        if self.line is not None:
            return _("Line %(line)s: %(message)s") % self._asdict()
        if self.column:
            return _("%(column)s: %(message)s") % self._asdict()
        return self.message


class CounterError(Exception):
    """The file cannot be read; `problems` lists every problem found, in words for users."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


# -- COUNTER vocabulary ------------------------------------------------------------------------


# Headings and month headings repeat from file to file: both are cached.
@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """A name without case, spaces, underscores and hyphens: how headings are compared."""
    # As _KEY_JUNK.sub("", text).lower(), in fewer steps: split() drops what \s matches.
    return "".join(text.split()).replace("_", "").replace("-", "").lower()


_KEY_JUNK = re.compile(r"[\s_\-]+")

R5_METRICS = [
    "Searches_Regular",
    "Searches_Automated",
    "Searches_Federated",
    "Searches_Platform",
    "Total_Item_Investigations",
    "Unique_Item_Investigations",
    "Unique_Title_Investigations",
    "Total_Item_Requests",
    "Unique_Item_Requests",
    "Unique_Title_Requests",
    "No_License",
    "Limit_Exceeded",
]
_R5_METRIC_OF_KEY = {_key(metric): metric for metric in R5_METRICS}

# Report IDs with their names in R5.0 and R5.1; the family (PR, DR, TR, IR) decides the columns.
R5_REPORTS = {
    "PR": ("Platform Master Report", "Platform Report"),
    "PR_P1": ("Platform Usage",),
    "DR": ("Database Master Report", "Database Report"),
    "DR_D1": ("Database Search and Item Usage",),
    "DR_D2": ("Database Access Denied",),
    "TR": ("Title Master Report", "Title Report"),
    "TR_B1": ("Book Requests (Excluding OA_Gold)", "Book Requests (Controlled)"),
    "TR_B2": ("Book Access Denied",),
    "TR_B3": ("Book Usage by Access Type",),
    "TR_J1": ("Journal Requests (Excluding OA_Gold)", "Journal Requests (Controlled)"),
    "TR_J2": ("Journal Access Denied",),
    "TR_J3": ("Journal Usage by Access Type",),
    "TR_J4": (
        "Journal Requests by YOP (Excluding OA_Gold)",
        "Journal Requests by YOP (Controlled)",
    ),
    "IR": ("Item Master Report", "Item Report"),
    "IR_A1": ("Journal Article Requests",),
    "IR_M1": ("Multimedia Item Requests",),
}
_R5_ID_OF_NAME = {_key(name): id for id, names in R5_REPORTS.items() for name in names}
# The column that names what a row counts, per report family; PR rows count the platform.
_TITLE_COLUMN = {"PR": None, "DR": "database", "TR": "title", "IR": "item"}
_TITLE_FIELD = {"PR": None, "DR": "Database", "TR": "Title", "IR": "Item"}

# Exceptions after which the months a SUSHI report leaves out are not known to be without usage.
INCOMPLETE_EXCEPTIONS = {3031, 3032, 3040}

R4_REPORTS = {
    ("journal", "1"): "JR1",
    ("database", "1"): "DB1",
    ("book", "1"): "BR1",
    ("book", "2"): "BR2",
    ("platform", "1"): "PR1",
}
_R4_NAMES = {
    "JR1": "Journal Report 1",
    "DB1": "Database Report 1",
    "BR1": "Book Report 1",
    "BR2": "Book Report 2",
    "PR1": "Platform Report 1",
}
# The metric of reports that count one thing; DB1 and PR1 name theirs in "User Activity".
_R4_METRIC = {
    "JR1": "Full-Text Article Requests",
    "BR1": "Title Requests",
    "BR2": "Section Requests",
}
R4_ACTIVITIES = [
    "Regular Searches",
    "Searches-federated and automated",
    "Result Clicks",
    "Record Views",
]
_R4_ACTIVITY_OF_KEY = {_key(activity): activity for activity in R4_ACTIVITIES}
_R4_TITLE = re.compile(
    r"^\s*(journal|book|database|platform|multimedia)\s*report\s*(\d+)\s*(?:\((r\s*\d)\)|(r\s*\d))?",
    re.IGNORECASE,
)
_R4_NOT_MONTHS = {"reportingperiodtotal", "reportingperiodhtml", "reportingperiodpdf"}

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "maj": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "okt": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_NAMES = {
    "january": 1,
    "januar": 1,
    "february": 2,
    "februar": 2,
    "march": 3,
    "marts": 3,
    "april": 4,
    "june": 6,
    "juni": 6,
    "july": 7,
    "juli": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "oktober": 10,
    "november": 11,
    "december": 12,
}
_MONTHS.update(_MONTH_NAMES)
_MONTH_HEADING = re.compile(r"^([A-Za-zæøå]+)[\s\-/.]*(\d{4})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ]00:00(?::00)?)?$")

# Counts: digits, or groups of three digits with one kind of thousands separator.
_COUNT = re.compile(r"^\d+$")
_GROUPED = re.compile(r"^\d{1,3}(?:([,. \u00a0'])\d{3})(?:\1\d{3})*$")


def _count(text: str) -> int:
    """A whole, non-negative count from a cell; ValueError with the reason otherwise."""
    if _COUNT.match(text):
        return int(text)
    if _GROUPED.match(text):
        return int(re.sub(r"\D", "", text))
    if text.startswith("-") and _COUNT.match(text[1:]):
        raise ValueError(_("%(value)s is negative; a count cannot be.") % {"value": text})
    raise ValueError(_("%(value)s is not a whole number.") % {"value": text})


@lru_cache(maxsize=4096)
def _month(text: str) -> datetime.date | None:
    """The month of a heading such as "Jan-2022", "jan 2022", "January 2022", "2022-01" or a
    date on the 1st (from an XLSX date cell); None when it is not a month."""
    match = _MONTH_HEADING.match(text)
    if match:
        number = _MONTHS.get(match[1].lower())
        return datetime.date(int(match[2]), number, 1) if number else None
    match = _ISO_MONTH.match(text)
    if match and 1 <= int(match[2]) <= 12 and match[3] in (None, "1", "01"):
        return datetime.date(int(match[1]), int(match[2]), 1)
    return None


def _next_month(month: datetime.date) -> datetime.date:
    return (
        month.replace(year=month.year + 1, month=1)
        if month.month == 12
        else (month.replace(month=month.month + 1))
    )


@lru_cache(maxsize=256)  # reports cover the same periods again and again
def _months_between(first: datetime.date, last: datetime.date) -> tuple[datetime.date, ...]:
    """The first days of the months from first's to last's (both days the 1st)."""
    months = []
    while first <= last:
        months.append(first)
        first = _next_month(first)
    return tuple(months)


def _month_label(month: datetime.date) -> str:
    return month.strftime("%Y-%m")


def _severity(code: int) -> str:
    """COUNTER's severity by code range, for files that do not state it (R5.1 dropped it)."""
    if code == 0:
        return "Info"
    if code < 3000:
        return "Error"
    return "Warning"


def _refused(line: int | None, column: str | None, message: str) -> CounterError:
    return CounterError([Problem(line, column, message)])


class _Problems(list):
    def add(self, line: int | None, column: str | None, message: str) -> None:
        self.append(Problem(line, column, message))

    def raise_any(self) -> None:
        if self:
            raise CounterError(list(self))


# -- the entry points --------------------------------------------------------------------------


def parse(raw: bytes, filename: str) -> Report:
    """Read a usage file of any kind this module knows; the content decides, not the name."""
    if raw.startswith(b"PK\x03\x04"):
        table = _read_xlsx(raw)
    elif raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refused(
            None,
            None,
            _("This is an Excel 97–2003 workbook (.xls). Save it as .xlsx or CSV and import that."),
        )
    else:
        text = _decode(raw)
        stripped = text.lstrip()
        if stripped.startswith(("{", "[")):
            return _parse_json_text(text)
        table = _read_text_table(text, filename)
    return _parse_table(table)


def parse_sushi(data: dict) -> Report:
    """Read an R5 or R5.1 report already decoded from SUSHI JSON."""
    problems = _Problems()
    if isinstance(data, list) or (isinstance(data, dict) and "Report_Header" not in data):
        # A SUSHI server answers a request it cannot serve with exceptions instead of a report.
        raised = data if isinstance(data, list) else [data]
        found = [_exception(item) for item in raised if isinstance(item, dict) and "Code" in item]
        if found:
            first = _("The server sent no report but exception %(code)s: %(message)s")
            more = _("Exception %(code)s: %(message)s")
            raise CounterError(
                [Problem(None, None, first % found[0])]
                + [Problem(None, None, more % item) for item in found[1:]]
            )
        raise _refused(
            None, "Report_Header", _("This JSON is not a COUNTER report: it has no Report_Header.")
        )
    header = data["Report_Header"]
    if not isinstance(header, dict):
        raise CounterError([Problem(None, "Report_Header", _("Report_Header is not an object."))])
    release = _release(
        str(header.get("Release", "")).strip(), None, "Report_Header.Release", problems
    )
    report_id, name = _report_id(
        str(header.get("Report_ID") or ""),
        str(header.get("Report_Name") or ""),
        None,
        "Report_Header.Report_ID",
        problems,
    )
    exceptions = [
        _exception(item) for item in header.get("Exceptions") or [] if isinstance(item, dict)
    ]
    # R5.1 and some R5.0 servers also put exceptions beside the header.
    exceptions += [
        _exception(item) for item in data.get("Exceptions") or [] if isinstance(item, dict)
    ]
    begin, end = _sushi_period(header.get("Report_Filters"), problems)
    items = data.get("Report_Items") or []
    if not isinstance(items, list):
        problems.add(None, "Report_Items", _("Report_Items is not a list."))
        items = []
    title_field = _TITLE_FIELD.get(report_id.split("_")[0]) if report_id else None
    rows: list[Row] = []
    for index, item in enumerate(items):
        _sushi_item(item, f"Report_Items[{index}]", "", title_field, rows, problems)
    problems.raise_any()
    months = {row.month for row in rows}
    first = begin or (min(months) if months else None)
    last = end or (max(months) if months else None)
    if first is None or last is None:
        raise _refused(
            None,
            "Report_Header.Report_Filters",
            _(
                "The report has no figures and no Begin_Date and End_Date, so its months are "
                "unknown."
            ),
        )
    if rows and not {item["code"] for item in exceptions} & INCOMPLETE_EXCEPTIONS:
        rows += _zero_months(rows, first, last)
    return Report.of_rows(release, report_id, name, rows, exceptions, first, last)


# -- bytes to cells ----------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="strict") if _utf8(raw[3:]) else _not_text()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            return _not_text()
    if _utf8(raw):
        return raw.decode("utf-8")
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return _not_text()


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _not_text() -> str:
    raise _refused(
        None,
        None,
        _(
            "The file is neither a spreadsheet nor text in UTF-8 or Windows-1252. Save it as CSV "
            "UTF-8, tab-separated text or .xlsx."
        ),
    )


def _read_text_table(text: str, filename: str) -> list[list[str]]:
    lines = text.splitlines()
    delimiter = _delimiter(lines)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=False)
    table: list[list[str]] = []
    try:
        for cells in reader:
            # A record that runs over several lines (a quoted newline) keeps the numbering right.
            while len(table) < reader.line_num - 1:
                table.append([])
            table.append([cell.strip() for cell in cells])
    except csv.Error as error:
        raise _refused(
            reader.line_num,
            None,
            _("The line cannot be read as %(format)s: %(error)s")
            % {"format": "TSV" if delimiter == "\t" else "CSV", "error": error},
        ) from None
    return table


def _delimiter(lines: list[str]) -> str:
    """Tab, comma or semicolon: the first of them outside quotes in the first lines that have
    one (Danish Excel writes semicolons)."""
    for line in lines[:40]:
        if "\t" in line:
            return "\t"
        quoted = False
        for char in line:
            if char == '"':
                quoted = not quoted
            elif not quoted and char in ",;":
                return char
    return ","


_DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)}
# The worksheet is read with string operations, the shared strings with regular expressions,
# not as a tree: sheet XML is machine-written and regular, and building elements for every
# (mostly empty, styled) cell costs more than all the rest of an import (openpyxl alone takes as
# long as all of pycounter). Namespace prefixes (<x:c>) are allowed.
_P = r"(?:\w+:)?"
_XML_REF = re.compile(r"""\br=["']([A-Z]+)(\d+)["']""")
_XML_TYPE = re.compile(r"""\bt=["'](\w+)["']""")
_XML_STYLE = re.compile(r"""\bs=["'](\d+)["']""")
_XML_VALUE = re.compile(rf"<{_P}v>([^<]*)</{_P}v>")
_XML_NUMBER_FORMAT = re.compile(r"<(?:\w+:)?numFmt\b([^>]*)>")
_XML_FORMAT_ID = re.compile(r"""\bnumFmtId=["'](\d+)["']""")
_XML_FORMAT_CODE = re.compile(r"""\bformatCode=(?:"([^"]*)"|'([^']*)')""")
_XML_CELL_FORMATS = re.compile(r"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.DOTALL)
_XML_XF = re.compile(r"<(?:\w+:)?xf\b([^>]*)>")
_XML_DATE1904 = re.compile(r"""\bdate1904=["'](?:1|true)["']""")
_XML_SHEET = re.compile(r"<(?:\w+:)?sheet\b([^>]*)>")
_XML_RID = re.compile(r"""\b\w+:id=["']([^"']*)["']""")
_XML_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\b([^>]*)>")
_XML_ID = re.compile(r"""\bId=["']([^"']*)["']""")
_XML_TARGET = re.compile(r"""\bTarget=["']([^"']*)["']""")
_XML_PREFIX = re.compile(r"<(\w+):sheetData\b")
_XML_DENSE_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*)><v>([^<]*)</v></c>')
_XML_PLAIN_ATTRIBUTES = re.compile(r'(?: s="(\d+)")?(?: t="(\w+)")?')
_XML_USUAL_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?><v>([^<]*)</v>$')
_XML_TEXT = re.compile(rf"<{_P}t(?:\s[^>]*)?>([^<]*)</{_P}t>")
_XML_STRING_ITEM = re.compile(rf"<{_P}si>(.*?)</{_P}si>|<{_P}si\s*/>", re.DOTALL)
_XML_PLAIN_ITEM = re.compile(r'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>')
_XML_PHONETIC = re.compile(rf"<{_P}rPh\b.*?</{_P}rPh>", re.DOTALL)


class _ColumnIndexes(dict):
    """The index of a column by its letters ("A" 0, "AB" 27), worked out once."""

    def __missing__(self, letters: str) -> int:
        index = 0
        for letter in letters:
            index = index * 26 + ord(letter) - 64
        self[letters] = index - 1
        return index - 1


_COLUMN_INDEX = _ColumnIndexes()
# The parts (style, type) of a shared-string cell's attributes: its style does not matter.
_SHARED_STRING = (None, "s")


def _xml_text(text: str) -> str:
    return html.unescape(text) if "&" in text else text


def _read_xlsx(raw: bytes) -> list[list[str]]:
    """The first worksheet's cells as text, row by row (row n at index n − 1). Numbers are
    written without a trailing ".0"; date cells as YYYY-MM-DD."""
    try:
        members = _zip_members(raw)
        if members is None:  # not the plain zip that spreadsheet programs write
            return _read_xlsx_zipfile(raw)
        return _read_book(members.__getitem__, set(members))
    except (
        KeyError,
        ValueError,
        IndexError,
        UnicodeDecodeError,
        zlib.error,
        struct.error,
    ) as error:
        raise _workbook_refused(error) from None


def _read_xlsx_zipfile(raw: bytes) -> list[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            return _read_book(book.read, set(book.namelist()))
    except (
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        IndexError,
        UnicodeDecodeError,
        zlib.error,
    ) as error:
        raise _workbook_refused(error) from None


def _workbook_refused(error: Exception) -> CounterError:
    return _refused(
        None,
        None,
        _(
            "The workbook cannot be read (%(error)s). Open it in Excel, save it as .xlsx again "
            "and import that."
        )
        % {"error": error},
    )


def _read_book(read, names: set[str]) -> list[list[str]]:
    """The first worksheet of a workbook whose members `read` returns by name."""
    sheets = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    workbook = None
    if len(sheets) == 1:
        sheet_path = sheets[0]
    else:
        workbook = read("xl/workbook.xml").decode("utf-8")
        sheet_path = _first_sheet(read, workbook, names)

    def dates() -> tuple[set[int], datetime.date]:
        """The date cell styles and the workbook's day zero, read when needed."""
        text = workbook or read("xl/workbook.xml").decode("utf-8")
        epoch = datetime.date(1899, 12, 30)
        if _XML_DATE1904.search(text):
            epoch = datetime.date(1904, 1, 1)
        if "xl/styles.xml" not in names:
            return set(), epoch
        return _date_styles(read("xl/styles.xml").decode("utf-8")), epoch

    strings = []
    if "xl/sharedStrings.xml" in names:
        strings = _shared_strings(read("xl/sharedStrings.xml").decode("utf-8"))
    return _sheet_cells(read(sheet_path).decode("utf-8"), strings, dates)


_ZIP_END = struct.Struct("<4s4H2LH")
_ZIP_ENTRY = struct.Struct("<4s6H3L5H2L")
_ZIP_LOCAL = struct.Struct("<4s5H3L2H")


class _Member(NamedTuple):
    method: int
    crc: int
    compressed: int
    size: int
    offset: int


_new_member = partial(tuple.__new__, _Member)


class _ZipMembers(dict):
    """The members of a zip archive by name, unpacked on access (with their CRC checked)."""

    raw: bytes

    def __getitem__(self, name: str) -> bytes:
        member = dict.__getitem__(self, name)
        header = _ZIP_LOCAL.unpack_from(self.raw, member.offset)
        if header[0] != b"PK\x03\x04":
            raise ValueError("a damaged zip member")
        start = member.offset + _ZIP_LOCAL.size + header[9] + header[10]
        data = self.raw[start : start + member.compressed]
        if member.method == 8:
            data = zlib.decompress(data, -15)
        if len(data) != member.size or zlib.crc32(data) != member.crc:
            raise ValueError(f"{name} is damaged (bad CRC or size)")
        return data


def _zip_members(raw: bytes) -> _ZipMembers | None:
    """The members of the zip archive that spreadsheet programs write: one disk, no ZIP64, no
    encryption, stored or deflated. None for any other archive, which zipfile then reads (and
    refuses when it is broken)."""
    end = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 65557))
    if end < 0 or end + _ZIP_END.size > len(raw):
        return None
    _sig, disk, _start_disk, _here, count, size, offset, _comment = _ZIP_END.unpack_from(raw, end)
    if disk or offset == 0xFFFFFFFF or offset + size > end:
        return None
    members = _ZipMembers()
    members.raw = raw
    at = offset
    for _index in range(count):
        if at + _ZIP_ENTRY.size > end:
            return None
        entry = _ZIP_ENTRY.unpack_from(raw, at)
        (sig, _made, _need, flags, method, _time, _date, crc, compressed, size) = entry[:10]
        name_length, extra_length, comment_length, _disk, _internal, _external, local = entry[10:]
        if (
            sig != b"PK\x01\x02"
            or flags & 0x41  # encrypted
            or method not in (0, 8)
            or 0xFFFFFFFF in (compressed, size, local)
        ):
            return None
        name = raw[at + _ZIP_ENTRY.size : at + _ZIP_ENTRY.size + name_length]
        # ASCII (the names of a workbook's members) reads the same in both; "cp437" is
        # slow: a Python codec.
        decoded = name.decode("ascii" if name.isascii() else "utf-8" if flags & 0x800 else "cp437")
        members[decoded] = _new_member((method, crc, compressed, size, local))
        at += _ZIP_ENTRY.size + name_length + extra_length + comment_length
    return members


def _shared_strings(shared: str) -> list[str]:
    if "rPh" in shared:
        shared = _XML_PHONETIC.sub("", shared)  # phonetic runs are not part of the text
    if "<si>" not in shared or "<si/>" in shared or "<si " in shared:
        return [
            _xml_text("".join(_XML_TEXT.findall(item[1] or "")))
            for item in _XML_STRING_ITEM.finditer(shared)
        ]
    # Mostly every item is a plain <si><t>text</t></si>: then splitting between them reads
    # them all at once (no tag is left in the texts).
    plain_text = shared.replace('<t xml:space="preserve">', "<t>")
    first, last = plain_text.find("<si><t>"), plain_text.rfind("</t></si>")
    inner = plain_text[first + 7 : last] if 0 <= first < last else ""
    plain = inner.split("</t></si><si><t>")
    if not (len(plain) == shared.count("<si>") and inner.count("<") == 4 * (len(plain) - 1)):
        plain = _XML_PLAIN_ITEM.findall(shared)
    if len(plain) == shared.count("<si>"):
        if "&" not in shared:
            return plain
        return [html.unescape(text) if "&" in text else text for text in plain]
    strings = []
    # Each piece but the last ends with one string item, mostly a plain <t>text</t>.
    for piece in shared.split("</si>")[:-1]:
        body = piece[piece.rfind("<si>") + 4 :]
        if body.startswith("<t>") and body.endswith("</t>") and body.count("<") == 2:
            text = body[3:-4]
        else:
            text = "".join(_XML_TEXT.findall(body))
        strings.append(html.unescape(text) if "&" in text else text)
    return strings


def _sheet_cells(sheet: str, strings: list[str], dates) -> list[list[str]]:
    prefix = ""
    if "<sheetData" not in sheet:
        found = _XML_PREFIX.search(sheet)
        prefix = f"{found[1]}:" if found else ""
    opening, closing = f"<{prefix}c ", f"</{prefix}c>"
    usual_cell = _XML_USUAL_CELL if not prefix else None
    table: list[list[str]] = []
    date_styles = epoch = None
    last_row = 0
    cells: list[str] = []
    with_content = sheet.count(closing)
    cell_parts = None
    if usual_cell:
        # When every cell with a value is written as Excel writes it, one scan in C finds
        # them all (empty cells, <c r="B3" s="1"/>, do not match), with their attributes
        # (style, type) read once per spelling.
        found = _XML_DENSE_CELL.findall(sheet)
        if len(found) == with_content:
            attribute_parts = {}
            for attributes in set(map(operator.itemgetter(2), found)):
                plain = _XML_PLAIN_ATTRIBUTES.fullmatch(attributes)
                if plain is None:
                    break
                attribute_parts[attributes] = _SHARED_STRING if plain[2] == "s" else plain.groups()
            else:
                cell_parts = found
    if cell_parts is None:
        cell_parts = [
            (letters, row, (style, kind), text)
            for letters, row, style, kind, text in _cell_parts(
                sheet, opening, closing, prefix, usual_cell
            )
        ]
        attribute_parts = _Same()
    row_text = None
    column_of = _COLUMN_INDEX
    shared = _SHARED_STRING
    for letters, row, attributes, text in cell_parts:
        if row != row_text:
            row_text = row
            number = int(row)
            if number != last_row:
                if number < last_row:
                    raise ValueError("rows out of order")
                if len(table) < number - 1:
                    table.extend([] for _gap in range(number - 1 - len(table)))
                cells = []
                table.append(cells)
                last_row = number
        column = column_of[letters]
        parts = attribute_parts[attributes]
        if parts is shared:  # most cells, hence first and without unpacking
            text = strings[int(text)]
            if len(cells) < column:
                cells.extend([""] * (column - len(cells)))
            cells.append(text.strip())
            continue
        style, kind = parts
        if kind == "s":
            text = strings[int(text)]
        elif kind is None or kind == "n":
            if style and style != "0":
                if date_styles is None:
                    date_styles, epoch = dates()
                if int(style) in date_styles:
                    text = (epoch + datetime.timedelta(days=int(float(text)))).isoformat()
            if text.endswith(".0"):
                text = text[:-2]
            elif "E" in text or "e" in text:
                number = float(text)
                if number.is_integer():
                    text = str(int(number))
        elif kind == "b":
            text = "TRUE" if text == "1" else "FALSE"
        elif "&" in text:
            text = html.unescape(text)
        if len(cells) < column:
            cells.extend([""] * (column - len(cells)))
        cells.append(text.strip())
    return table


class _Same(dict):
    """A mapping of every key to itself."""

    def __missing__(self, key):
        return key


def _cell_parts(sheet: str, opening: str, closing: str, prefix: str, usual_cell):
    """(column letters, row, style, type, text) of every cell with a value."""
    # Every piece but the last ends with a cell that has content; empty cells (<c .../>) before
    # it in the piece carry only a style.
    for piece in sheet.split(closing)[:-1]:
        start = piece.rfind(opening)
        usual = usual_cell.match(piece, start) if usual_cell and start >= 0 else None
        if usual:  # how Excel writes a cell: <c r="B3" s="1" t="s"><v>12</v>
            yield usual.groups()
        else:
            parts = _unusual_cell(piece, start, opening, prefix)
            if parts[4] is not None:
                yield parts


def _unusual_cell(piece: str, start: int, opening: str, prefix: str):
    """(column letters, row, style, type, text) of a cell not written as Excel does; text is
    None for a cell without a value."""
    end = piece.find(">", start)
    attributes = piece[start + len(opening) : end]
    ref = _XML_REF.search(attributes)
    if start < 0 or ref is None or attributes.endswith("/"):
        raise ValueError("a cell without its reference")
    style = _XML_STYLE.search(attributes)
    kind = _XML_TYPE.search(attributes)
    kind = kind and kind[1]
    inner = piece[end + 1 :]
    if kind == "inlineStr":
        return (*ref.groups(), None, "str", "".join(_XML_TEXT.findall(inner)))
    value = _XML_VALUE.search(inner)
    return (*ref.groups(), style and style[1], kind, value and value[1])


def _first_sheet(read, workbook: str, names: set[str]) -> str:
    sheet = _XML_SHEET.search(workbook)
    wanted = _XML_RID.search(sheet[1]) if sheet else None
    if wanted and "xl/_rels/workbook.xml.rels" in names:
        rels = read("xl/_rels/workbook.xml.rels").decode("utf-8")
        for rel in _XML_RELATIONSHIP.finditer(rels):
            id, target = _XML_ID.search(rel[1]), _XML_TARGET.search(rel[1])
            if id and target and id[1] == wanted[1]:
                target = html.unescape(target[1])
                return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return "xl/worksheets/sheet1.xml"


def _date_styles(styles: str) -> set[int]:
    """The cell styles (indexes into cellXfs) whose number format shows a date."""
    date_formats = set(_DATE_FORMAT_IDS)
    for number_format in _XML_NUMBER_FORMAT.finditer(styles):
        id, code = (
            _XML_FORMAT_ID.search(number_format[1]),
            _XML_FORMAT_CODE.search(number_format[1]),
        )
        code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", html.unescape(code[1]) if code else "")
        if id and ("y" in code.lower() or "d" in code.lower()):
            date_formats.add(int(id[1]))
    cell_formats = _XML_CELL_FORMATS.search(styles)
    found = set()
    for index, xf in enumerate(_XML_XF.finditer(cell_formats[1] if cell_formats else "")):
        id = _XML_FORMAT_ID.search(xf[1])
        if int(id[1] if id else 0) in date_formats:
            found.add(index)
    return found


# -- which kind of table -----------------------------------------------------------------------


def _parse_table(table: list[list[str]]) -> Report:
    start = next((index for index, cells in enumerate(table) if any(cells)), None)
    if start is None:
        raise CounterError([Problem(None, None, _("The file is empty."))])
    first = table[start]
    lead = _key(first[0]) if first else ""
    if lead in ("reportname", "reportid"):
        return _parse_r5_table(table, start)
    match = _R4_TITLE.match(first[0]) if first else None
    if match:
        return _parse_r4_table(table, start, match)
    keys = {_key(cell) for cell in first}
    if keys & _COUNT_COLUMNS["month"] and keys & _COUNT_COLUMNS["count"]:
        return _parse_counts(table, start)
    raise _refused(
        start + 1,
        "A",
        _(
            "This is not a report the import knows. A COUNTER 5 report starts with Report_Name, a "
            "COUNTER 4 report with its name such as “Journal Report 1 (R4)”, and monthly "
            "counts with the columns month, resource, metric and count."
        ),
    )


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column(headings: list[str], index: int) -> str:
    """A column as users see it: its heading, or its spreadsheet letter when it has none."""
    if index < len(headings) and headings[index]:
        return headings[index]
    return _letter(index)


# -- COUNTER 5 and 5.1 tabular -----------------------------------------------------------------

_R5_HEADER = {
    "reportname": "Report_Name",
    "reportid": "Report_ID",
    "release": "Release",
    "institutionname": "Institution_Name",
    "institutionid": "Institution_ID",
    "metrictypes": "Metric_Types",
    "reportfilters": "Report_Filters",
    "reportattributes": "Report_Attributes",
    "exceptions": "Exceptions",
    "reportingperiod": "Reporting_Period",
    "created": "Created",
    "createdby": "Created_By",
    "registryrecord": "Registry_Record",
    "customerid": "Customer_ID",
}


def _parse_r5_table(table: list[list[str]], start: int) -> Report:
    problems = _Problems()
    header: dict[str, tuple[str, int]] = {}
    index = start
    while index < len(table):
        cells = table[index]
        if not any(cells):
            break
        name = _key(cells[0]) if cells else ""
        if "metrictype" in {_key(cell) for cell in cells}:
            break  # the column headings follow the header without a blank row
        if name not in _R5_HEADER:
            problems.add(
                index + 1,
                "A",
                _("“%(name)s” is not a COUNTER header name (expected one of %(names)s).")
                % {"name": cells[0], "names": ", ".join(_R5_HEADER.values())},
            )
        elif name in header:
            problems.add(index + 1, "A", _("%(name)s is given twice.") % {"name": cells[0]})
        else:
            header[name] = (cells[1] if len(cells) > 1 else "", index + 1)
        index += 1
    release_value, release_line = header.get("release", ("", start + 1))
    release = _release(release_value, release_line, "Release", problems)
    report_id, name = _report_id(
        header.get("reportid", ("", None))[0],
        header.get("reportname", ("", None))[0],
        header.get("reportid", header.get("reportname", ("", start + 1)))[1],
        "Report_ID",
        problems,
    )
    exceptions = _tabular_exceptions(*header.get("exceptions", ("", None)), problems)
    period = _tabular_period(*header.get("reportingperiod", ("", None)), problems)
    while index < len(table) and not any(table[index]):
        index += 1
    if index >= len(table):
        problems.add(None, None, _("The column headings and the figures are missing."))
        problems.raise_any()
    headings = table[index]
    lines, months, summed = _r5_body(table, index, headings, report_id, period, problems)
    problems.raise_any()
    first, last = period if period else (min(months), max(months)) if lines else (None, None)
    if first is None:
        raise _refused(
            None,
            "Reporting_Period",
            _("The report has no figures and no Reporting_Period, so its months are unknown."),
        )
    return Report(release, report_id, name, exceptions, first, last, lines, months, summed)


def _r5_body(table, heading_index, headings, report_id, period, problems):
    """The lines of the report's body, their months and their sums (see _figures)."""
    keys = [_key(cell) for cell in headings]
    line = heading_index + 1
    family = report_id.split("_")[0] if report_id else None
    platform_at = keys.index("platform") if "platform" in keys else None
    metric_at = keys.index("metrictype") if "metrictype" in keys else None
    total_at = keys.index("reportingperiodtotal") if "reportingperiodtotal" in keys else None
    institution_at = keys.index("institutionname") if "institutionname" in keys else None
    title_key = _TITLE_COLUMN.get(family) if family else None
    title_at = keys.index(title_key) if title_key in keys else None
    if platform_at is None:
        problems.add(line, None, _("There is no Platform column."))
    if metric_at is None:
        problems.add(line, None, _("There is no Metric_Type column."))
    if title_key and title_at is None:
        problems.add(
            line,
            None,
            _("Report_ID says %(id)s, but there is no %(column)s column.")
            % {"id": report_id, "column": _TITLE_FIELD[family]},
        )
    if metric_at is None:
        return [], [], {}
    month_columns = _month_columns(
        headings, keys, max(metric_at, total_at or 0) + 1, line, set(), period, problems
    )
    if not month_columns:
        return [], [], {}
    return _figures(
        table,
        heading_index,
        headings,
        platform_at,
        metric_at,
        total_at,
        title_at,
        month_columns,
        _r5_metric,
        problems,
        institution_at=institution_at,
    )


def _r5_metric(text: str) -> str | None:
    return _R5_METRIC_OF_KEY.get(_key(text))


def _month_columns(headings, keys, start, line, allowed, period, problems):
    """The (index, month) of every month column right of `start`; anything else there that is
    not in `allowed` (keys) is a problem, and so is a month missing from the period."""
    columns: list[tuple[int, datetime.date]] = []
    seen: dict[datetime.date, int] = {}
    for index in range(start, len(headings)):
        heading = headings[index]
        if not heading or keys[index] in allowed:
            continue
        month = _month(heading)
        if month is None:
            problems.add(
                line,
                _column(headings, index),
                _("“%(heading)s” is not a month; month columns are headed like Jan-2024.")
                % {"heading": heading},
            )
        elif month in seen:
            problems.add(line, heading, _("This month has two columns."))
        else:
            seen[month] = index
            columns.append((index, month))
    if not columns:
        if not any(problem.line == line for problem in problems):
            problems.add(
                line,
                None,
                _(
                    "There are no month columns (a report with Exclude_Monthly_Details cannot be "
                    "imported: usage is kept month by month)."
                ),
            )
        return []
    first, last = period if period else (min(seen), max(seen))
    missing = [month for month in _months_between(first, last) if month not in seen]
    for month in missing:
        problems.add(
            line,
            None,
            _("The column for %(month)s is missing.") % {"month": month.strftime("%b-%Y")},
        )
    outside = [month for month in seen if not first <= month <= last]
    for month in sorted(outside):
        problems.add(line, month.strftime("%b-%Y"), _("The month is outside the Reporting_Period."))
    return columns


def _figures(
    table,
    heading_index,
    headings,
    platform_at,
    metric_at,
    total_at,
    title_at,
    month_columns,
    metric_of,
    problems,
    *,
    institution_at=None,
    fixed_metric=None,
    skip_totals=False,
):
    """A Line per body row, the months of their counts, and the counts summed by (platform,
    month, metric); the shared loop of the R5 and R4 readers."""
    lines: list[Line] = []
    # The months' counts summed by (platform, metric): a row is added to them at once, into a
    # new list (the first row's list is its line's too).
    sums: dict[tuple[str, str], list[int]] = {}
    width = max(index for index, _month in month_columns) + 1
    need = max(i for i in (platform_at, metric_at, total_at, title_at, width - 1) if i is not None)
    known_metrics: dict[str, str | None] = {}
    month_indexes = [index for index, _month in month_columns]
    month_texts = (
        operator.itemgetter(*month_indexes)
        if len(month_indexes) > 1
        else lambda cells: (cells[month_indexes[0]],)
    )
    months = [month for _index, month in month_columns]
    institutions: set[str] = set()
    # The columns where a "Total for all ..." row says so (title_at is 0 when there is one).
    total_at_indexes = (
        tuple(dict.fromkeys(i for i in (title_at, platform_at, 0) if i is not None))
        if skip_totals
        else ()
    )
    complete = not any(problem.line == heading_index + 1 for problem in problems)
    for number in range(heading_index + 1, len(table)):
        cells = table[number]
        if not any(cells):
            continue
        line = number + 1
        if len(cells) <= need:
            cells = cells + [""] * (need + 1 - len(cells))
        if total_at_indexes and _is_total(cells, total_at_indexes):
            continue
        platform = cells[platform_at] if platform_at is not None else ""
        if platform_at is not None and not platform:
            problems.add(line, headings[platform_at], _("The platform is missing."))
        if institution_at is not None:
            institutions.add(cells[institution_at])
        if fixed_metric:
            metric = fixed_metric
        else:
            text = cells[metric_at]
            if text not in known_metrics:
                known_metrics[text] = metric_of(text)
            metric = known_metrics[text]
            if metric is None:
                problems.add(
                    line,
                    headings[metric_at],
                    _("“%(value)s” is not a COUNTER metric here.") % {"value": text}
                    if text
                    else _("The metric is missing."),
                )
                continue
        title = cells[title_at] if title_at is not None else ""
        texts = month_texts(cells)
        joined = "".join(texts)
        if joined.isdigit() and joined.isascii() and all(texts):
            # Mostly every month is plain digits: converted at once.
            counts: list[int | None] = list(map(int, texts))
            known = sum(counts)
        else:
            counts = []
            bad = False
            for index, text in zip(month_indexes, texts, strict=True):
                if text.isdigit() and text.isascii():
                    counts.append(int(text))
                elif not text:
                    counts.append(None)
                else:
                    try:
                        counts.append(_count(text))
                    except ValueError as error:
                        problems.add(line, headings[index], str(error))
                        bad = True
            if bad:
                continue
            known = sum(count for count in counts if count is not None)
        total = None
        if total_at is not None:
            text = cells[total_at]
            if text.isdigit() and text.isascii():
                total = int(text)
            elif text:
                try:
                    total = _count(text)
                except ValueError as error:
                    problems.add(line, headings[total_at], str(error))
                    continue
        if None in counts:
            if total is None or total != known:
                for (index, _month), count in zip(month_columns, counts, strict=True):
                    if count is None:
                        problems.add(
                            line,
                            headings[index],
                            _(
                                "The cell is empty. COUNTER writes 0 for a month without "
                                "usage, and the row's Reporting_Period_Total does not show "
                                "that it is 0."
                            ),
                        )
                continue
        elif complete and total is not None and total != known:
            problems.add(
                line,
                headings[total_at],
                _("Reporting_Period_Total is %(total)s, but the months add up to %(sum)s.")
                % {"total": total, "sum": known},
            )
            continue
        if None in counts:
            counts = [count or 0 for count in counts]
        lines.append(_new_line((platform, metric, title, counts)))
        summed = sums.get((platform, metric))
        sums[platform, metric] = counts if summed is None else list(map(_add, summed, counts))
    if len(institutions) > 1:
        problems.add(
            None,
            headings[institution_at],
            _(
                "The report holds the usage of %(count)s institutions. Import each member's own "
                "report instead of a consortium's detailed report."
            )
            % {"count": len(institutions)},
        )
    summed = {
        (platform, month, metric): count
        for (platform, metric), counts in sums.items()
        for month, count in zip(months, counts, strict=True)
    }
    return lines, months, summed


def _release(value: str, line: int | None, column: str, problems: _Problems) -> str:
    value = value.strip()
    if value == "5.1" or value.startswith("5.1."):
        return "5.1"
    if value in ("5", "5.0") or value.startswith("5.0."):
        return "5"
    if not value:
        problems.add(line, column, _("The Release is missing (5 or 5.1)."))
    else:
        problems.add(
            line,
            column,
            _("Release %(value)s cannot be imported here; COUNTER 5 and 5.1 can.")
            % {"value": value},
        )
    return value


def _report_id(
    value: str, name: str, line: int | None, column: str, problems: _Problems
) -> tuple[str, str]:
    """The report ID from Report_ID, or from a known Report_Name when Report_ID is missing or
    unknown; the name as given (or COUNTER's when none is given)."""
    report_id = value.strip().upper().replace("-", "_").replace(" ", "")
    if report_id in R5_REPORTS:
        return report_id, name.strip() or R5_REPORTS[report_id][-1]
    by_name = _R5_ID_OF_NAME.get(_key(name))
    if by_name:
        return by_name, name.strip()
    if value or name:
        problems.add(
            line,
            column,
            _("“%(id)s” (%(name)s) is not a COUNTER 5 report; the import knows %(ids)s.")
            % {"id": value, "name": name, "ids": ", ".join(R5_REPORTS)},
        )
    else:
        problems.add(line, column, _("Report_ID and Report_Name are missing."))
    return "", name


_EXCEPTION = re.compile(r"^\s*(\d+)\s*[:\-]?\s*(.*?)\s*(?:\((.*)\))?\s*$", re.DOTALL)


def _tabular_exceptions(value: str, line: int | None, problems: _Problems) -> list[dict]:
    """`3031: Usage Not Ready for Requested Dates (data); 3030: ...`"""
    found = []
    for part in re.split(r";\s*(?=\d+\s*:)", value.strip()) if value.strip() else []:
        match = _EXCEPTION.match(part)
        if not match:
            problems.add(
                line,
                "Exceptions",
                _(
                    "“%(value)s” is not an exception like “3031: Usage Not "
                    "Ready for Requested Dates”."
                )
                % {"value": part},
            )
            continue
        code = int(match[1])
        found.append(
            {"code": code, "severity": _severity(code), "message": match[2], "data": match[3] or ""}
        )
    return found


_PERIOD_PART = re.compile(r"(begin|end)_?date\s*=\s*(\d{4}-\d{2}(?:-\d{2})?)", re.IGNORECASE)


def _tabular_period(value: str, line: int | None, problems: _Problems):
    if not value.strip():
        return None
    parts = {name.lower(): date for name, date in _PERIOD_PART.findall(value)}
    if "begin" not in parts or "end" not in parts:
        problems.add(
            line,
            "Reporting_Period",
            _("“%(value)s” is not a period like “Begin_Date=2024-01-01; End_Date=2024-12-31”.")
            % {"value": value},
        )
        return None
    return _period(parts["begin"], parts["end"], line, "Reporting_Period", problems)


def _period(begin: str, end: str, line, column, problems):
    try:
        first = datetime.date.fromisoformat(begin if len(begin) > 7 else f"{begin}-01")
        last = datetime.date.fromisoformat(end if len(end) > 7 else f"{end}-01")
    except ValueError:
        problems.add(
            line,
            column,
            _("%(begin)s to %(end)s is not a period of dates.") % {"begin": begin, "end": end},
        )
        return None
    if last < first:
        problems.add(line, column, _("The period ends before it begins."))
        return None
    return first.replace(day=1), last.replace(day=1)


# -- COUNTER 4 ---------------------------------------------------------------------------------


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_r4_table(table: list[list[str]], start: int, match: re.Match) -> Report:
    problems = _Problems()
    kind, number = match[1].lower(), match[2]
    release = "".join((match[3] or match[4] or "").split()).upper()
    report_id = R4_REPORTS.get((kind, number))
    if release != "R4":
        raise _refused(
            start + 1,
            "A",
            _(
                "“%(title)s” does not say it is COUNTER Release 4, e.g. “Journal "
                "Report 1 (R4)”; only COUNTER 4 and 5 reports can be imported."
            )
            % {"title": table[start][0]},
        )
    if report_id is None:
        raise _refused(
            start + 1,
            "A",
            _(
                "%(title)s cannot be imported; of COUNTER 4 the import knows JR1, DB1, BR1, BR2 "
                "and PR1."
            )
            % {"title": table[start][0]},
        )
    heading_index = None
    period = None
    keys: list[str] = []
    for index in range(start + 1, len(table)):
        cells = table[index]
        keys = [_key(cell) for cell in cells]
        if "reportingperiodtotal" in keys:
            heading_index = index
            break
        if keys and keys[0].startswith("periodcoveredbyreport"):
            text = (
                cells[1]
                if len(cells) > 1 and cells[1]
                else (table[index + 1][0] if index + 1 < len(table) and table[index + 1] else "")
            )
            found = _ISO_DATE.findall(text)
            if len(found) == 2:
                period = _period(found[0], found[1], index + 2, "A", problems)
    if heading_index is None:
        raise _refused(
            None,
            None,
            _("The column headings are missing: no row has a “Reporting Period Total” column."),
        )
    headings = table[heading_index]  # keys are its cells' keys
    line = heading_index + 1
    platform_at = keys.index("platform") if "platform" in keys else None
    if platform_at is None:
        problems.add(line, None, _("There is no Platform column."))
    total_at = keys.index("reportingperiodtotal")
    metric_at = keys.index("useractivity") if "useractivity" in keys else None
    if report_id in ("DB1", "PR1") and metric_at is None:
        problems.add(line, None, _("There is no User Activity column."))
    title_at = None if report_id == "PR1" else 0
    month_columns = _month_columns(
        headings, keys, total_at + 1, line, _R4_NOT_MONTHS, period, problems
    )
    months = [month for _index, month in month_columns]
    lines, summed = [], {}
    if (
        month_columns
        and platform_at is not None
        and (metric_at is not None or report_id in _R4_METRIC)
    ):
        lines, months, summed = _figures(
            table,
            heading_index,
            headings,
            platform_at,
            metric_at,
            total_at,
            title_at,
            month_columns,
            lambda text: _R4_ACTIVITY_OF_KEY.get(_key(text)),
            problems,
            fixed_metric=_R4_METRIC.get(report_id),
            skip_totals=True,
        )
    problems.raise_any()
    first, last = period or (min(months), max(months))
    name = _R4_NAMES[report_id]
    return Report("4", report_id, name, [], first, last, lines, months, summed)


_TOTAL_FOR_ALL = re.compile("total for all", re.IGNORECASE).match


def _is_total(cells: list[str], indexes: tuple[int, ...]) -> bool:
    """The "Total for all journals/titles/databases" row of a COUNTER 4 report: one of the
    cells at the indexes starts so."""
    return any(map(_TOTAL_FOR_ALL, map(cells.__getitem__, indexes)))


# -- monthly counts ----------------------------------------------------------------------------

_COUNT_COLUMNS = {
    "month": {"month", "måned", "maaned", "maned"},
    "resource": {"resource", "ressource", "platform"},
    "metric": {"metric", "måling", "maaling", "metrictype"},
    "count": {"count", "antal"},
}
_COUNT_FIELD_OF_KEY = {key: name for name, keys in _COUNT_COLUMNS.items() for key in keys}


def _parse_counts(table: list[list[str]], start: int) -> Report:
    problems = _Problems()
    headings = table[start]
    line = start + 1
    at: dict[str, int] = {}
    for index, heading in enumerate(headings):
        if not heading:
            continue
        name = _COUNT_FIELD_OF_KEY.get(_key(heading))
        if name is None:
            problems.add(
                line,
                _column(headings, index),
                _(
                    "“%(heading)s” is not a column of monthly counts (month, resource, "
                    "metric, count; or måned, ressource, måling, antal)."
                )
                % {"heading": heading},
            )
        elif name in at:
            problems.add(line, heading, _("This column is there twice."))
        else:
            at[name] = index
    if "metric" not in at:
        problems.add(line, None, _("The metric column is missing."))
    problems.raise_any()
    month_at, count_at, metric_at = at["month"], at["count"], at["metric"]
    resource_at = at.get("resource")
    need = max(at.values())
    rows: list[Row] = []
    first_line: dict[tuple[str, datetime.date, str], int] = {}
    for number in range(start + 1, len(table)):
        cells = table[number]
        if not any(cells):
            continue
        line = number + 1
        if len(cells) <= need:
            cells = cells + [""] * (need + 1 - len(cells))
        month = _month(cells[month_at])
        if month is None:
            problems.add(
                line,
                headings[month_at],
                _("“%(value)s” is not a month; write it as YYYY-MM, e.g. 2024-01.")
                % {"value": cells[month_at]}
                if cells[month_at]
                else _("The month is missing."),
            )
        metric = " ".join(cells[metric_at].split())
        if not metric:
            problems.add(line, headings[metric_at], _("The metric is missing."))
        count = None
        if not cells[count_at]:
            problems.add(line, headings[count_at], _("The count is missing."))
        else:
            try:
                count = _count(cells[count_at])
            except ValueError as error:
                problems.add(line, headings[count_at], str(error))
        resource = cells[resource_at] if resource_at is not None else ""
        if resource_at is not None and not resource:
            problems.add(line, headings[resource_at], _("The resource is missing."))
        if month is None or count is None or not metric:
            continue
        key = (resource.lower(), month, metric.lower())
        if key in first_line:
            problems.add(
                line,
                None,
                _("%(month)s %(metric)s %(resource)s is given twice (first on line %(first)s).")
                % {
                    "month": _month_label(month),
                    "metric": metric,
                    "resource": resource,
                    "first": first_line[key],
                },
            )
            continue
        first_line[key] = line
        rows.append(Row(resource, month, metric, count))
    if not rows and not problems:
        problems.add(None, None, _("The file has no figures."))
    problems.raise_any()
    months = [row.month for row in rows]
    return Report.of_rows("counts", "counts", "Monthly counts", rows, [], min(months), max(months))


# -- SUSHI JSON --------------------------------------------------------------------------------


def _parse_json_text(text: str) -> Report:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _refused(
            error.lineno,
            str(error.colno),
            _("The JSON is broken or cut off: %(error)s.") % {"error": error.msg},
        ) from None
    return parse_sushi(data)


def _exception(item: dict) -> dict:
    try:
        code = int(item.get("Code"))
    except (TypeError, ValueError):
        code = 0
    return {
        "code": code,
        "severity": str(item.get("Severity") or _severity(code)),
        "message": str(item.get("Message") or ""),
        "data": str(item.get("Data") or ""),
    }


def _sushi_period(filters, problems: _Problems):
    if isinstance(filters, list):  # R5.0: [{"Name": "Begin_Date", "Value": "2021-01-01"}, ...]
        filters = {f.get("Name"): f.get("Value") for f in filters if isinstance(f, dict)}
    if not isinstance(filters, dict):
        return None, None
    begin, end = filters.get("Begin_Date"), filters.get("End_Date")
    if not begin or not end:
        return None, None
    period = _period(str(begin), str(end), None, "Report_Header.Report_Filters", problems)
    return period or (None, None)


def _sushi_item(item, path, parent_platform, title_field, rows, problems) -> None:
    if not isinstance(item, dict):
        problems.add(None, path, _("A report item is not an object."))
        return
    platform = str(item.get("Platform") or parent_platform or "").strip()
    title = str(item.get(title_field) or "") if title_field else ""
    if "Items" in item and "Performance" not in item and "Attribute_Performance" not in item:
        for index, child in enumerate(item.get("Items") or []):  # R5.1 IR: items under parents
            _sushi_item(child, f"{path}.Items[{index}]", platform, title_field, rows, problems)
        return
    if not platform:
        problems.add(None, f"{path}.Platform", _("The platform is missing."))
        return
    if "Attribute_Performance" in item:  # R5.1
        for a, attributes in enumerate(item["Attribute_Performance"] or []):
            performance = attributes.get("Performance") if isinstance(attributes, dict) else None
            where = f"{path}.Attribute_Performance[{a}].Performance"
            if not isinstance(performance, dict):
                problems.add(None, where, _("Performance is not an object."))
                continue
            for metric_name, months in performance.items():
                metric = _r5_metric(metric_name)
                if metric is None:
                    problems.add(
                        None,
                        f"{where}.{metric_name}",
                        _("“%(value)s” is not a COUNTER metric.") % {"value": metric_name},
                    )
                    continue
                if not isinstance(months, dict):
                    problems.add(None, f"{where}.{metric_name}", _("The months are not an object."))
                    continue
                for month_text, value in months.items():
                    place = f"{where}.{metric_name}.{month_text}"
                    month = _month(str(month_text))
                    count = _json_count(value, place, problems)
                    if month is None:
                        problems.add(
                            None,
                            place,
                            _("%(value)s is not a month like 2024-01.") % {"value": month_text},
                        )
                    elif count is not None:
                        rows.append(Row(platform, month, metric, count, title))
    elif "Performance" in item:  # R5.0
        for p, period in enumerate(item["Performance"] or []):
            where = f"{path}.Performance[{p}]"
            month = _sushi_month(period, where, problems)
            for i, instance in enumerate(
                period.get("Instance") or [] if isinstance(period, dict) else []
            ):
                place = f"{where}.Instance[{i}]"
                metric = _r5_metric(str(instance.get("Metric_Type") or ""))
                if metric is None:
                    problems.add(
                        None,
                        f"{place}.Metric_Type",
                        _("“%(value)s” is not a COUNTER metric.")
                        % {"value": instance.get("Metric_Type")},
                    )
                    continue
                count = _json_count(instance.get("Count"), f"{place}.Count", problems)
                if month is not None and count is not None:
                    rows.append(Row(platform, month, metric, count, title))
    else:
        problems.add(None, path, _("The item has no Performance."))


def _sushi_month(period, where, problems) -> datetime.date | None:
    dates = period.get("Period") if isinstance(period, dict) else None
    if not isinstance(dates, dict):
        problems.add(None, f"{where}.Period", _("The period is missing."))
        return None
    try:
        begin = datetime.date.fromisoformat(str(dates.get("Begin_Date")))
        end = datetime.date.fromisoformat(str(dates.get("End_Date")))
    except ValueError:
        problems.add(None, f"{where}.Period", _("Begin_Date and End_Date must be dates."))
        return None
    if begin.day != 1 or _next_month(begin) <= end:
        problems.add(
            None,
            f"{where}.Period",
            _("%(begin)s to %(end)s is not one month; request the report month by month.")
            % {"begin": begin, "end": end},
        )
        return None
    return begin


def _json_count(value, place, problems) -> int | None:
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        if value < 0:
            problems.add(
                None, place, _("%(value)s is negative; a count cannot be.") % {"value": value}
            )
            return None
        return value
    if isinstance(value, str):  # counts sent as strings, e.g. "116" (HighWire)
        try:
            return _count(value.strip())
        except ValueError as error:
            problems.add(None, place, str(error))
            return None
    problems.add(None, place, _("%(value)s is not a whole number.") % {"value": value})
    return None


def _zero_months(rows: list[Row], first: datetime.date, last: datetime.date) -> list[Row]:
    """0 figures for the months of the period a SUSHI report leaves out (it reports no zeros),
    per platform and metric, so that JSON and tabular reports of the same usage agree."""
    seen: dict[tuple[str, str], set[datetime.date]] = {}
    for row in rows:
        seen.setdefault((row.platform, row.metric), set()).add(row.month)
    months = _months_between(first, last)
    return [
        Row(platform, month, metric, 0)
        for (platform, metric), present in seen.items()
        for month in months
        if month not in present
    ]


__all__ = ["CounterError", "Line", "Problem", "Report", "Row", "parse", "parse_sushi"]
