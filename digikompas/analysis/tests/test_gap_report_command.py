"""`manage.py gap_report`: the reports written from the command line, built at once, with clear
errors for a round that is not there, has no answers, or a file that cannot be written."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from digikompas.surveys.tests.conftest import open_round


@pytest.fixture(autouse=True)
def _in_english():
    # The command speaks the site's language (Danish by default); these tests read English.
    with translation.override("en"):
        yield


def gap_report(*args) -> str:
    out = io.StringIO()
    call_command("gap_report", *args, "--language", "en", stdout=out)
    return out.getvalue()


SUMMARY = (
    "Responses: 30. Competencies: 2. Barrier statements: 1. Hidden figures: 0 of 6 "
    "(anonymity minimum 5)."
)


def test_it_writes_the_national_report_as_json(report_round, tmp_path):
    target = tmp_path / "report.json"

    output = gap_report(str(report_round.pk), "--format", "json", "-o", str(target))

    report = json.loads(target.read_bytes())
    assert report["kind"] == "national"
    assert report["group_by"] == "municipality"
    lines = output.splitlines()
    written = re.sub(r"\(JSON, [\d.]+\sKB\)", "(JSON, n KB)", lines[0])
    assert written == f"Wrote National analysis report: Forår 2026 (JSON, n KB) to {target}."
    assert lines[1] == SUMMARY


def test_it_groups_the_workbook_as_asked(report_round, tmp_path):
    target = tmp_path / "report.xlsx"

    output = gap_report(
        str(report_round.pk), "--group-by", "library", "--format", "xlsx", "-o", str(target)
    )

    book = load_workbook(target, read_only=True)
    assert book.sheetnames == ["Method", "Library", "Denmark", "Largest gaps", "Barriers"]
    assert output.splitlines()[1] == (
        "Responses: 30. Competencies: 2. Barrier statements: 1. Hidden figures: 4 of 10 "
        "(anonymity minimum 5)."
    )


def test_it_writes_a_pdf(report_round, tmp_path):
    target = tmp_path / "report.pdf"

    gap_report("Forår 2026", "--group-by", "role", "--format", "pdf", "-o", str(target))

    assert target.read_bytes().startswith(b"%PDF-")


def test_it_writes_the_report_of_one_library(report_round, odense_branch, tmp_path):
    target = tmp_path / "vollsmose.json"

    output = gap_report(
        str(report_round.pk), "--library", "746100-02", "--format", "json", "-o", str(target)
    )

    report = json.loads(target.read_bytes())
    assert report["kind"] == "library"
    assert report["library"]["name"] == "Vollsmose Bibliotek"
    assert report["library_hidden"] is True
    assert output.startswith("Wrote Library report: Vollsmose Bibliotek – Forår 2026 (JSON, ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999", "--format", "pdf"], "There is no round with the id or title “999”."),
        (["Efterår 2030", "--format", "pdf"],
         "There is no round with the id or title “Efterår 2030”."),
        (["ROUND", "--library", "000000-00", "--format", "pdf"],
         "There is no library with the id or code “000000-00”."),
    ],
)  # fmt: skip
def test_it_names_what_it_cannot_find(report_round, tmp_path, args, message):
    args = [str(report_round.pk) if arg == "ROUND" else arg for arg in args]

    with pytest.raises(CommandError) as refused:
        gap_report(*args, "-o", str(tmp_path / "report.pdf"))

    assert str(refused.value) == message


def test_it_asks_which_round_when_two_have_the_title(report_round, report_survey, tmp_path):
    second = open_round(report_survey)

    with pytest.raises(CommandError) as refused:
        gap_report("Forår 2026", "--format", "pdf", "-o", str(tmp_path / "report.pdf"))

    assert str(refused.value) == (
        f"Several rounds are called “Forår 2026”; name one by its id: {report_round.pk}, "
        f"{second.pk}."
    )


def test_it_refuses_a_round_without_responses(report_survey, tmp_path):
    round = open_round(report_survey)

    with pytest.raises(CommandError) as refused:
        gap_report(str(round.pk), "--format", "xlsx", "-o", str(tmp_path / "report.xlsx"))

    assert str(refused.value) == (
        "The round Forår 2026 has no responses yet, so there is nothing to report."
    )
    assert not (tmp_path / "report.xlsx").exists()


def test_it_refuses_a_folder_that_does_not_exist(report_round, tmp_path):
    target = tmp_path / "missing" / "report.pdf"

    with pytest.raises(CommandError) as refused:
        gap_report(str(report_round.pk), "--format", "pdf", "-o", str(target))

    assert str(refused.value) == f"The folder {target.parent} does not exist."


def test_it_refuses_to_write_over_a_folder(report_round, tmp_path):
    with pytest.raises(CommandError) as refused:
        gap_report(str(report_round.pk), "--format", "pdf", "-o", str(tmp_path))

    assert str(refused.value) == f"{tmp_path} is a folder; name a file to write."


def test_it_reports_a_file_it_cannot_write(report_round, tmp_path, monkeypatch):
    target = tmp_path / "report.json"

    def full(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(target), "write_bytes", full)

    with pytest.raises(CommandError) as refused:
        gap_report(str(report_round.pk), "--format", "json", "-o", str(target))

    assert str(refused.value) == f"Could not write {target}: No space left on device"


def test_it_knows_only_its_formats(report_round, tmp_path):
    with pytest.raises(CommandError, match="invalid choice: 'docx'"):
        gap_report(str(report_round.pk), "--format", "docx", "-o", str(tmp_path / "r.docx"))
