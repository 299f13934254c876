"""The coverage of a round's gaps as files for education institutions, read back as a reader gets
them: the workbook with openpyxl, the PDF's text and pages with pypdf.

The round is analysis/tests/conftest.report_round: 24 librarians need level 2 in S.1 and S.2
(scale 0–2); the library leaders' figures are too few to show. The catalogue: Absalon's
"eReolen in depth" brings librarians to level 2 in S.1 (covered), VIA's "eReolen for beginners"
only to level 1 (falls short), and nothing builds S.2 (not covered).
"""

import datetime
import io
import re

import pytest
import time_machine
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from digikompas.analysis.tests.conftest import LIBRARIAN, PATTERN
from digikompas.offers import coverage_export
from digikompas.offers.coverage import Status, coverage
from digikompas.offers.models import (
    EducationOffer,
    OfferCompetency,
    OfferFormat,
    OfferKind,
    Provider,
)
from digikompas.orgs.models import JobRole

# (library start in PATTERN, librarians) of the four libraries of report_round.
LIBRARIANS = [(0, 9), (3, 7), (5, 3), (1, 5)]


def librarian_levels(column: int) -> list[int]:
    return [
        PATTERN[(start + n) % len(PATTERN)][column]
        for start, count in LIBRARIANS
        for n in range(count)
    ]


def make_offer(provider: str, title_da: str, title_en: str, **more) -> EducationOffer:
    provider = Provider.objects.get_or_create(name=provider)[0]
    values = {"kind": OfferKind.CONTINUING, "format": OfferFormat.COURSE, "online": True}
    return EducationOffer.objects.create(
        provider=provider, title_da=title_da, title_en=title_en, **(values | more)
    )


def builds(offer: EducationOffer, competency, level: int) -> None:
    OfferCompetency.objects.create(offer=offer, competency=competency, level_reached=level)


@pytest.fixture
def competencies(report_round):
    """S.1 and S.2 of the round's (published) framework."""
    return {c.code: c for c in report_round.survey.framework.competencies.all()}


@pytest.fixture
def catalogue(competencies):
    """Two offers for S.1, one reaching the librarians' need and one falling short; none for
    S.2."""
    depth = make_offer(
        "Absalon",
        "eReolen i dybden",
        "eReolen in depth",
        format=OfferFormat.DIPLOMA_MODULE,
        kind=OfferKind.FURTHER,
        ects="5.0",
        duration="Et semester",
        price_dkk=12500,
        place="Roskilde",
        online=False,
        target_roles=[JobRole.LIBRARIAN],
        start_dates=["2026-09-01", "2027-02-01"],
        link="https://absalon.example/ereolen",
        is_example=True,
    )
    beginners = make_offer("VIA", "eReolen for begyndere", "eReolen for beginners", hours=3)
    builds(depth, competencies["S.1"], 2)
    builds(beginners, competencies["S.1"], 1)
    return {"depth": depth, "beginners": beginners}


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def pdf_text(reader: PdfReader) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


# -- what coverage() finds -------------------------------------------------------------------------


def test_coverage_holds_the_librarians_gaps_against_the_catalogue(report_round, catalogue):
    result = coverage(report_round)

    s1, s2 = librarian_levels(0), librarian_levels(1)
    assert [(g.competency.code, g.gap.role, g.status) for g in result.gaps] == [
        ("S.1", LIBRARIAN, Status.COVERED),
        ("S.2", LIBRARIAN, Status.UNCOVERED),
    ]
    first, second = result.gaps
    assert first.gap.n_need == len(s1) == 24
    assert first.gap.mean_gap == pytest.approx(sum(max(0, 2 - x) for x in s1) / len(s1))
    assert first.gap.share_below == pytest.approx(sum(x < 2 for x in s1) / len(s1))
    assert second.gap.mean_gap == pytest.approx(sum(max(0, 2 - x) for x in s2) / len(s2))
    assert [fit.offer for fit in first.reaching] == [catalogue["depth"]]
    assert [(fit.offer, fit.level_name) for fit in first.short] == [
        (catalogue["beginners"], "Beginner")
    ]
    assert (second.reaching, second.short) == ((), ())
    # The matrix: the offers by provider, S.1 needed at 2, S.2 built by none.
    assert list(result.offers) == [catalogue["depth"], catalogue["beginners"]]
    assert [(row.competency.code, row.need, row.levels) for row in result.matrix] == [
        ("S.1", 2, (2, 1)),
        ("S.2", 2, (None, None)),
    ]
    assert (result.covered, result.partly, result.uncovered) == (1, 0, 1)
    assert (result.respondents, result.minimum) == (30, 5)


