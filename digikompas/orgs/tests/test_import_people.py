"""services.import_people: what a staff list creates, updates and refuses.

The messages are asserted in English (the msgids), so these tests keep their meaning whatever the
Danish catalogue says.
"""

import io
import zipfile
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import translation
from openpyxl import Workbook

from digikompas.orgs import importing
from digikompas.orgs.access import actor_for
from digikompas.orgs.importing import ImportRejected, RowError
from digikompas.orgs.models import JobRole, Person
from digikompas.orgs.services import ImportResult, import_people

HEADER = ["name", "email", "library", "job_role"]
ALLOWED = (
    "Librarian, Library assistant, Communicator or other academic, Digital guide, "
    "Student assistant, Library leader, Head of libraries, Other"
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def csv_bytes(*rows, header=HEADER, delimiter=",", bom=False) -> bytes:
    lines = [delimiter.join(header), *(delimiter.join(row) for row in rows)]
    return ("\ufeff" if bom else "").encode() + ("\r\n".join(lines) + "\r\n").encode()


def xlsx_bytes(*rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    workbook.create_sheet("Ignored").append(["not", "read"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return out.getvalue()


def run(person, content, filename="staff.csv"):
    return import_people(actor=actor_for(person.user), content=content, filename=filename)


def rejection(person, content, filename="staff.csv") -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        run(person, content, filename)
    return info.value


# -- what a good file does ----------------------------------------------------------------------


def test_it_creates_people(library_leader, odense_main):
    content = csv_bytes(
        ["Ane Ahl", "ane@odense.example", "746100-01", "librarian"],
        ["Bo Bang", "Bo@Odense.example", "746100-01", "Digital guide"],
    )
    result = run(library_leader, content)
    assert result == ImportResult(created=2, updated=0, unchanged=0, libraries=(odense_main,))
    ane = Person.objects.get(email="ane@odense.example")
    assert (ane.name, ane.library, ane.job_role) == ("Ane Ahl", odense_main, JobRole.LIBRARIAN)
    bo = Person.objects.get(email__iexact="bo@odense.example")
    assert bo.job_role == JobRole.DIGITAL_GUIDE
    assert bo.user is None


def test_it_reads_danish_headers_semicolons_and_a_byte_order_mark(library_leader):
    content = csv_bytes(
        ["Ærø Østergaard", "aero@odense.example", "746100-01", "Bibliotekar"],
        header=["Navn", "E-mail", "Bibliotek", "Stilling"],
        delimiter=";",
        bom=True,
    )
    assert run(library_leader, content).created == 1
    assert Person.objects.get(email="aero@odense.example").name == "Ærø Østergaard"


def test_it_reads_the_first_sheet_of_a_workbook(library_leader):
    content = xlsx_bytes(
        ["Ane Ahl", "ane@odense.example", "746100-01", "Biblioteksassistent"],
        [None, None, None, None],
        ["Bo Bang", "bo@odense.example", "746100-01", "student_assistant"],
        header=["Name", "E-mail-adresse", "Library", "Job_Role"],
    )
    assert run(library_leader, content, "staff.XLSX").created == 2
    assert Person.objects.get(email="ane@odense.example").job_role == JobRole.LIBRARY_ASSISTANT


def test_it_reports_the_spreadsheet_row_of_a_workbook_after_blank_rows(library_leader):
    content = xlsx_bytes(
        ["Ane Ahl", "ane@odense.example", "746100-01", "librarian"],
        [],
        [],
        ["", "bo@odense.example", "746100-01", "librarian"],
    )
    errors = rejection(library_leader, content, "staff.xlsx").errors
    assert errors == [RowError(5, "name", "The name is missing.")]


@pytest.mark.parametrize(
    ("spelling", "role"),
    [
        ("librarian", JobRole.LIBRARIAN),
        ("LIBRARY_ASSISTANT", JobRole.LIBRARY_ASSISTANT),
        ("Communicator or other academic", JobRole.COMMUNICATOR),
        ("formidler eller  anden akademisk medarbejder", JobRole.COMMUNICATOR),
        ("digital vejleder", JobRole.DIGITAL_GUIDE),
        ("Studentermedhjælper", JobRole.STUDENT_ASSISTANT),
        ("Biblioteksleder", JobRole.LIBRARY_LEADER),
        ("Bibliotekschef", JobRole.HEAD_OF_LIBRARIES),
        ("Head of libraries", JobRole.HEAD_OF_LIBRARIES),
        ("Andet", JobRole.OTHER),
        ("other", JobRole.OTHER),
    ],
)
def test_it_accepts_a_job_role_by_value_or_by_danish_or_english_label(
    library_leader, spelling, role
):
    run(library_leader, csv_bytes(["Ane Ahl", "ane@odense.example", "746100-01", spelling]))
    assert Person.objects.get(email="ane@odense.example").job_role == role


def test_it_skips_blank_rows_and_ignores_other_columns(library_leader):
    content = csv_bytes(
        ["Ane Ahl", "12345678", "ane@odense.example", "746100-01", "librarian"],
        [",,,,"],
        ["", "", "", "", ""],
        header=["name", "phone", "email", "library", "job_role"],
    )
    assert run(library_leader, content).created == 1


def test_importing_the_same_file_again_changes_nothing(library_leader, staff):
    content = csv_bytes(
        ["Ane Ahl", "ane@odense.example", "746100-01", "librarian"],
        ["Alice Andersen", "ALICE@odense.example", "746100-01", "Librarian"],
    )
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        first = run(library_leader, content)
    stamps = dict(Person.objects.values_list("email", "updated_at"))
    with time_machine.travel(datetime(2026, 3, 9, 9, 0, tzinfo=UTC), tick=False):
        second = run(library_leader, content)
    assert (first.created, first.updated, first.unchanged) == (1, 0, 1)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert dict(Person.objects.values_list("email", "updated_at")) == stamps
    assert Person.objects.filter(email__iexact="alice@odense.example").count() == 1


def test_it_updates_a_person_who_moved_between_libraries_the_leader_manages(
    municipal_leader, staff, odense_branch
):
    before = staff.updated_at
    content = csv_bytes(["Alice Bech", "Alice@Odense.example", "746100-02", "Digital vejleder"])
    result = run(municipal_leader, content)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    staff.refresh_from_db()
    assert (staff.name, staff.library, staff.job_role) == (
        "Alice Bech",
        odense_branch,
        JobRole.DIGITAL_GUIDE,
    )
    assert staff.email == "alice@odense.example"  # the match key is kept as it was
    assert staff.updated_at > before


# -- row errors, with their exact messages ------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["", "ane@odense.example", "746100-01", "librarian"], ("name", "The name is missing.")),
        (
            ["A" * 201, "ane@odense.example", "746100-01", "librarian"],
            ("name", "The name is longer than 200 characters."),
        ),
        (["Ane Ahl", "", "746100-01", "librarian"], ("email", "The e-mail address is missing.")),
        (
            ["Ane Ahl", "ane(at)odense.example", "746100-01", "librarian"],
            ("email", "“ane(at)odense.example” is not a valid e-mail address."),
        ),
        (
            ["Ane Ahl", "ane@odense.example", "", "librarian"],
            ("library", "The library code is missing."),
        ),
        (
            ["Ane Ahl", "ane@odense.example", "999999-99", "librarian"],
            ("library", "There is no library with the code 999999-99."),
        ),
        (
            ["Ane Ahl", "ane@odense.example", "746100-01", "Bibliotekarer"],
            ("job_role", f"Unknown job role “Bibliotekarer”. Use one of: {ALLOWED}."),
        ),
        (
            ["Ane Ahl", "ane@odense.example", "746100-01", ""],
            ("job_role", f"The job role is missing. Use one of: {ALLOWED}."),
        ),
    ],
)
def test_it_names_the_row_field_and_problem(library_leader, row, expected):
    errors = rejection(library_leader, csv_bytes(row)).errors
    assert errors == [RowError(2, *expected)]


def test_it_reports_the_field_by_the_header_the_file_used(library_leader):
    content = csv_bytes(
        ["", "x", "746100-01", "x"], header=["Navn", "E-MAIL", "bibliotek", "stilling"]
    )
    errors = rejection(library_leader, content).errors
    assert [(e.row, e.field) for e in errors] == [(2, "Navn"), (2, "E-MAIL"), (2, "stilling")]


def test_it_names_both_rows_of_a_repeated_email(library_leader):
    content = csv_bytes(
        ["Ane Ahl", "ane@odense.example", "746100-01", "librarian"],
        ["Bo Bang", "bo@odense.example", "746100-01", "librarian"],
        ["Ane Ahl", "ANE@odense.example", "746100-01", "librarian"],
    )
    assert rejection(library_leader, content).errors == [
        RowError(4, "email", "The e-mail address ANE@odense.example is in both row 2 and row 4.")
    ]


def test_a_library_leader_cannot_import_into_another_library(library_leader, odense_branch):
    content = csv_bytes(["Ane Ahl", "ane@odense.example", "746100-02", "librarian"])
    assert rejection(library_leader, content).errors == [
        RowError(2, "library", "You do not manage library 746100-02 (Vollsmose Bibliotek).")
    ]


def test_a_library_leader_cannot_take_over_someone_from_another_library(
    library_leader, branch_leader
):
    content = csv_bytes(["Birgit Brix", "BIRGIT@odense.example", "746100-01", "librarian"])
    assert rejection(library_leader, content).errors == [
        RowError(
            2,
            "email",
            "The e-mail address BIRGIT@odense.example belongs to a person at a library you do "
            "not manage, so this import cannot change or move them.",
        )
    ]
    assert Person.objects.get(pk=branch_leader.pk).library.code == "746100-02"


def test_a_library_leader_cannot_take_over_someone_without_a_library(
    library_leader, municipal_leader
):
    content = csv_bytes(["Carla Clausen", "carla@odense.example", "746100-01", "librarian"])
    assert [e.field for e in rejection(library_leader, content).errors] == ["email"]


def test_a_municipal_leader_imports_into_every_library_of_the_municipality(
    municipal_leader, odense_main, odense_branch, aarhus_main
):
    odense_rows = [
        ["Ane Ahl", "ane@odense.example", "746100-01", "librarian"],
        ["Bo Bang", "bo@odense.example", "746100-02", "librarian"],
    ]
    aarhus_row = ["Cai Carl", "cai@aarhus.example", "775100-01", "librarian"]
    assert rejection(municipal_leader, csv_bytes(*odense_rows, aarhus_row)).errors == [
        RowError(4, "library", "You do not manage library 775100-01 (Dokk1).")
    ]
    assert run(municipal_leader, csv_bytes(*odense_rows)).created == 2


def test_an_administrator_imports_anywhere_and_moves_anyone_with_a_library(
    administrator, other_staff, odense_main, aarhus_main
):
    content = csv_bytes(
        ["Dorthe Dahl", "dorthe@aarhus.example", "746100-01", "librarian"],
        ["Cai Carl", "cai@aarhus.example", "775100-01", "other"],
    )
    result = run(administrator, content)
    assert (result.created, result.updated) == (1, 1)
    assert Person.objects.get(pk=other_staff.pk).library == odense_main


@pytest.mark.parametrize("member", ["staff", "analyst", "outsider"])
def test_people_who_manage_no_one_cannot_import(request, member, odense_main):
    member = request.getfixturevalue(member)
    content = csv_bytes(["Ane Ahl", "ane@odense.example", "746100-01", "librarian"])
    with pytest.raises(PermissionDenied):
        import_people(
            actor=actor_for(getattr(member, "user", member)), content=content, filename="s.csv"
        )
    assert not Person.objects.filter(email="ane@odense.example").exists()


def test_one_bad_row_imports_nothing(library_leader, staff):
    content = csv_bytes(
        ["Ane Ahl", "ane@odense.example", "746100-01", "librarian"],
        ["Alice Andersen", "alice@odense.example", "746100-01", "Digital guide"],
        ["Bo Bang", "bo@odense.example", "746100-01", "astronaut"],
    )
    errors = rejection(library_leader, content).errors
    assert [(e.row, e.field) for e in errors] == [(4, "job_role")]
    assert not Person.objects.filter(email="ane@odense.example").exists()
    assert Person.objects.get(pk=staff.pk).job_role == JobRole.LIBRARIAN


def test_it_lists_every_problem_in_row_order(library_leader):
    content = csv_bytes(
        ["", "ane@odense.example", "746100-01", "librarian"],
        ["Bo Bang", "bo", "999", "librarian"],
    )
    errors = rejection(library_leader, content).errors
    assert [(e.row, e.field) for e in errors] == [(2, "name"), (3, "email"), (3, "library")]


# -- file errors --------------------------------------------------------------------------------


def test_it_names_the_missing_columns(library_leader):
    content = csv_bytes(["Ane Ahl", "ane@odense.example"], header=["Navn", "email"])
    assert rejection(library_leader, content).file_errors == [
        "The first row must name the columns. Missing: library / bibliotek, "
        "job_role / stilling. Download the template to see the expected columns."
    ]


def test_it_refuses_a_column_given_twice(library_leader):
    content = csv_bytes(["a", "b", "c", "d", "e"], header=[*HEADER, "Navn"])
    assert rejection(library_leader, content).file_errors == [
        "The column “Navn” appears more than once in the first row."
    ]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "staff.csv", "The file is empty."),
        (b"\xef\xbb\xbf\r\n \r\n", "staff.csv", "The file is empty."),
        (
            csv_bytes(),
            "staff.csv",
            "The file has a header row but no people below it.",
        ),
        (
            csv_bytes(["", "", "", ""]),
            "staff.csv",
            "The file has a header row but no people below it.",
        ),
        (
            b"name,email",
            "staff.txt",
            "Upload the staff list as a CSV file (.csv) or an Excel file (.xlsx).",
        ),
        (
            "navn;e-mail;bibliotek;stilling\nSøren;s@x.dk;1;2\n".encode("cp1252"),
            "staff.csv",
            "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”, or upload the "
            "workbook (.xlsx) instead.",
        ),
        (
            b'name,email,library,job_role\r\n"Ane' + b"x" * 200_000,
            "staff.csv",
            "The file is not a valid CSV file. Check its quotation marks.",
        ),
        (
            b"name,email,library,job_role",
            "staff.xlsx",
            "The file could not be read as an Excel workbook (.xlsx).",
        ),
        (zip_bytes(), "staff.xlsx", "The file could not be read as an Excel workbook (.xlsx)."),
    ],
)
def test_it_explains_a_file_it_cannot_read(library_leader, content, filename, message):
    assert rejection(library_leader, content, filename).file_errors == [message]


def test_it_refuses_a_file_over_the_size_limit(library_leader, settings):
    settings.IMPORT_MAX_BYTES = 1024
    content = csv_bytes(
        *[["Ane Ahl", f"ane{i}@odense.example", "746100-01", "x"] for i in range(40)]
    )
    assert rejection(library_leader, content).file_errors == [
        f"The file is {len(content) / 1024:.1f}\xa0KB; the largest file you can import is "
        "1.0\xa0KB."
    ]


def test_it_refuses_more_rows_than_it_will_hold(library_leader, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    rows = [["Ane Ahl", f"ane{i}@odense.example", "746100-01", "librarian"] for i in range(3)]
    assert rejection(library_leader, csv_bytes(*rows)).file_errors == [
        "The file has more than 2 people. Split it into smaller files."
    ]
    assert run(library_leader, csv_bytes(*rows[:2], [""] * 4)).created == 2
