"""interchange.table: frameworks as CSV files and Excel workbooks, out and back in.

The messages are asserted in English (the msgids), so these tests keep their meaning whatever the
Danish catalogue says.
"""

import csv
import io

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from digikompas.frameworks import services
from digikompas.frameworks.content import (
    CompetencyContent,
    DomainContent,
    FrameworkContent,
    FrameworkRejected,
    Keywords,
    LevelContent,
    ProfileContent,
    Text,
    content_of,
    derived_identifier,
)
from digikompas.frameworks.interchange import DocumentInfo, read_file, table, write_file
from digikompas.frameworks.interchange.table import COLUMNS, read_table, write_table

from .conftest import make_content

JOB_ROLES = (
    "librarian, library_assistant, communicator, digital_guide, student_assistant, "
    "library_leader, head_of_libraries, other"
)
XLSX_HEADER = ["type", "code", "parent", "level", "title_da", "title_en", "job_role"]
ROW_TYPES = "framework, level, domain, competency, descriptor, target, required"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def row(kind: str, **values) -> dict:
    return {"type": kind, **values}


def valid_rows() -> list[dict]:
    """A small, correct framework; the comments give each row's number in a spreadsheet."""
    return [
        row("framework", code="ramme", title_da="Ramme", title_en="Framework"),  # 2
        row("level", level="0", title_da="Intet", title_en="None"),  # 3
        row("level", level="1", title_da="Lidt", title_en="Some"),  # 4
        row("domain", code="D", title_da="Digitalt", title_en="Digital"),  # 5
        row("competency", code="D.1", parent="D", title_da="Søgning", title_en="Search"),  # 6
        row("descriptor", parent="D.1", level="1", description_da="Søger."),  # 7
        row("target", job_role="librarian"),  # 8
        row("required", job_role="librarian", parent="D.1", level="1"),  # 9
    ]