def test_an_offer_for_other_job_roles_only_partly_covers_a_gap(report_round, competencies):
    leaders = make_offer(
        "Absalon", "Vejledning for ledere", "Guidance for leaders", target_roles=["library_leader"]
    )
    builds(leaders, competencies["S.2"], 2)

    result = coverage(report_round)

    guidance = result.gaps[-1]
    assert (guidance.competency.code, guidance.status) == ("S.2", Status.PARTLY)
    assert [(fit.offer, fit.for_role) for fit in guidance.short] == [(leaders, False)]


# -- the workbook --------------------------------------------------------------------------------


def test_the_workbook_has_the_gaps_matrix_offers_and_method(report_round, catalogue):
    book = workbook(coverage_export.render_xlsx(coverage(report_round)))

    assert book.sheetnames == ["Gaps", "Matrix", "Offers", "Method"]
    gaps = book["Gaps"]
    assert gaps.freeze_panes == "A2"
    assert gaps.auto_filter.ref == "A1:O3"
    covered, uncovered = rows(gaps)
    assert covered == {
        "Code": "S.1",
        "Competency": "Searching eReolen",
        "Job role": "Librarian",
        "Needed level": 2,
        "Needed level, name": "Practitioner",
        "Mean level": pytest.approx(sum(librarian_levels(0)) / 24),
        "Mean gap": pytest.approx(0.875),
        "Share below the need": pytest.approx(14 / 24),
        "n with a need": 24,
        "Status": "Covered",
        "Number of offers that reach the need": 1,
        "Offers that reach the need": "eReolen in depth (Absalon)",
        "Cheapest reaching offer (kr.)": 12500,
        "Offers that fall short": "eReolen for beginners (VIA): to level 1 Beginner",
        "What the needed level means": "Searches alone, helps when easy.",
    }
    assert uncovered["Code"] == "S.2"
    assert uncovered["Status"] == "Not covered"
    assert uncovered["Number of offers that reach the need"] == 0
    assert uncovered["Offers that reach the need"] is None
    assert uncovered["Cheapest reaching offer (kr.)"] is None
    # The uncovered row is red across, the covered one has no fill.
    assert {cell.fill.fgColor.rgb for cell in gaps[3]} == {"00F4CCCC"}
    assert {cell.fill.fill_type for cell in gaps[2]} == {None}
    assert (gaps["G2"].number_format, gaps["H2"].number_format) == ("0.00", "0%")


def test_the_matrix_marks_the_offers_that_reach_the_need(report_round, catalogue):
    matrix = workbook(coverage_export.render_xlsx(coverage(report_round)))["Matrix"]

    assert [cell.value for cell in matrix[1]] == [
        "Code",
        "Competency",
        "Highest needed level",
        "eReolen in depth (Absalon)",
        "eReolen for beginners (VIA)",
    ]
    assert [[cell.value for cell in row] for row in matrix.iter_rows(min_row=2)] == [
        ["S.1", "Searching eReolen", 2, 2, 1],
        ["S.2", "Guidance", 2, None, None],
    ]
    assert matrix["D2"].fill.fgColor.rgb == "00B6D7A8"
    assert matrix["E2"].fill.fill_type is None
    assert matrix["D3"].fill.fill_type is None


def test_the_offers_sheet_describes_every_offer_of_the_matrix(report_round, catalogue):
    offers = workbook(coverage_export.render_xlsx(coverage(report_round)))["Offers"]

    depth, beginners = rows(offers)
    assert depth == {
        "Offer": "eReolen in depth",
        "Provider": "Absalon",
        "Kind": "Further education",
        "Format": "Diploma module",
        "ECTS points": 5,
        "Hours": None,
        "Duration": "Et semester",
        "Price (kr.)": 12500,
        "Place": "Roskilde",
        "Online": "No",
        "Target job roles": "Librarian",
        "Start dates": "2026-09-01, 2027-02-01",
        "Link": "https://absalon.example/ereolen",
        "Example data": "Yes",
    }
    assert offers["M2"].hyperlink.target == "https://absalon.example/ereolen"
    assert (beginners["Hours"], beginners["Online"], beginners["Target job roles"]) == (
        3,
        "Yes",
        "All job roles",
    )
    assert beginners["Example data"] == "No"


