"""A competence framework as one table: a CSV file or an Excel workbook (.xlsx).

The table can be read and edited in a spreadsheet, and a framework can be written in one by hand.
The first row names the columns, in any order, in upper or lower case:

    type, code, parent, level, identifier, title_da, title_en, description_da, description_en,
    keywords_da, keywords_en, job_role, library_kind

type, code, parent, level, title_da and title_en must be there; the others may be left out.
Every other row is one part of the framework, and its `type` says which (a row leaves the
columns it does not use empty):

    framework   The framework itself, in exactly one row: code = its key (letters, digits,
                hyphens and underscores), identifier, title_*, description_*.
    level       One step of the scale: level = its value (a whole number from 0 to 10),
                title_* = its label, description_* = what the level means.
    domain      A group of competencies: code, identifier, title_*, description_*.
    competency  code, parent = the code of its domain, identifier, title_*, description_*,
                keywords_* separated by semicolons ("søgning; e-bøger").
    descriptor  What a person at one level of a competency does: parent = the code of the
                competency, level, description_* = the text.
    target      A target profile: job_role (e.g. librarian), library_kind (e.g. main; empty:
                every kind of library), description_* = a note.
    required    The level a target profile requires in a competency: job_role and library_kind
                of the profile, parent = the code of the competency, level.

A row can only name what a row above it defines: its domain or competency, its level (so the
level rows come first), its target profile. Domains, competencies and profiles keep the order of
their rows. Codes are unique across domains and competencies. `_da` columns hold the Danish text,
`_en` the English; either may be empty. Blank rows are skipped.

The `identifier` of the framework, a domain or a competency is a UUID that stays the same from
version to version, so that versions can be compared. An export writes it; when it is empty, it
is derived from the key and the code, so that reading the same file twice gives the same
framework.

CSV files are UTF-8 (with or without the byte order mark Excel writes), separated by commas or
semicolons; an export is separated by commas and starts with a byte order mark, so that Excel
shows æøå. A workbook is read from its first sheet. An export writes the rows in the order of the
framework: the framework, the levels, each domain followed by its competencies (each followed by
its descriptors), each target profile followed by its required levels.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from digikompas import spreadsheets

from ..content import (
    LANGUAGES,
    CompetencyContent,
    DomainContent,
    FrameworkContent,
    FrameworkRejected,
    Keywords,
    LevelContent,
    Problem,
    ProfileContent,
    Text,
    check,
    derived_identifier,
)
from . import DocumentInfo, Imported

COLUMNS = (
    "type", "code", "parent", "level", "identifier", "title_da", "title_en", "description_da",
    "description_en", "keywords_da", "keywords_en", "job_role", "library_kind",
)  # fmt: skip
REQUIRED_COLUMNS = ("type", "code", "parent", "level", "title_da", "title_en")
# The columns each type of row uses (title, description and keywords in both languages).
ROW_TYPES = {
    "framework": {"code", "identifier", "title", "description"},
    "level": {"level", "title", "description"},
    "domain": {"code", "identifier", "title", "description"},
    "competency": {"code", "parent", "identifier", "title", "description", "keywords"},
    "descriptor": {"parent", "level", "description"},
    "target": {"job_role", "library_kind", "description"},
    "required": {"job_role", "library_kind", "parent", "level"},
}
# A framework has a few hundred rows; a workbook compresses so well that the byte limit alone
# would not keep a crafted one from filling the memory.
MAX_ROWS = 100_000
SHEET_TITLE = "framework"
# In characters; a description column is wide enough to read a paragraph.
COLUMN_WIDTHS = {"type": 12, "code": 10, "parent": 10, "level": 7, "identifier": 38, "title": 32,
                 "description": 60, "keywords": 28, "job_role": 18, "library_kind": 14}  # fmt: skip
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


# -- writing ------------------------------------------------------------------------------------


def write_table(
    content: FrameworkContent, *, file_format: str, info: DocumentInfo | None = None
) -> bytes:
    """The content as a CSV file ("csv") or an Excel workbook ("xlsx"). The version in `info`
    goes into the workbook's properties; a CSV file has no place for it."""
    rows = list(_rows(content))
    if file_format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if file_format == "xlsx":
        return _workbook(rows, content, info)
    raise ValueError(f"Unknown table format {file_format!r}")


def _row(kind: str, **cells) -> list:
    """One row of the table; a Text or Keywords value fills the columns of both languages."""
    values = {"type": kind}
    for name, value in cells.items():
        if isinstance(value, Text | Keywords):
            for language in LANGUAGES:
                text = getattr(value, language)
                values[f"{name}_{language}"] = text if isinstance(text, str) else "; ".join(text)
        else:
            values[name] = value
    return [values.get(column) for column in COLUMNS]


