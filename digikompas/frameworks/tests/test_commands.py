"""manage.py load_default_framework, export_framework and import_framework.

Commands speak the active language; the tests run them in English, so the expected texts are
the English source strings whether or not the Danish catalogue has them yet.
"""

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from digikompas.frameworks.content import content_of
from digikompas.frameworks.models import Framework, FrameworkStatus
from digikompas.frameworks.tests.conftest import foreign_package

NAME = "Test framework for searching (version 1)"
DEFAULT_NAME = "Digital resources and digital leadership in the public library (version 1)"


def run(command, *args):
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(command, *args) -> tuple[str, str]:
    """The message of the CommandError and what the command wrote to stderr before it."""
    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command(command, *args, stdout=StringIO(), stderr=err)
    return str(error.value), err.getvalue()


def csv_file(path, rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


# -- load_default_framework ----------------------------------------------------------------------


def test_it_loads_and_publishes_the_default_framework_once(db):
    out, err = run("load_default_framework")
    assert out == f"Loaded and published {DEFAULT_NAME}.\n"
    assert err == ""
    framework = Framework.objects.get()
    assert framework.status == FrameworkStatus.PUBLISHED
    assert framework.competencies.count() == 23

    out, err = run("load_default_framework")
    assert out == f"{DEFAULT_NAME} is already loaded.\n"
    assert Framework.objects.get() == framework


# -- export_framework ----------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "case"])
@pytest.mark.parametrize("reference", ["key", "key:version", "number"])
def test_an_exported_file_imports_as_the_same_framework(
    tmp_path, framework, content, file_format, reference
):
    name = {"key": "testramme", "key:version": "testramme:1", "number": str(framework.pk)}
    path = tmp_path / f"ramme.{'json' if file_format == 'case' else file_format}"
    out, err = run("export_framework", name[reference], "--format", file_format, "-o", str(path))
    assert out == ""
    assert err == f"Wrote {NAME} to {path}.\n"
    assert path.stat().st_size > 0

    framework.delete()
    out, err = run("import_framework", str(path))
    imported = Framework.objects.get()
    assert out == f"Imported {NAME} as a draft (key testramme, number {imported.pk}).\n"
    assert err == ""
    assert imported.status == FrameworkStatus.DRAFT
    assert content_of(imported) == content


def test_a_key_names_the_latest_published_version(tmp_path, default_framework):
    from digikompas.frameworks import services

    services.new_version(framework=default_framework)  # a draft, version 2
    path = tmp_path / "ramme.json"
    run("export_framework", "digitale-ressourcer-og-digitalt-lederskab", "-o", str(path))
    package = json.loads(path.read_text(encoding="utf-8"))
    assert package["CFDocument"]["identifier"] == str(default_framework.identifier)
    assert package["CFDocument"]["version"] == "1"


def test_it_writes_csv_to_standard_output(capsysbinary, framework):
    with translation.override("en"):
        call_command("export_framework", "testramme", "--format", "csv")
    written = capsysbinary.readouterr().out
    assert written.startswith("\ufefftype,code,parent,level,identifier,".encode())
    assert b"framework,testramme," in written


def test_it_will_not_write_a_workbook_to_the_terminal(framework):
    error, _err = fails("export_framework", "testramme", "--format", "xlsx")
    assert error == "An Excel file cannot go to the terminal: name a file with -o."


def test_it_names_an_unknown_framework(framework):
    error, _err = fails("export_framework", "nope:3")
    assert error == (
        "No framework is called nope:3. Name it by its key (for example "
        "digitale-ressourcer-og-digitalt-lederskab), key:version, its number or its identifier."
    )
    error, _err = fails("export_framework", "testramme:2")
    assert error.startswith("No framework is called testramme:2.")


def test_it_reports_a_file_it_cannot_write(tmp_path, framework):
    path = tmp_path / "missing" / "ramme.csv"
    error, _err = fails("export_framework", "testramme", "--format", "csv", "-o", str(path))
    assert error == f"Cannot write {path}: No such file or directory"


# -- import_framework ----------------------------------------------------------------------------


def test_it_lists_every_problem_and_imports_nothing(tmp_path, db):
    path = csv_file(
        tmp_path / "ramme.csv",
        [
            ["type", "code", "parent", "level", "title_da", "title_en"],
            ["framework", "ramme", "", "", "Ramme", ""],
            ["level", "", "", "0", "Intet", ""],
            ["level", "", "", "x", "Lidt", ""],
            ["domain", "D", "", "", "Data", ""],
            ["competency", "D.1", "D", "", "", ""],
            ["competency", "D.2", "E", "", "Andet", ""],
        ],
    )
    error, err = fails("import_framework", str(path))
    assert error == "Nothing was imported."
    # In the order of the rows, each naming the row, the column and why.
    assert err.splitlines() == [
        "row 4, level: “x” is not a whole number.",
        "row 6 (competency D.1), title: The title is missing.",
        "row 7, parent: No domain with the code “E” comes before this row.",
    ]
    assert not Framework.objects.exists()


def test_it_imports_and_publishes_at_once(tmp_path, framework, content):
    path = tmp_path / "ramme.csv"
    run("export_framework", "testramme", "--format", "csv", "-o", str(path))
    framework.delete()
    out, _err = run("import_framework", str(path), "--publish")
    imported = Framework.objects.get()
    assert imported.status == FrameworkStatus.PUBLISHED
    assert imported.published_at is not None
    assert out == f"Imported and published {NAME} (key testramme, number {imported.pk}).\n"


def test_it_does_not_import_what_it_cannot_publish(tmp_path, framework):
    path = tmp_path / "ramme.csv"
    run("export_framework", "testramme", "--format", "csv", "-o", str(path))
    framework.delete()
    with path.open("a", encoding="utf-8") as file:
        file.write("level,,,3,,,Mester,Master,,,,,\r\n")
    error, err = fails("import_framework", str(path), "--publish")
    assert error == "Nothing was imported."
    assert err.splitlines() == [
        "competency S.1, descriptors: No descriptor for level 3.",
        "competency S.2, descriptors: No descriptor for level 3.",
        "competency L.1, descriptors: No descriptor for level 3.",
    ]
    assert not Framework.objects.exists()


def test_it_prints_the_notes_of_a_foreign_package(tmp_path, db):
    path = tmp_path / "skills.json"
    path.write_bytes(foreign_package())
    out, _err = run("import_framework", str(path))
    imported = Framework.objects.get()
    assert out.splitlines() == [
        f"Note: {NOTE_ASSOCIATIONS}",
        f"Note: {NOTE_NO_RUBRIC}",
        f"Imported Digital Skills (version 1) as a draft (key digital-skills, number "
        f"{imported.pk}).",
    ]


NOTE_ASSOCIATIONS = "These associations were not kept (type and number): isRelatedTo 1."
NOTE_NO_RUBRIC = "The package has no rubric: add a scale and descriptors before publishing."


@pytest.mark.parametrize("name", ["missing.csv", "."], ids=["missing", "a-folder"])
def test_it_reports_a_file_it_cannot_read(tmp_path, db, name):
    path = tmp_path / name
    error, _err = fails("import_framework", str(path))
    reason = "No such file or directory" if name == "missing.csv" else "Is a directory"
    assert error == f"Cannot read {path}: {reason}"
    assert not Framework.objects.exists()