def test_the_method_sheet_explains_the_figures_and_the_statuses(report_round, catalogue):
    method = workbook(coverage_export.render_xlsx(coverage(report_round)))["Method"]

    facts = {row[0]: row[1] for row in method.iter_rows(values_only=True) if row and row[0]}
    text = " ".join(str(value) for row in method.iter_rows(values_only=True) for value in row)
    assert facts["Round"] == "Forår 2026"
    assert facts["Survey"] == "Test survey"
    assert facts["Responses analysed"] == 30
    assert facts["Anonymity minimum"] == 5
    assert (facts["Covered"], facts["Partly covered"], facts["Not covered"]) == (1, 0, 1)
    assert "The gaps are national, per job role" in text
    assert "Figures for groups of fewer than 5 respondents are not shown" in text
    assert "Not covered: no offer builds the competency." in text
    assert "Offers marked as example data have assumed details" in text


# -- the PDF ---------------------------------------------------------------------------------------


def test_the_pdf_is_a_tagged_landscape_document_with_the_gaps_in_words(report_round, catalogue):
    reader = PdfReader(io.BytesIO(coverage_export.render_pdf(coverage(report_round))))
    text = pdf_text(reader)

    assert reader.metadata.title == "Competence gaps and education offers – Forår 2026"
    assert all(page.mediabox.width > page.mediabox.height for page in reader.pages)
    assert round(float(reader.pages[0].mediabox.width)) == 842  # A4 landscape, in points
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    for words in (
        "S.1 Searching eReolen",
        "S.2 Guidance",
        "Covered",
        "Not covered",
        "eReolen in depth (Absalon)",
        "12,500 kr. · 5 ECTS, Et semester",
        "eReolen for beginners (VIA): to level 1 Beginner",
        "The offers that reach a gap",
        "Method",
    ):
        assert words in text
    # The rows of the gaps table, with their status in words.
    assert (
        "Librarian 2 Practitioner Searches alone, helps when easy. 1.13 0.88 58 % 24 Covered"
        in text
    )
    assert "Librarian 2 Practitioner Much. 1.00 1.00 75 % 24 Not covered None" in text


# -- the active language -------------------------------------------------------------------------


def test_both_files_are_written_in_the_active_language(report_round, catalogue):
    result = coverage(report_round)

    with translation.override("da"):
        book = workbook(coverage_export.render_xlsx(result))
        html = coverage_export.render_html(result)

    covered = rows(book.worksheets[0])[0]
    assert "Søgning i eReolen" in covered.values()
    assert "eReolen i dybden (Absalon)" in covered.values()
    assert '<html lang="da">' in html
    assert "eReolen i dybden (Absalon)" in html
    assert "12.500 kr." in html  # Danish thousands
    assert '<td class="num">0,88</td>' in html  # and decimals


def test_without_offers_every_gap_is_not_covered_and_both_files_still_render(report_round):
    result = coverage(report_round)

    book = workbook(coverage_export.render_xlsx(result))
    text = pdf_text(PdfReader(io.BytesIO(coverage_export.render_pdf(result))))

    assert [row["Status"] for row in rows(book["Gaps"])] == ["Not covered", "Not covered"]
    assert [cell.value for cell in book["Matrix"][1]] == [
        "Code",
        "Competency",
        "Highest needed level",
    ]
    assert rows(book["Offers"]) == []
    assert "The offers that reach a gap" not in text
    assert "assumed details" not in text


def test_the_file_name_is_the_round_and_the_day(report_round):
    result = coverage(report_round)

    with time_machine.travel(datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC)):
        name = coverage_export.filename(result, "xlsx")

    # 23:30 UTC is already 3 March in Copenhagen.
    assert name == f"coverage-{report_round.pk}-2026-03-03.xlsx"
    assert name.isascii()