def _rows(content: FrameworkContent) -> Iterator[list]:
    yield _row("framework", code=content.key, identifier=str(content.identifier),
               title=content.title, description=content.description)  # fmt: skip
    for level in content.levels:
        yield _row("level", level=level.value, title=level.label, description=level.description)
    for d in content.domains:
        yield _row("domain", code=d.code, identifier=str(d.identifier), title=d.title,
                   description=d.description)  # fmt: skip
        for c in d.competencies:
            yield _row("competency", code=c.code, parent=d.code, identifier=str(c.identifier),
                       title=c.title, description=c.description, keywords=c.keywords)  # fmt: skip
            for value, text in sorted(c.descriptors.items()):
                yield _row("descriptor", parent=c.code, level=value, description=text)
    codes = {c.identifier: c.code for c in content.competencies}
    for p in content.profiles:
        profile = {"job_role": p.job_role, "library_kind": p.library_kind}
        yield _row("target", description=p.note, **profile)
        for identifier, value in p.levels.items():
            yield _row("required", parent=codes.get(identifier), level=value, **profile)


def _workbook(rows: list[list], content: FrameworkContent, info: DocumentInfo | None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTHS[_field(name)]
    alignment = Alignment(vertical="top", wrap_text=True)
    for number, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            cell = sheet.cell(number, index)
            spreadsheets.put(cell, value)
            cell.alignment = alignment
    workbook.properties.title = content.title.da or content.title.en
    if info is not None and info.version is not None:
        workbook.properties.version = str(info.version)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# -- reading the file ---------------------------------------------------------------------------


def _field(column: str) -> str:
    """The column without its language: "title_da" → "title"."""
    return column.removesuffix("_da").removesuffix("_en")


def _rejected(reason: str) -> FrameworkRejected:
    return FrameworkRejected([Problem("", "", reason)])


def _where(row: int) -> str:
    return _("row %(row)s") % {"row": row}


def read_table(raw: bytes, *, file_format: str) -> Imported:
    """The framework in a CSV file ("csv") or an Excel workbook ("xlsx").

    FrameworkRejected lists every problem, each naming the row as the spreadsheet numbers it
    (the header is row 1), the column and why; nothing is stored by reading."""
    rows = enumerate(_file_rows(raw, excel=file_format == "xlsx"), start=1)
    header = next(rows, None)
    if header is None:
        raise _rejected(_("The file is empty."))
    positions = _read_header(header[1])
    reader = _Reader()
    for number, cells in rows:
        if number > MAX_ROWS + 1:
            raise _rejected(
                _("The file has more than %(max)s rows; a framework is never that long.")
                % {"max": MAX_ROWS}
            )
        values = {
            c: spreadsheets.cell(cells[i]) if i < len(cells) else "" for c, i in positions.items()
        }
        if any(values.values()):
            reader.read(_Row(number, values))
    if not reader.count:
        raise _rejected(_("The file has a header row but no rows below it."))
    return Imported(content=reader.content())


def _file_rows(raw: bytes, *, excel: bool) -> Iterator[Sequence]:
    try:
        yield from spreadsheets.read_rows(raw, excel=excel)
    except spreadsheets.UnreadableFile as error:
        raise _rejected(str(error)) from None


def _read_header(cells: Iterable) -> dict[str, int]:
    """Each column's position; FrameworkRejected for unknown, repeated or missing columns."""
    positions: dict[str, int] = {}
    problems = []
    for index, value in enumerate(cells):
        text = spreadsheets.cell(value)
        name = text.casefold()
        if not text:
            continue
        if name not in COLUMNS:
            reason = _("This is not a column of a framework table. The columns are: %(columns)s.")
            problems.append(Problem(_where(1), text, reason % {"columns": ", ".join(COLUMNS)}))
        elif name in positions:
            problems.append(Problem(_where(1), text, _("The column appears more than once.")))
        else:
            positions[name] = index
    for column in REQUIRED_COLUMNS:
        if column not in positions:
            problems.append(Problem(_where(1), column, _("The column is missing.")))
    if problems:
        raise FrameworkRejected(problems)
    return positions


# -- reading the rows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    number: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def text(self, name: str) -> Text:
        return Text(da=self[f"{name}_da"], en=self[f"{name}_en"])

    def item(self) -> tuple[str, Text, Text]:
        """The code, title and description of a domain or competency."""
        return self["code"], self.text("title"), self.text("description")

    def keywords(self) -> Keywords:
        def words(cell: str) -> tuple[str, ...]:
            return tuple(word.strip() for word in cell.split(";") if word.strip())

        return Keywords(da=words(self["keywords_da"]), en=words(self["keywords_en"]))


@dataclass(eq=False)
class _Item:
    """A domain, competency or target profile as read. It is not `accepted` into the content when
    its row or its parent's row has a problem, but it can still be named as a parent, so that
    its children are not reported as well (the file is rejected either way)."""

    row: _Row
    identifier: uuid.UUID | None = None
    accepted: bool = True
    children: list[_Item] = field(default_factory=list)  # a domain's competencies
    levels: dict = field(default_factory=dict)  # level → descriptor, or competency → level
    rows: dict = field(default_factory=dict)  # level or competency code → the row naming it


class _Reader:
    """Reads the rows one by one, then builds and checks the content. Every reference (a parent,
    a level, a target profile) must name something in a row above."""

    def __init__(self):
        self.count = 0
        self.problems: list[tuple[int, Problem]] = []
        self.framework: _Row | None = None
        self.levels: dict[int, LevelContent] = {}
        self.domains: list[_Item] = []
        self.items: dict[str, dict] = {"domain": {}, "competency": {}, "target": {}}
        self.code_rows: dict[str, int] = {}  # shared by domains and competencies, as in check()
        # How content.check names an item ("domain S") → the row that holds it.
        self.rows_of: dict[str, int] = {}

    def problem(self, at: _Row | int, column: str, reason: str, **values) -> None:
        number = at if isinstance(at, int) else at.number
        self.problems.append((number, Problem(_where(number), column, reason % values)))

    def read(self, row: _Row) -> None:
        self.count += 1
        kind = row["type"].casefold()
        if kind not in ROW_TYPES:
            types = ", ".join(ROW_TYPES)
            if kind:
                reason = _("“%(value)s” is not a type of row. Use one of: %(types)s.")
                self.problem(row, "type", reason, value=row["type"], types=types)
            else:
                reason = _("The type is missing. Use one of: %(types)s.")
                self.problem(row, "type", reason, types=types)
            return
        for column, value in row.values.items():
            if value and column != "type" and _field(column) not in ROW_TYPES[kind]:
                reason = _("A %(type)s row does not use this column; leave it empty.")
                self.problem(row, column, reason, type=kind)
        getattr(self, f"_{kind}")(row)

    def level(self, row: _Row, *, in_scale: bool = True) -> int | None:
        text = row["level"]
        if not text:
            self.problem(row, "level", _("The level is missing."))
        elif not WHOLE_NUMBER.fullmatch(text):
            self.problem(row, "level", _("“%(value)s” is not a whole number."), value=text)
        elif in_scale and int(text) not in self.levels:
            # The level rows come before the rows that use their levels.
            self.problem(row, "level", _("The scale has no level %(value)s."), value=int(text))
        else:
            return int(text)
        return None

    def identifier(self, row: _Row) -> uuid.UUID | None:
        try:
            return uuid.UUID(row["identifier"]) if row["identifier"] else None
        except ValueError:
            reason = _("“%(value)s” is not a UUID.")
            self.problem(row, "identifier", reason, value=row["identifier"])
            return None

    def parent(self, row: _Row, kind: str, missing: str, unknown: str) -> _Item | None:
        item = self.items[kind].get(row["parent"])
        if not row["parent"]:
            self.problem(row, "parent", missing)
        elif item is None:
            self.problem(row, "parent", unknown, code=row["parent"])
        return item

    def _framework(self, row: _Row) -> None:
        if self.framework is not None:
            reason = _("There is a framework row already, in row %(row)s.")
            self.problem(row, "type", reason, row=self.framework.number)
            return
        self.framework = row
        self.rows_of[_("framework")] = row.number

    def _level(self, row: _Row) -> None:
        value = self.level(row, in_scale=False)
        where = _("level %(value)s") % {"value": value}
        if value in self.levels:
            reason = _("Level %(value)s is in row %(row)s already.")
            self.problem(row, "level", reason, value=value, row=self.rows_of[where])
        elif value is not None:
            self.levels[value] = LevelContent(value, row.text("title"), row.text("description"))
            self.rows_of[where] = row.number

    def item(self, row: _Row, kind: str, where: str) -> _Item | None:
        code = row["code"]
        if not code:
            self.problem(row, "code", _("The code is missing."))
            return None
        item = _Item(row, self.identifier(row))
        first = self.code_rows.setdefault(code, row.number)
        if first != row.number:
            reason = _("The code %(code)s is in row %(row)s already.")
            self.problem(row, "code", reason, code=code, row=first)
            item.accepted = False
        else:
            self.rows_of[where] = row.number
        self.items[kind][code] = item
        return item

    def _domain(self, row: _Row) -> None:
        domain = self.item(row, "domain", _("domain %(code)s") % {"code": row["code"]})
        if domain is not None and domain.accepted:
            self.domains.append(domain)

    def _competency(self, row: _Row) -> None:
        where = _("competency %(code)s") % {"code": row["code"]}
        competency = self.item(row, "competency", where)
        domain = self.parent(
            row,
            "domain",
            _("Name the domain of this competency by its code."),
            _("No domain with the code “%(code)s” comes before this row."),
        )
        if competency is not None:
            competency.accepted &= domain is not None and domain.accepted
            if competency.accepted:
                domain.children.append(competency)

    def _descriptor(self, row: _Row) -> None:
        competency = self.parent(
            row,
            "competency",
            _("Name the competency of this descriptor by its code."),
            _("No competency with the code “%(code)s” comes before this row."),
        )
        level = self.level(row)
        if competency is None or level is None:
            return
        first = competency.rows.setdefault(level, row.number)
        if first != row.number:
            reason = _("The descriptor of %(code)s for level %(level)s is in row %(row)s already.")
            self.problem(row, "level", reason, code=row["parent"], level=level, row=first)
        else:
            competency.levels[level] = row.text("description")

    def _target(self, row: _Row) -> None:
        key = (row["job_role"], row["library_kind"])
        if key in self.items["target"]:
            reason = _(
                "There is a target row for this job role and kind of library already, "
                "in row %(row)s."
            )
            self.problem(row, "job_role", reason, row=self.items["target"][key].row.number)
            return
        self.items["target"][key] = _Item(row)
        name = ProfileContent(job_role=row["job_role"], library_kind=row["library_kind"]).name
        self.rows_of[_("target profile %(name)s") % {"name": name}] = row.number

    def _required(self, row: _Row) -> None:
        profile = self.items["target"].get((row["job_role"], row["library_kind"]))
        if profile is None:
            reason = _(
                "No target row with job_role “%(job_role)s” and library_kind "
                "“%(library_kind)s” comes before this row."
            )
            self.problem(row, "job_role", reason, **row.values)
        competency = self.parent(
            row,
            "competency",
            _("Name the competency by its code."),
            _("No competency with the code “%(code)s” comes before this row."),
        )
        level = self.level(row)
        if profile is None or competency is None or level is None or not competency.accepted:
            return
        first = profile.rows.setdefault(row["parent"], row.number)
        if first != row.number:
            reason = _("The level this profile requires in %(code)s is in row %(row)s already.")
            self.problem(row, "parent", reason, row=first, code=row["parent"])
        else:
            profile.levels[competency] = level

    def content(self) -> FrameworkContent:
        """The framework read; FrameworkRejected with every problem, in row order."""
        framework = self.framework or _Row(0, {})
        key = framework["code"]
        if self.framework is None:
            self.problems.append((0, Problem("", "type", _("The file has no framework row."))))

        def identifier(item: _Item, kind: str) -> uuid.UUID:
            # Derived as content_from_dict derives them, so that a file reads the same both ways.
            item.identifier = item.identifier or derived_identifier(key, kind, item.row["code"])
            return item.identifier

        domains = []
        for d in self.domains:
            competencies = tuple(
                CompetencyContent(
                    identifier(c, "competency"), *c.row.item(), c.row.keywords(), c.levels
                )
                for c in d.children
            )
            domains.append(DomainContent(identifier(d, "domain"), *d.row.item(), competencies))
        content = FrameworkContent(
            identifier=self.identifier(framework) or derived_identifier(key, "framework"),
            key=key,
            title=framework.text("title"),
            description=framework.text("description"),
            levels=tuple(self.levels.values()),
            domains=tuple(domains),
            profiles=tuple(
                ProfileContent(
                    job_role=p.row["job_role"],
                    library_kind=p.row["library_kind"],
                    note=p.row.text("description"),
                    levels={c.identifier: level for c, level in p.levels.items()},
                )
                for p in self.items["target"].values()
            ),
        )
        for problem in check(content):
            number = self.rows_of.get(problem.where)
            if self.framework is None and problem.where == _("framework"):
                continue  # the missing framework row is reported already
            if number is not None:
                where = _("row %(row)s (%(item)s)") % {"row": number, "item": problem.where}
                problem = Problem(where, problem.field, problem.reason)
            self.problems.append((number or MAX_ROWS + 2, problem))
        if self.problems:
            raise FrameworkRejected(p for _row, p in sorted(self.problems, key=lambda p: p[0]))
        return content