def csv_of(rows: list[dict], header=COLUMNS, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([r.get(column, "") for column in header] for r in rows)
    return out.getvalue().encode("utf-8")


def xlsx_of(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for cells in rows:
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def problems(raw: bytes, file_format: str = "csv") -> list[str]:
    with pytest.raises(FrameworkRejected) as info:
        read_table(raw, file_format=file_format)
    return [str(problem) for problem in info.value.problems]


# -- export and import --------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_it_reads_back_what_it_wrote(content, file_format):
    raw = write_table(content, file_format=file_format)

    assert read_table(raw, file_format=file_format).content == content


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_it_keeps_texts_that_look_like_formulas_or_numbers(file_format):
    content = make_content(title=Text("=SUM(A1:A3)", "+45 12 34 56 78"), key="007")

    raw = write_table(content, file_format=file_format)

    assert read_table(raw, file_format=file_format).content == content


@pytest.mark.parametrize(("file_format", "filename"), [("csv", "f.csv"), ("xlsx", "f.xlsx")])
def test_a_stored_framework_comes_back_identical(framework, content, file_format, filename):
    raw = write_file(content_of(framework), file_format=file_format, info=DocumentInfo())
    framework.delete()

    imported = read_file(raw=raw, filename=filename)
    stored = services.create_framework(content=imported.content)

    assert imported.notes == []
    assert content_of(stored) == content


def test_the_csv_file_is_utf8_with_a_byte_order_mark_in_framework_order(content):
    raw = write_table(content, file_format="csv")

    assert raw.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert lines[0] == list(COLUMNS)
    assert [(line[0], line[1], line[2], line[3]) for line in lines[1:]] == [
        ("framework", "testramme", "", ""),
        ("level", "", "", "0"),
        ("level", "", "", "1"),
        ("level", "", "", "2"),
        ("domain", "S", "", ""),
        ("competency", "S.1", "S", ""),
        ("descriptor", "", "S.1", "0"),
        ("descriptor", "", "S.1", "1"),
        ("descriptor", "", "S.1", "2"),
        ("competency", "S.2", "S", ""),
        ("descriptor", "", "S.2", "0"),
        ("descriptor", "", "S.2", "1"),
        ("descriptor", "", "S.2", "2"),
        ("domain", "L", "", ""),
        ("competency", "L.1", "L", ""),
        ("descriptor", "", "L.1", "0"),
        ("descriptor", "", "L.1", "1"),
        ("descriptor", "", "L.1", "2"),
        ("target", "", "", ""),
        ("required", "", "S.1", "2"),
        ("required", "", "S.2", "2"),
        ("required", "", "L.1", "0"),
        ("target", "", "", ""),
        ("required", "", "S.1", "1"),
        ("required", "", "L.1", "2"),
    ]
    competency = dict(zip(COLUMNS, lines[6], strict=True))
    assert competency["description_da"] == 'Finde "de rigtige" titler; også lydbøger,\nog podcasts.'
    assert competency["keywords_da"] == "søgning; ereolen"
    target = dict(zip(COLUMNS, lines[23], strict=True))
    assert (target["job_role"], target["library_kind"]) == ("library_leader", "main")


def test_the_workbook_is_ready_to_read_in_a_spreadsheet(content):
    raw = write_table(content, file_format="xlsx", info=DocumentInfo(version=3))

    workbook = load_workbook(io.BytesIO(raw))
    sheet = workbook.active
    assert workbook.sheetnames == ["framework"]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["H"].width == 60  # description_da
    assert sheet["D3"].value == 0  # the level as a number, not a text
    assert sheet["F2"].value == "Testramme for søgning"
    assert workbook.properties.version == "3"


# -- files written by hand ----------------------------------------------------------------------

HAND_WRITTEN = """\
Type;Code;Parent;Level;Title_DA;Title_en;Description_da;Keywords_da;Job_role;Library_kind
framework;haandskrevet;;;Håndskrevet ramme;Hand-written framework;;;;
level;;;0;Intet;None;;;;
level;;;1;Lidt;Some;;;;
;;;;;;;;;

domain;D;;;Digitalt;Digital;;;;
competency;D.1;D;;Søgning;Searching;"Finde titler;
også lydbøger";"søgning; e-bøger ";;
descriptor;;D.1;0;;;Kender det ikke.;;;
descriptor;;D.1;1;;;Søger selv.;;;
target;;;;;;Alle bibliotekarer.;;librarian;
required;;D.1;1;;;;;librarian;
"""


def test_a_hand_written_csv_with_semicolons_and_no_identifiers_imports():
    raw = HAND_WRITTEN.replace("\n", "\r\n").encode("utf-8")

    content = read_table(raw, file_format="csv").content

    competency = derived_identifier("haandskrevet", "competency", "D.1")
    assert content == FrameworkContent(
        identifier=derived_identifier("haandskrevet", "framework"),
        key="haandskrevet",
        title=Text("Håndskrevet ramme", "Hand-written framework"),
        levels=(LevelContent(0, Text("Intet", "None")), LevelContent(1, Text("Lidt", "Some"))),
        domains=(
            DomainContent(
                derived_identifier("haandskrevet", "domain", "D"),
                "D",
                Text("Digitalt", "Digital"),
                competencies=(
                    CompetencyContent(
                        competency,
                        "D.1",
                        Text("Søgning", "Searching"),
                        Text("Finde titler;\nogså lydbøger"),
                        Keywords(("søgning", "e-bøger")),
                        {0: Text("Kender det ikke."), 1: Text("Søger selv.")},
                    ),
                ),
            ),
        ),
        profiles=(ProfileContent("librarian", "", Text("Alle bibliotekarer."), {competency: 1}),),
    )
    assert read_table(raw, file_format="csv").content == content


def workbook_rows() -> list[list]:
    return [XLSX_HEADER, *([r.get(c) for c in XLSX_HEADER] for r in valid_rows())]


def test_a_workbook_with_levels_as_decimal_numbers_imports():
    rows = workbook_rows()
    rows[2][3], rows[3][3], rows[6][3], rows[8][3] = 0.0, 1.0, 1.0, 1.0

    content = read_table(xlsx_of(rows), file_format="xlsx").content

    assert [level.value for level in content.levels] == [0, 1]
    assert content.profiles[0].levels == {derived_identifier("ramme", "competency", "D.1"): 1}


def test_a_level_with_a_fraction_is_refused_in_a_workbook():
    rows = workbook_rows()
    rows[2][3] = 2.5

    assert problems(xlsx_of(rows), "xlsx") == ["row 3, level: “2.5” is not a whole number."]


# -- what it refuses ----------------------------------------------------------------------------


def test_the_valid_rows_import():
    # The tests below break one thing in these rows.
    assert read_table(csv_of(valid_rows()), file_format="csv").content.key == "ramme"


def test_a_level_that_is_not_a_number():
    rows = valid_rows()
    rows[5]["level"] = "x"

    assert problems(csv_of(rows)) == ["row 7, level: “x” is not a whole number."]


def test_a_competency_before_its_domain():
    rows = valid_rows()
    rows[3], rows[4] = rows[4], rows[3]

    assert problems(csv_of(rows)) == [
        "row 5, parent: No domain with the code “D” comes before this row."
    ]


def test_a_descriptor_of_an_unknown_competency():
    rows = valid_rows()
    rows[5]["parent"] = "D.9"

    assert problems(csv_of(rows)) == [
        "row 7, parent: No competency with the code “D.9” comes before this row."
    ]


def test_a_descriptor_for_a_level_the_scale_does_not_have():
    rows = valid_rows()
    rows[5]["level"] = "4"

    assert problems(csv_of(rows)) == ["row 7, level: The scale has no level 4."]


def test_a_required_level_of_an_unknown_competency():
    rows = valid_rows()
    rows[7]["parent"] = "X"

    assert problems(csv_of(rows)) == [
        "row 9, parent: No competency with the code “X” comes before this row."
    ]


def test_a_required_level_of_a_profile_without_a_target_row():
    rows = valid_rows()
    rows[7]["library_kind"] = "main"

    assert problems(csv_of(rows)) == [
        "row 9, job_role: No target row with job_role “librarian” and library_kind “main” "
        "comes before this row."
    ]


def test_a_code_used_twice():
    rows = valid_rows()
    rows.append(row("competency", code="D", parent="D", title_da="Igen"))

    assert problems(csv_of(rows)) == ["row 10, code: The code D is in row 5 already."]


def test_two_framework_rows():
    rows = valid_rows()
    rows.append(rows[0])

    assert problems(csv_of(rows)) == ["row 10, type: There is a framework row already, in row 2."]


def test_no_framework_row():
    assert problems(csv_of(valid_rows()[1:])) == ["type: The file has no framework row."]


def test_an_unknown_job_role_is_reported_by_the_framework_check():
    rows = valid_rows()
    rows[6]["job_role"] = rows[7]["job_role"] = "nurse"

    assert problems(csv_of(rows)) == [
        f"row 8 (target profile nurse), job_role: “nurse” is not a job role. "
        f"Use one of: {JOB_ROLES}."
    ]


def test_an_unknown_row_type():
    rows = valid_rows()
    rows.insert(3, row("domæne", code="X"))

    assert problems(csv_of(rows)) == [
        f"row 5, type: “domæne” is not a type of row. Use one of: {ROW_TYPES}."
    ]


def test_an_unknown_and_a_missing_column():
    header = [("titel_da" if c == "title_da" else c.upper()) for c in COLUMNS]

    assert problems(csv_of(valid_rows(), header=header)) == [
        f"row 1, titel_da: This is not a column of a framework table. "
        f"The columns are: {', '.join(COLUMNS)}.",
        "row 1, title_da: The column is missing.",
    ]


@pytest.mark.parametrize("raw", [b"", "\ufeff".encode(), b"\r\n\r\n"])
def test_an_empty_csv_file(raw):
    assert problems(raw) == ["The file is empty."]


def test_an_empty_workbook():
    assert problems(xlsx_of([]), "xlsx") == ["The file is empty."]


def test_a_header_without_rows():
    assert problems(csv_of([])) == ["The file has a header row but no rows below it."]


def test_every_problem_is_reported_at_once_in_row_order():
    rows = valid_rows()
    rows[0]["code"] = "min ramme"
    rows[1]["level"] = "11"
    rows[5]["parent"] = ""
    rows[6]["job_role"] = rows[7]["job_role"] = "nurse"
    rows.insert(5, {})  # a blank row still counts in the numbering

    assert problems(csv_of(rows, delimiter=";")) == [
        "row 2 (framework), key: “min ramme” is not a valid key: use at most 100 letters, "
        "digits, hyphens and underscores.",
        "row 3 (level 11), value: A level must be a whole number from 0 to 10.",
        "row 8, parent: Name the competency of this descriptor by its code.",
        f"row 9 (target profile nurse), job_role: “nurse” is not a job role. Use one of: "
        f"{JOB_ROLES}.",
    ]


def test_a_file_with_too_many_rows(monkeypatch):
    monkeypatch.setattr(table, "MAX_ROWS", 5)

    assert problems(csv_of(valid_rows())) == [
        "The file has more than 5 rows; a framework is never that long."
    ]


def test_a_csv_file_that_is_not_utf8():
    assert problems("type;code\nframework;å".encode("latin-1")) == [
        "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”, "
        "or upload the workbook (.xlsx) instead."
    ]


def test_a_file_that_is_not_a_workbook():
    assert problems(b"type,code\r\n", "xlsx") == [
        "The file could not be read as an Excel workbook (.xlsx)."
    ]


def test_a_value_in_a_column_the_row_does_not_use():
    # In a file separated by semicolons, unquoted keywords "a; b" slip into the next column.
    rows = valid_rows()
    rows[4]["job_role"] = "e-bøger"
    rows[6]["title_da"] = "Bibliotekarer"

    assert problems(csv_of(rows)) == [
        "row 6, job_role: A competency row does not use this column; leave it empty.",
        "row 8, title_da: A target row does not use this column; leave it empty.",
    ]


def test_rows_that_repeat_a_level_a_descriptor_a_target_or_a_required_level():
    rows = valid_rows()
    rows += [rows[2], rows[5], rows[6], rows[7]]

    assert problems(csv_of(rows)) == [
        "row 10, level: Level 1 is in row 4 already.",
        "row 11, level: The descriptor of D.1 for level 1 is in row 7 already.",
        "row 12, job_role: There is a target row for this job role and kind of library "
        "already, in row 8.",
        "row 13, parent: The level this profile requires in D.1 is in row 9 already.",
    ]


def test_an_identifier_that_is_not_a_uuid():
    rows = valid_rows()
    rows[3]["identifier"] = "D-1"

    assert problems(csv_of(rows)) == ["row 5, identifier: “D-1” is not a UUID."]
