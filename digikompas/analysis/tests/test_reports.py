"""The reports as files: every figure is the engine's, what it hid stays hidden in every format,
the method is explained, and the build runs once in the background whatever happens.

The round is conftest.report_round: Odense Hovedbibliotek (12) and Dokk1 (7) are shown,
Vollsmose (3) is hidden for being small and Dalum (8) beside it, so that Vollsmose cannot be
worked out from Odense. Reports are read in English.
"""

import datetime
import io
import json
import re
import zlib

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from digikompas.analysis import report_services, reports, services, tasks
from digikompas.analysis.models import Report, ReportKind, ReportStatus, ReportStep
from digikompas.analysis.reports import HIDDEN, ReportError, ReportSpec
from digikompas.orgs.models import Library
from digikompas.surveys.tests.conftest import open_round

from .conftest import PATTERN

NAMES = {"Odense Hovedbibliotek", "Dalum Bibliotek", "Vollsmose Bibliotek", "Dokk1"}


def spec(round, **more) -> ReportSpec:
    return ReportSpec(round=round, language="en", **more)


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data), read_only=True, data_only=True)


def sheet_rows(book, title) -> list[dict]:
    rows = list(book[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def pdf_text(content) -> str:
    """The text of the laid-out pages, as the PDF holds it."""
    from weasyprint.formatting_structure import boxes

    document = reports.render_document(content)
    words = [
        box.text
        for page in document.pages
        for box in page._page_box.descendants()
        if isinstance(box, boxes.TextBox)
    ]
    return re.sub(r"\s+", " ", " ".join(words))


def pdf_objects(data: bytes) -> bytes:
    """The PDF's objects with every compressed stream inflated, to look for its tags and
    metadata."""
    parts = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, flags=re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def level_mean(library_start: int, count: int, column: int) -> float:
    """The mean of a column of PATTERN for a library's respondents, straight from the data."""
    values = [PATTERN[(library_start + n) % len(PATTERN)][column] for n in range(count)]
    return sum(values) / len(values)


# -- the workbook --------------------------------------------------------------------------------


def test_the_workbook_holds_the_engines_figures(report_round):
    built = reports.build(spec(report_round, file_format="xlsx", group_by="library"))
    book = workbook(built.content)
    table = services.analyse(report_round).competencies["library"]
    names = services.group_names("library", table.keys)

    rows = sheet_rows(book, "Library")

    assert book.sheetnames == ["Method", "Library", "Denmark", "Largest gaps", "Barriers"]
    assert {row["Group"] for row in rows} == NAMES
    for row in rows:
        key = next(k for k, name in names.items() if name == row["Group"])
        r = int(list(table.keys).index(key))
        c = ["S.1", "S.2"].index(row["Code"])
        if table.suppressed[r, c]:
            continue
        assert row["n"] == table.n[r, c]
        assert row["Mean level"] == pytest.approx(table.mean[r, c])
        assert row["Standard deviation"] == pytest.approx(table.sd[r, c])
        assert row["95 % CI, low"] == pytest.approx(table.ci_low[r, c])
        assert row["95 % CI, high"] == pytest.approx(table.ci_high[r, c])
        assert row["Hidden (anonymity)"] is False


def test_the_workbook_agrees_with_a_count_of_the_answers(report_round):
    built = reports.build(spec(report_round, file_format="xlsx", group_by="library"))
    rows = sheet_rows(workbook(built.content), "Library")

    main = {row["Code"]: row for row in rows if row["Group"] == "Odense Hovedbibliotek"}
    assert main["S.1"]["n"] == 12
    assert main["S.1"]["Mean level"] == pytest.approx(level_mean(0, 12, 0))
    assert main["S.2"]["Mean level"] == pytest.approx(level_mean(0, 12, 1))


def test_a_suppressed_figure_is_a_dash_in_the_workbook_and_never_its_value(report_round):
    built = reports.build(spec(report_round, file_format="xlsx", group_by="library"))
    rows = sheet_rows(workbook(built.content), "Library")
    true_means = {level_mean(5, 3, 0), level_mean(5, 3, 1)}  # Vollsmose's real S.1 and S.2

    vollsmose = [row for row in rows if row["Group"] == "Vollsmose Bibliotek"]

    assert len(vollsmose) == 2
    for row in vollsmose:
        figures = [v for k, v in row.items() if k not in ("Group", "Code", "Competency")]
        assert figures == [HIDDEN] * 8 + [True, True]
    numbers = [v for row in vollsmose for v in row.values() if isinstance(v, float)]
    assert not any(v == pytest.approx(mean) for v in numbers for mean in true_means)
    dalum = [row for row in rows if row["Group"] == "Dalum Bibliotek"]
    assert {row["n"] for row in dalum} == {HIDDEN}


def test_need_figures_can_be_hidden_while_the_level_is_shown(report_round):
    # One leader at a branch (no target profile) is the only one in Denmark without a need in
    # S.1: the need figures of S.1 would tell something about them, so they are hidden.
    built = reports.build(spec(report_round, file_format="xlsx"))
    nation = {row["Code"]: row for row in sheet_rows(workbook(built.content), "Denmark")}

    assert nation["S.1"]["n"] == 30
    assert nation["S.1"]["Mean level"] == pytest.approx(level_mean(0, 30, 0), abs=0.2)
    assert nation["S.1"]["Share below the need"] == HIDDEN
    assert nation["S.1"]["Mean gap"] == HIDDEN
    assert nation["S.1"]["Need figures hidden"] is True
    assert nation["S.2"]["Mean gap"] == pytest.approx(1.0)


def test_the_method_sheet_gives_response_rates_and_the_anonymity_rules(report_round):
    built = reports.build(spec(report_round, file_format="xlsx"))
    rows = list(workbook(built.content)["Method"].iter_rows(values_only=True))
    facts = {row[0]: row[1] for row in rows if row and row[0]}

    assert rows[0][0] == "National analysis report: Forår 2026"
    assert facts["Invited"] == 34
    assert facts["Answered"] == 30
    assert facts["Response rate"] == pytest.approx(30 / 34)
    assert facts["Responses analysed"] == 30
    assert facts["Anonymity minimum"] == 5
    assert facts["Grouped by"] == "Municipality"
    notes = " ".join(str(row[1]) for row in rows if row and not row[0] and row[1])
    assert "No figure describes fewer than 5 respondents." in notes
    assert facts["Municipality"] == ("0 of 4 hidden (3 more with only the need figures hidden)")


# -- JSON ----------------------------------------------------------------------------------------


def test_json_gives_numbers_as_numbers_and_hidden_figures_as_null(report_round):
    built = reports.build(spec(report_round, file_format="json", group_by="library"))
    report = json.loads(built.content)

    assert built.content_type == "application/json"
    assert built.filename == "digikompas-foraar-2026-national-library.json"
    assert report["schema"] == "digikompas.gap-report/1"
    assert report["kind"] == "national"
    assert report["group_by"] == "library"
    assert [c["code"] for c in report["competencies"]] == ["S.1", "S.2"]
    assert report["method"]["anonymity_minimum"] == 5
    assert report["method"]["response_rate"] == pytest.approx(30 / 34)
    rows = {(row["name"], row["competency"]): row for row in report["tables"]["library"]}
    shown = rows["Odense Hovedbibliotek", "S.1"]
    assert shown["n"] == 12
    assert shown["mean"] == pytest.approx(level_mean(0, 12, 0))
    assert shown["suppressed"] is False
    hidden = rows["Vollsmose Bibliotek", "S.1"]
    assert hidden == {
        "key": hidden["key"],
        "name": "Vollsmose Bibliotek",
        "competency": "S.1",
        "n": None,
        "mean": None,
        "sd": None,
        "ci_low": None,
        "ci_high": None,
        "n_need": None,
        "share_below": None,
        "mean_gap": None,
        "suppressed": True,
        "need_suppressed": True,
    }
    nation = report["tables"]["nation"]
    assert [(row["n"], row["mean_gap"], row["need_suppressed"]) for row in nation] == [
        (30, None, True),
        (30, pytest.approx(1.0), False),
    ]
    barrier = report["barriers"]["items"][0]
    assert report["barriers"]["units"] == ["Staff", "Leaders"]
    assert [(v["unit"], v["n"]) for v in barrier["values"]] == [("Staff", 24), ("Leaders", 6)]


def test_json_of_the_largest_gaps_names_the_missing_level(report_round):
    report = json.loads(reports.build(spec(report_round, file_format="json")).content)

    first = report["largest_gaps"][0]
    assert first == {
        "competency": "S.2",
        "title": "Guidance",
        "role": "Librarian",
        "need_level": "2 Practitioner",
        "mean": pytest.approx(1.0),
        "mean_gap": pytest.approx(1.0),
        "share_below": pytest.approx(0.75),
        "n_need": 24,
        "descriptor": "Much.",
    }


# -- PDF -----------------------------------------------------------------------------------------


def test_the_national_pdf_is_a_tagged_pdf_with_a_language_and_a_title(report_round):
    built = reports.build(spec(report_round, file_format="pdf"))
    objects = pdf_objects(built.content)

    assert built.content.startswith(b"%PDF-")
    assert built.content_type == "application/pdf"
    assert b"/StructTreeRoot" in objects
    assert b"/Lang (en)" in objects
    for tag in (b"/S /H1", b"/S /H2", b"/S /Table", b"/S /TH", b"/S /Caption"):
        assert tag in objects
    title = "National analysis report: Forår 2026".encode("utf-16-be").hex()
    assert f"/Title <feff{title}>".encode() in objects


def test_the_national_pdf_has_its_sections_and_the_method_note(report_round):
    text = pdf_text(reports.collect(spec(report_round, group_by="municipality")))

    for heading in (
        "National analysis report: Forår 2026",
        "Method",
        "The largest gaps",
        "Mean gap by unit (municipality) and competency",
        "Denmark per competency",
        "Barriers: staff and leaders",
    ):
        assert heading in text
    assert "No figure describes fewer than 5 respondents." in text
    assert "34 people were invited through digikompas and 30 of them answered" in text
    assert "S.2 Guidance Librarian 2 Practitioner 1.00 1.00 75 % Much." in text
    # The heat map: Aarhus shows its gap in S.1; Odense's need figures are hidden.
    assert "Aarhus 0.86 –" in text
    assert "Odense – –" in text


def test_a_danish_report_is_in_danish_with_danish_numbers(report_round):
    content = reports.collect(ReportSpec(round=report_round, language="da"))
    html = reports.render_html(content)

    assert '<html lang="da">' in html
    # Denmark's mean level in S.2 (1.03) and its interval, with decimal commas.
    assert '<td class="num">1,03</td>' in html


def test_the_pdf_loads_nothing_from_the_network(report_round):
    fetch = reports._static_fetcher()

    with pytest.raises(ValueError, match="no external resource"):
        fetch("https://fonts.example/font.woff")
    assert fetch(f"{reports.ASSETS}digikompas/report.css").read().startswith(b"/*")


# -- library reports -----------------------------------------------------------------------------


def test_a_library_report_compares_the_library_with_its_municipality_and_denmark(
    report_round, odense_main
):
    content = reports.collect(spec(report_round, kind=ReportKind.LIBRARY, library=odense_main))
    text = pdf_text(content)

    assert content.title == "Library report: Odense Hovedbibliotek – Forår 2026"
    assert not content.library_hidden
    assert [groups[0].name for groups in content.tables.values()] == [
        "Odense Hovedbibliotek",
        "Odense",
        "Denmark",
    ]
    assert "Odense Hovedbibliotek compared with its municipality and Denmark" in text
    assert "The library's figures are hidden." not in text
    assert "S.1 Searching eReolen 12 1.17" in text


def test_a_library_report_of_a_small_library_says_its_figures_are_hidden(
    report_round, odense_branch
):
    content = reports.collect(spec(report_round, kind=ReportKind.LIBRARY, library=odense_branch))
    text = pdf_text(content)
    book = workbook(reports.render_xlsx(content))
    data = json.loads(reports.render_json(content))

    assert content.library_hidden
    assert "The library's figures are hidden." in text
    assert (
        "Fewer than 5 people at Vollsmose Bibliotek answered, or the library's figures could be "
        "worked out from the others by subtraction"
    ) in text
    assert "S.1 Searching eReolen – – – 23" in text
    assert {row["n"] for row in sheet_rows(book, "Library")} == {HIDDEN}
    notes = [row[1] for row in book["Method"].iter_rows(values_only=True) if row[0] == "Note"]
    assert notes == [
        "The figures of Vollsmose Bibliotek are hidden: fewer than 5 people there answered, or "
        "the figures could be worked out from the others by subtraction. The municipality and "
        "Denmark are shown for comparison."
    ]
    assert data["library_hidden"] is True
    assert {row["mean"] for row in data["tables"]["library"]} == {None}
    assert data["largest_gaps"] == []


def test_a_library_without_responses_has_no_report(report_round, odense):
    empty = Library.objects.create(municipality=odense, code="746100-09", name="Tarup Bibliotek")

    with pytest.raises(ReportError, match="Tarup Bibliotek has no responses in the round"):
        reports.collect(spec(report_round, kind=ReportKind.LIBRARY, library=empty))


def test_a_round_without_responses_has_no_report(report_survey):
    round = open_round(report_survey)

    with pytest.raises(ReportError) as refused:
        reports.build(spec(round))

    assert str(refused.value) == (
        "The round Forår 2026 has no responses yet, so there is nothing to report."
    )


def test_the_build_reports_its_steps_in_order(report_round):
    steps = []

    reports.build(spec(report_round, file_format="json"), progress=steps.append)

    assert steps == [
        ReportStep.LOADING,
        ReportStep.ANALYSING,
        ReportStep.TABLES,
        ReportStep.RENDERING,
    ]


# -- asking for a report, and the task that builds it -------------------------------------------


def ask(round, analyst, **more):
    values = {"kind": ReportKind.NATIONAL, "file_format": "json", "language": "en"}
    return report_services.request_report(round=round, requested_by=analyst, **(values | more))


def test_a_report_is_built_once_the_request_commits(
    report_round, analyst, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = ask(report_round, analyst)
        assert Report.objects.get(pk=report.pk).status == ReportStatus.QUEUED

    report.refresh_from_db()
    assert len(callbacks) == 1
    assert report.status == ReportStatus.DONE
    assert (report.progress, report.step) == (100, ReportStep.DONE)
    assert report.filename == "digikompas-foraar-2026-national-municipality.json"
    assert report.size == len(report.content)
    assert json.loads(bytes(report.content))["round"]["id"] == report_round.pk


def test_asking_twice_while_it_is_queued_gives_the_same_report(
    report_round, analyst, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        first = ask(report_round, analyst)
        second = ask(report_round, analyst)
        other_format = ask(report_round, analyst, file_format="xlsx")

    assert second.pk == first.pk
    assert other_format.pk != first.pk


def test_the_task_builds_a_report_once_when_it_runs_twice(report_round, analyst):
    report = ask(report_round, analyst)

    assert tasks.build_report.call(report.pk) == "done"
    finished = Report.objects.get(pk=report.pk).finished_at
    assert tasks.build_report.call(report.pk) == "done"

    assert Report.objects.get(pk=report.pk).finished_at == finished


def test_the_task_leaves_a_report_another_worker_is_building(report_round, analyst):
    report = ask(report_round, analyst)
    started = timezone.now() - datetime.timedelta(minutes=1)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING, started_at=started, progress=40
    )

    assert tasks.build_report.call(report.pk) == "running"

    report.refresh_from_db()
    assert (report.status, report.progress, report.started_at) == ("running", 40, started)


def test_the_task_takes_over_a_report_whose_worker_was_lost(report_round, analyst):
    report = ask(report_round, analyst)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=1)
    )

    assert tasks.build_report.call(report.pk) == "done"


def test_the_task_records_each_step_as_it_goes(report_round, analyst, monkeypatch):
    report = ask(report_round, analyst)
    seen = []
    build = reports.build

    def watched(spec, *, progress):
        def record(step):
            progress(step)
            seen.append(tuple(Report.objects.filter(pk=report.pk).values_list("step", "progress")))

        return build(spec, progress=record)

    monkeypatch.setattr(tasks.reports, "build", watched)

    tasks.build_report.call(report.pk)

    assert [row[0] for row in seen] == [
        ("loading", 10),
        ("analysing", 40),
        ("tables", 70),
        ("rendering", 90),
    ]


def test_a_report_that_cannot_be_made_fails_with_the_reason(report_survey, analyst):
    round = open_round(report_survey)
    report = Report.objects.create(
        round=round, kind=ReportKind.NATIONAL, group_by="region", file_format="pdf", language="en"
    )

    assert tasks.build_report.call(report.pk) == "failed"

    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error == (
        "The round Forår 2026 has no responses yet, so there is nothing to report."
    )
    assert report.content is None


def test_an_unexpected_error_fails_the_report_politely(report_round, analyst, monkeypatch):
    report = ask(report_round, analyst, file_format="xlsx")

    def broken(content):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(reports, "render_xlsx", broken)

    assert tasks.build_report.call(report.pk) == "failed"
    report.refresh_from_db()
    assert report.error == (
        "The report could not be built because of an unexpected error (RuntimeError). It has "
        "been logged. Try again; if it fails again, contact the digikompas team."
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"file_format": "docx"}, "Reports can be made as pdf, xlsx, json, not as “docx”."),
        ({"group_by": "street"}, "A national report can be grouped by municipality, library, "
         "region, role, not by “street”."),
        ({"kind": ReportKind.LIBRARY}, "Choose the library the report is about."),
        ({"language": "sv"}, "Reports are written in Danish or English."),
    ],
)  # fmt: skip
def test_a_request_is_checked_before_it_is_queued(report_round, analyst, arguments, message):
    with translation.override("en"), pytest.raises(ReportError) as refused:
        ask(report_round, analyst, **arguments)

    assert str(refused.value) == message
    assert not Report.objects.exists()


def test_a_library_report_needs_answers_from_the_library(report_round, analyst, odense):
    empty = Library.objects.create(municipality=odense, code="746100-09", name="Tarup Bibliotek")

    with translation.override("en"), pytest.raises(ReportError) as refused:
        ask(report_round, analyst, kind=ReportKind.LIBRARY, library=empty)

    assert str(refused.value) == "No one from Tarup Bibliotek has answered the round Forår 2026."
