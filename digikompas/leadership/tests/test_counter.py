"""Reading usage files (leadership.counter): every real sample in tests/samples/counter (real
files published by others, copied unchanged with their README) gives the totals the README
states; formats of one report agree; the messy parts of real exports are taken, and every
malformed file is refused with its line, column and reason."""

import datetime
import io
import json
import zipfile
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from digikompas.leadership.counter import CounterError, Problem, Row, parse, parse_sushi

SAMPLES = Path(__file__).resolve().parent / "samples" / "counter"

R51_PR = {
    "Searches_Platform": 392_072,
    "Total_Item_Investigations": 854_255,
    "Total_Item_Requests": 512_553,
    "Unique_Item_Investigations": 640_430,
    "Unique_Item_Requests": 386_354,
    "Unique_Title_Investigations": 30_361,
    "Unique_Title_Requests": 23_444,
}
R51_DR = {
    "Limit_Exceeded": 3_261,
    "No_License": 3_400,
    "Searches_Automated": 581_544,
    "Searches_Federated": 1_180_471,
    "Searches_Regular": 572_319,
    "Total_Item_Investigations": 604_630,
    "Total_Item_Requests": 277_080,
    "Unique_Item_Investigations": 453_191,
    "Unique_Item_Requests": 209_717,
    "Unique_Title_Investigations": 30_361,
    "Unique_Title_Requests": 23_444,
}
R51_TR = {
    "Limit_Exceeded": 13_304,
    "No_License": 12_843,
    "Total_Item_Investigations": 425_035,
    "Total_Item_Requests": 255_023,
    "Unique_Item_Investigations": 318_478,
    "Unique_Item_Requests": 193_175,
    "Unique_Title_Investigations": 30_361,
    "Unique_Title_Requests": 23_444,
}
R5_PR = {
    "Searches_Platform": 25_511,
    "Total_Item_Investigations": 71_703,
    "Total_Item_Requests": 23_321,
    "Unique_Item_Investigations": 31_815,
    "Unique_Item_Requests": 22_371,
    "Unique_Title_Investigations": 378,
    "Unique_Title_Requests": 378,
}
DB1 = {
    "Regular Searches": 25,
    "Searches-federated and automated": 1,
    "Result Clicks": 17,
    "Record Views": 3,
}
# The totals of the README beside the samples: platform → metric → total over the whole file.
EXPECTED = {
    "r51/PR_sample_r51.tsv": {"Platform 1": R51_PR},
    "r51/PR_sample_r51.json": {"Platform 1": R51_PR},
    "r51/PR_sample_r51.xlsx": {"Platform 1": R51_PR},
    "r51/DR_sample_r51.tsv": {"Platform 1": R51_DR},
    "r51/DR_sample_r51.json": {"Platform 1": R51_DR},
    "r51/TR_sample_r51.tsv": {"Platform 1": R51_TR},
    "r51/TR_sample_r51.json": {"Platform 1": R51_TR},
    "r5/counter_sample_PR.csv": {"Platform 1": R5_PR},
    "r5/counter_sample_PR.json": {"Platform 1": R5_PR},
    "r5/atypon_annualreviews_PR.json": {
        "Annual Reviews": {
            "Searches_Platform": 174,
            "Total_Item_Investigations": 3_135,
            "Total_Item_Requests": 2_337,
            "Unique_Item_Investigations": 1_941,
            "Unique_Item_Requests": 1_711,
        }
    },
    "r5/atypon_annualreviews_TR.json": {
        "Annual Reviews": {
            "No_License": 6,
            "Total_Item_Investigations": 3_134,
            "Total_Item_Requests": 2_337,
            "Unique_Item_Investigations": 1_940,
            "Unique_Item_Requests": 1_711,
        }
    },
    "r5/ebsco_DR.json": {
        "EBSCOhost": {
            "Searches_Federated": 26,
            "Searches_Regular": 16_767,
            "Total_Item_Investigations": 6_795,
            "Total_Item_Requests": 2_647,
            "Unique_Item_Investigations": 5_663,
            "Unique_Item_Requests": 2_420,
            "Unique_Title_Investigations": 195,
            "Unique_Title_Requests": 26,
        }
    },
    "r4/pycounter_JR1.csv": {"MJO": {"Full-Text Article Requests": 16}},
    "r4/pycounter_JR1.xlsx": {"Silverchair": {"Full-Text Article Requests": 114_773}},
    "r4/pycounter_DB1.tsv": {"HHGTTG Online": DB1},
    "r4/pycounter_BR2.tsv": {"HHGTTG Online": {"Section Requests": 25}},
    "r4/pycounter_PR1_alexanderstreet.tsv": {
        "search.alexanderstreet.com": {
            "Regular Searches": 299,
            "Searches-federated and automated": 0,
            "Result Clicks": 87,
            "Record Views": 100,
        }
    },
}
KINDS = {
    "r51/PR_sample_r51.tsv": ("5.1", "PR", "Platform Report"),
    "r51/TR_sample_r51.json": ("5.1", "TR", "Title Report"),
    "r5/counter_sample_PR.csv": ("5", "PR", "Platform Master Report"),
    "r5/ebsco_DR.json": ("5", "DR", "Database Master Report"),
    "r4/pycounter_JR1.xlsx": ("4", "JR1", "Journal Report 1"),
    "r4/pycounter_DB1.tsv": ("4", "DB1", "Database Report 1"),
    "r4/pycounter_BR2.tsv": ("4", "BR2", "Book Report 2"),
    "r4/pycounter_PR1_alexanderstreet.tsv": ("4", "PR1", "Platform Report 1"),
}


@pytest.fixture(autouse=True)
def _english():
    # Messages are compared in English, the msgids; the site's default language is Danish.
    with translation.override("en"):
        yield


def read(name: str):
    return parse((SAMPLES / name).read_bytes(), Path(name).name)


def totals(report) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for row in report.rows:
        metrics = found.setdefault(row.platform, {})
        metrics[row.metric] = metrics.get(row.metric, 0) + row.count
    return found


def by_month(report) -> Counter:
    figures = Counter()
    for row in report.rows:
        figures[row.platform, row.month, row.metric] += row.count
    return +figures  # months of 0 are left out: JSON reports do not carry them all


def sample_text(name: str) -> str:
    return (SAMPLES / name).read_bytes().decode("utf-8-sig")


def problems(content: bytes | str, filename: str = "report.tsv") -> list[Problem]:
    raw = content.encode() if isinstance(content, str) else content
    with pytest.raises(CounterError) as error:
        parse(raw, filename)
    return error.value.problems


# -- the real samples -----------------------------------------------------------------------


def test_every_sample_has_its_totals_in_the_test():
    files = {
        str(path.relative_to(SAMPLES))
        for path in SAMPLES.rglob("*")
        if path.is_file() and path.name != "README.md"
    }
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_reads_the_totals_the_readme_states(name):
    assert totals(read(name)) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_its_sums_per_platform_month_and_metric_are_the_rows_summed(name):
    report = read(name)
    # The tabular readers sum as they read; the store takes their sums, not the rows.
    assert (report.summed is not None) == (not name.endswith(".json"))
    expected = Counter()
    for row in report.rows:
        expected[row.platform, row.month, row.metric] += row.count
    assert report.sums() == dict(expected)
    assert len(report.sums()) == len({row[:3] for row in report.rows})


def test_sums_count_an_empty_month_cell_as_0_when_the_total_shows_it():
    content = R5_CSV.replace(
        "Britannica,Total_Item_Requests,6,1,2,3", "Britannica,Total_Item_Requests,3,,,3"
    )
    report = parse(content.encode(), "pr.csv")
    requests = {
        month.month: count
        for (_platform, month, metric), count in report.sums().items()
        if metric == "Total_Item_Requests"
    }
    assert requests == {1: 0, 2: 0, 3: 3}


@pytest.mark.parametrize(("name", "kind"), sorted(KINDS.items()))
def test_it_tells_the_release_and_report_from_the_header(name, kind):
    report = read(name)
    assert (report.release, report.report_id, report.name) == kind


@pytest.mark.parametrize(
    "names",
    [
        ["r51/PR_sample_r51.tsv", "r51/PR_sample_r51.json", "r51/PR_sample_r51.xlsx"],
        ["r51/DR_sample_r51.tsv", "r51/DR_sample_r51.json"],
        ["r51/TR_sample_r51.tsv", "r51/TR_sample_r51.json"],
        ["r5/counter_sample_PR.csv", "r5/counter_sample_PR.json"],
    ],
)
def test_formats_of_one_report_agree_month_by_month(names):
    reports = [read(name) for name in names]
    first = by_month(reports[0])
    assert len(first) > 0
    for report in reports[1:]:
        assert by_month(report) == first
        assert (report.first_month, report.last_month) == (
            reports[0].first_month,
            reports[0].last_month,
        )


def test_the_period_comes_from_the_header():
    report = read("r51/PR_sample_r51.tsv")
    assert (report.first_month, report.last_month) == (
        datetime.date(2022, 1, 1),
        datetime.date(2022, 12, 1),
    )
    assert report.exceptions == []
    assert report.label == "COUNTER 5.1 PR"


def test_r4_totals_rows_are_not_counted():
    report = read("r4/pycounter_JR1.csv")
    assert {row.title for row in report.rows} == {
        "Abstracts of Working Papers in Economics",
        "Acta Numerica",
    }
    # The "Total for all journals" row says 16 as well: counted twice would make 32.
    assert sum(row.count for row in report.rows) == 16
    assert report.label == "COUNTER 4 JR1"


def test_r4_reporting_period_columns_are_not_months():
    report = read("r4/pycounter_JR1.xlsx")
    assert sorted({row.month for row in report.rows}) == [
        datetime.date(2013, month, 1) for month in range(1, 13)
    ]
    jama = {row.month.month: row.count for row in report.rows if row.title == "JAMA"}
    assert jama[1] == 5414
    assert sum(jama.values()) == 58486


def test_sushi_json_gets_zero_for_the_months_it_leaves_out():
    report = read("r5/atypon_annualreviews_PR.json")
    searches = {r.month.month: r.count for r in report.rows if r.metric == "Searches_Platform"}
    assert set(searches) == {1, 2, 3}


# -- what real exports look like --------------------------------------------------------------

R5_CSV = (
    "Report_Name,Platform Master Report\n"
    "Report_ID,PR\n"
    "Release,5\n"
    "Institution_Name,Odense Bibliotekerne\n"
    "Institution_ID,ISIL:DK-746100\n"
    "Metric_Types,\n"
    "Report_Filters,\n"
    "Report_Attributes,\n"
    "Exceptions,\n"
    "Reporting_Period,Begin_Date=2024-01-01; End_Date=2024-03-31\n"
    "Created,2024-04-05T10:00:00Z\n"
    "Created_By,Vendor\n"
    "\n"
    "Platform,Metric_Type,Reporting_Period_Total,Jan-2024,Feb-2024,Mar-2024\n"
    "Britannica,Searches_Platform,60,10,20,30\n"
    "Britannica,Total_Item_Requests,6,1,2,3\n"
)


def test_it_takes_quoted_cells_a_bom_and_semicolons():
    quoted = "\n".join(
        ";".join(f'"{cell}"' for cell in line.split(",")) if line else ""
        for line in R5_CSV.splitlines()
    )
    report = parse(b"\xef\xbb\xbf" + quoted.encode(), "pr.csv")
    assert totals(report) == {"Britannica": {"Searches_Platform": 60, "Total_Item_Requests": 6}}


def test_it_takes_counts_as_strings_with_thousands_separators():
    content = R5_CSV.replace(
        "Britannica,Searches_Platform,60,10,20,30",
        'Britannica,Searches_Platform,"6,000","1,000","2,000","3,000"',
    ).replace(
        "Britannica,Total_Item_Requests,6,1,2,3", 'Britannica,Total_Item_Requests,6,1," 2 ",3'
    )
    assert totals(parse(content.encode(), "pr.csv"))["Britannica"] == {
        "Searches_Platform": 6000,
        "Total_Item_Requests": 6,
    }


def test_it_takes_blank_rows_after_the_headings_and_stray_case_and_spaces():
    content = R5_CSV.replace(
        "Platform,Metric_Type,Reporting_Period_Total,",
        "PLATFORM,Metric_Type ,Reporting_ Period_Total,",
    ).replace("Jan-2024,Feb-2024,Mar-2024\n", "Jan-2024,Feb-2024,Mar-2024\n\n,,,\n")
    content = content.replace("Release,5", "RELEASE,5").replace("total_item_requests", "x")
    content = content.replace("Total_Item_Requests", "total_item_requests")
    report = parse(content.encode(), "pr.csv")
    assert totals(report)["Britannica"] == {"Searches_Platform": 60, "Total_Item_Requests": 6}


def test_a_wrong_report_name_does_not_decide_when_the_report_id_is_right():
    report = parse(R5_CSV.replace("Platform Master Report", "Plattform Rapport").encode(), "x.csv")
    assert (report.report_id, report.name) == ("PR", "Plattform Rapport")


def test_a_known_report_name_decides_when_the_report_id_is_missing():
    report = parse(R5_CSV.replace("Report_ID,PR\n", "").encode(), "x.csv")
    assert report.report_id == "PR"


def test_an_empty_month_cell_is_zero_when_the_total_shows_it():
    content = R5_CSV.replace(
        "Britannica,Total_Item_Requests,6,1,2,3", "Britannica,Total_Item_Requests,3,,,3"
    )
    report = parse(content.encode(), "pr.csv")
    requests = {r.month.month: r.count for r in report.rows if r.metric == "Total_Item_Requests"}
    assert requests == {1: 0, 2: 0, 3: 3}


def test_windows_1252_text_is_read():
    content = R5_CSV.replace("Britannica", "Ordbogen Å").encode("cp1252")
    assert set(totals(parse(content, "pr.csv"))) == {"Ordbogen Å"}


def test_header_exceptions_are_kept():
    content = R5_CSV.replace(
        "Exceptions,\n",
        'Exceptions,"3031: Usage Not Ready for Requested Dates (2024-03); 3062: Invalid '
        'ReportAttribute Value"\n',
    )
    report = parse(content.encode(), "pr.csv")
    assert report.exceptions == [
        {
            "code": 3031,
            "severity": "Warning",
            "message": "Usage Not Ready for Requested Dates",
            "data": "2024-03",
        },
        {
            "code": 3062,
            "severity": "Warning",
            "message": "Invalid ReportAttribute Value",
            "data": "",
        },
    ]


def test_an_xlsx_with_numbers_and_date_headings_is_read():
    book = openpyxl.Workbook()
    sheet = book.active
    for line in R5_CSV.splitlines():
        sheet.append(line.split(",") if line else [])
    heading_row = 14
    for column, month in ((4, 1), (5, 2), (6, 3)):
        cell = sheet.cell(heading_row, column, datetime.datetime(2024, month, 1))
        cell.number_format = "mmm-yy"
    for row in (15, 16):
        for column in range(3, 7):
            cell = sheet.cell(row, column)
            cell.value = int(cell.value)
    buffer = io.BytesIO()
    book.save(buffer)
    report = parse(buffer.getvalue(), "pr.xlsx")
    assert totals(report) == {"Britannica": {"Searches_Platform": 60, "Total_Item_Requests": 6}}
    assert report.last_month == datetime.date(2024, 3, 1)


# Texts with what XML escapes, and the markup between two shared strings written as text.
_MARKUP_TEXT = st.lists(
    st.sampled_from(["a", "Ø", " ", "&", "&amp;", "<", ">", '"', "'", ";", "</t></si><si><t>"]),
    min_size=1,
    max_size=8,
).map("".join)


def shared_strings_workbook(rows: list[list[str]]) -> bytes:
    """A workbook whose text cells are shared strings, as Excel writes them (openpyxl writes
    inline strings)."""
    strings: dict[str, int] = {}
    sheet_rows = []
    for number, cells in enumerate(rows, start=1):
        sheet_cells = "".join(
            f'<c r="{chr(65 + index)}{number}" t="s"><v>{strings.setdefault(text, len(strings))}'
            "</v></c>"
            for index, text in enumerate(cells)
        )
        sheet_rows.append(f'<row r="{number}">{sheet_cells}</row>')
    items = "".join(
        f'<si><t xml:space="preserve">{escape(text)}</t></si>'
        if text != text.strip()
        else f"<si><t>{escape(text)}</t></si>"
        for text in strings
    )
    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "xl/worksheets/sheet1.xml",
            f"<worksheet {main}><sheetData>{''.join(sheet_rows)}</sheetData></worksheet>",
        )
        book.writestr("xl/sharedStrings.xml", f"<sst {main}>{items}</sst>")
    return buffer.getvalue()


@settings(max_examples=80, deadline=None)
@given(st.lists(_MARKUP_TEXT.filter(str.strip), min_size=1, max_size=6, unique_by=str.strip))
def test_shared_strings_with_markup_and_entities_read_back_exactly(names):
    rows = [["month", "resource", "metric", "count"]]
    rows += [["2024-01", name, "loans", "1"] for name in names]
    report = parse(shared_strings_workbook(rows), "counts.xlsx")
    assert [row.platform for row in report.rows] == [name.strip() for name in names]


def test_the_sushi_exceptions_are_kept_and_missing_months_not_filled_when_not_ready():
    data = json.loads((SAMPLES / "r5/counter_sample_PR.json").read_text())
    data["Report_Header"]["Exceptions"] = [
        {
            "Code": 3031,
            "Severity": "Warning",
            "Message": "Usage Not Ready for Requested Dates",
            "Data": "Usage is ready up to 2016-02",
        }
    ]
    data["Report_Header"]["Report_Filters"][1]["Value"] = "2016-04-30"
    report = parse_sushi(data)
    assert report.exceptions == [
        {
            "code": 3031,
            "severity": "Warning",
            "message": "Usage Not Ready for Requested Dates",
            "data": "Usage is ready up to 2016-02",
        }
    ]
    assert datetime.date(2016, 4, 1) not in {row.month for row in report.rows}
    assert report.last_month == datetime.date(2016, 4, 1)


def test_r51_counts_sent_as_strings_are_read():
    data = {
        "Report_Header": {
            "Release": "5.1",
            "Report_ID": "PR",
            "Report_Name": "Platform Report",
            "Report_Filters": {"Begin_Date": "2024-01-01", "End_Date": "2024-02-29"},
        },
        "Report_Items": [
            {
                "Platform": "HighWire",
                "Attribute_Performance": [
                    {"Performance": {"Total_Item_Requests": {"2024-01": "116", "2024-02": 4}}}
                ],
            }
        ],
    }
    report = parse_sushi(data)
    assert sorted(report.rows) == [
        Row("HighWire", datetime.date(2024, 1, 1), "Total_Item_Requests", 116),
        Row("HighWire", datetime.date(2024, 2, 1), "Total_Item_Requests", 4),
    ]


def test_a_sushi_answer_with_only_an_exception_is_refused_with_it():
    with pytest.raises(CounterError) as error:
        parse(b'{"Code": 2010, "Severity": "Error", "Message": "Requestor Not Authorized"}', "x")
    assert [p.message for p in error.value.problems] == [
        "The server sent no report but exception 2010: Requestor Not Authorized"
    ]


# -- monthly counts ---------------------------------------------------------------------------


def test_monthly_counts_in_english():
    content = (
        "month,resource,metric,count\n2024-01,eReolen,loans,1200\n2024-02,eReolen,loans,1.300\n"
    )
    report = parse(content.encode(), "ereolen.csv")
    assert (report.release, report.report_id, report.label) == (
        "counts",
        "counts",
        "monthly counts",
    )
    assert report.rows == [
        Row("eReolen", datetime.date(2024, 1, 1), "loans", 1200),
        Row("eReolen", datetime.date(2024, 2, 1), "loans", 1300),
    ]
    assert (report.first_month, report.last_month) == (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 2, 1),
    )


def test_monthly_counts_in_danish_from_excel():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Måned", "Ressource", "Måling", "Antal"])
    sheet.append([datetime.datetime(2024, 3, 1), "Filmstriben", "visninger", 412])
    sheet.cell(2, 1).number_format = "yyyy-mm"
    sheet.append(["2024-04", "Filmstriben", "visninger", "398"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = parse(buffer.getvalue(), "filmstriben.xlsx")
    assert report.rows == [
        Row("Filmstriben", datetime.date(2024, 3, 1), "visninger", 412),
        Row("Filmstriben", datetime.date(2024, 4, 1), "visninger", 398),
    ]


def test_monthly_counts_may_leave_the_resource_to_the_importer():
    report = parse("måned;måling;antal\n2024-01;udlån;5\n".encode(), "x.csv")
    assert report.rows == [Row("", datetime.date(2024, 1, 1), "udlån", 5)]


# -- malformed files: every problem with its line, column and reason ---------------------------


def test_a_bad_count_is_refused_with_its_line_and_column():
    content = R5_CSV.replace(
        "Britannica,Total_Item_Requests,6,1,2,3", "Britannica,Total_Item_Requests,6,1,2x,3"
    )
    assert problems(content, "pr.csv") == [Problem(16, "Feb-2024", "2x is not a whole number.")]


def test_a_negative_count_and_a_decimal_are_refused():
    content = R5_CSV.replace("60,10,20,30", "60,10,-20,30").replace("6,1,2,3", '6,"1,5",2,3')
    assert problems(content, "pr.csv") == [
        Problem(15, "Feb-2024", "-20 is negative; a count cannot be."),
        Problem(16, "Jan-2024", "1,5 is not a whole number."),
    ]


def test_a_misspelled_header_name_is_refused():
    content = R5_CSV.replace("Release,5", "Relase,5")
    assert problems(content, "pr.csv") == [
        Problem(
            3,
            "A",
            "\u201cRelase\u201d is not a COUNTER header name (expected one of "
            "Report_Name, Report_ID, Release, Institution_Name, Institution_ID, Metric_Types, "
            "Report_Filters, Report_Attributes, Exceptions, Reporting_Period, Created, "
            "Created_By, Registry_Record, Customer_ID).",
        ),
        Problem(1, "Release", "The Release is missing (5 or 5.1)."),
    ]


def test_an_unknown_release_is_refused():
    assert problems(R5_CSV.replace("Release,5", "Release,6"), "pr.csv") == [
        Problem(3, "Release", "Release 6 cannot be imported here; COUNTER 5 and 5.1 can.")
    ]


def test_an_unknown_report_is_refused():
    content = R5_CSV.replace("Report_ID,PR", "Report_ID,XR").replace("Platform Master Report", "X")
    assert problems(content, "x.csv") == [
        Problem(
            2,
            "Report_ID",
            "\u201cXR\u201d (X) is not a COUNTER 5 report; the import knows "
            "PR, PR_P1, DR, DR_D1, DR_D2, TR, TR_B1, TR_B2, TR_B3, TR_J1, TR_J2, TR_J3, TR_J4, "
            "IR, IR_A1, IR_M1.",
        ),
    ]


def test_a_file_that_is_no_report_is_refused():
    assert problems("Name,Loans\nA,1\n", "x.csv") == [
        Problem(
            1,
            "A",
            "This is not a report the import knows. A COUNTER 5 report starts with "
            "Report_Name, a COUNTER 4 report with its name such as \u201cJournal Report 1 "
            "(R4)\u201d, and monthly counts with the columns month, resource, metric and "
            "count.",
        ),
    ]


def test_a_missing_month_column_is_refused():
    lines = R5_CSV.splitlines()
    cut = [
        ",".join(line.split(",")[:5]) if index >= 13 else line for index, line in enumerate(lines)
    ]
    assert problems("\n".join(cut), "pr.csv") == [
        Problem(14, None, "The column for Mar-2024 is missing.")
    ]


def test_a_heading_that_is_not_a_month_is_refused():
    content = R5_CSV.replace("Feb-2024", "Febr-2024")
    assert problems(content, "pr.csv") == [
        Problem(
            14,
            "Febr-2024",
            "\u201cFebr-2024\u201d is not a month; month columns are headed like Jan-2024.",
        ),
        Problem(14, None, "The column for Feb-2024 is missing."),
    ]


def test_months_that_do_not_add_up_to_the_total_are_refused():
    content = R5_CSV.replace(
        "Britannica,Total_Item_Requests,6,1,2,3", "Britannica,Total_Item_Requests,7,1,2,3"
    )
    assert problems(content, "pr.csv") == [
        Problem(
            16, "Reporting_Period_Total", "Reporting_Period_Total is 7, but the months add up to 6."
        ),
    ]


def test_an_empty_month_cell_the_total_does_not_settle_is_refused():
    content = R5_CSV.replace(
        "Britannica,Total_Item_Requests,6,1,2,3", "Britannica,Total_Item_Requests,6,1,,3"
    )
    assert problems(content, "pr.csv") == [
        Problem(
            16,
            "Feb-2024",
            "The cell is empty. COUNTER writes 0 for a month without usage, "
            "and the row's Reporting_Period_Total does not show that it is 0.",
        ),
    ]


def test_an_unknown_metric_is_refused():
    content = R5_CSV.replace("Total_Item_Requests", "Total_Downloads")
    assert problems(content, "pr.csv") == [
        Problem(16, "Metric_Type", "\u201cTotal_Downloads\u201d is not a COUNTER metric here.")
    ]


def test_a_consortium_report_of_several_members_is_refused():
    content = R5_CSV.replace("\nPlatform,", "\nInstitution_Name,Platform,")
    content = content.replace("\nBritannica,Searches", "\nOdense,Britannica,Searches")
    content = content.replace("\nBritannica,Total", "\nAarhus,Britannica,Total")
    assert problems(content, "pr.csv") == [
        Problem(
            None,
            "Institution_Name",
            "The report holds the usage of 2 institutions. Import "
            "each member's own report instead of a consortium's detailed report.",
        ),
    ]


def test_every_problem_of_the_file_is_listed():
    content = R5_CSV.replace("60,10,20,30", "60,10,x,30").replace("6,1,2,3", "6,1,2,y")
    assert [(p.line, p.column) for p in problems(content, "pr.csv")] == [
        (15, "Feb-2024"),
        (16, "Mar-2024"),
    ]


def test_a_truncated_json_report_is_refused_with_its_place():
    text = sample_text("r5/counter_sample_PR.json")
    assert problems(text[:1000], "pr.json") == [
        Problem(
            46,
            "9",
            "The JSON is broken or cut off: Expecting property name enclosed in double quotes.",
        ),
    ]


def test_a_bad_count_in_json_is_refused_with_its_path():
    data = json.loads(sample_text("r5/counter_sample_PR.json"))
    data["Report_Items"][1]["Performance"][0]["Instance"][1]["Count"] = "lots"
    assert problems(json.dumps(data), "pr.json") == [
        Problem(
            None, "Report_Items[1].Performance[0].Instance[1].Count", "lots is not a whole number."
        ),
    ]


def test_a_json_period_of_more_than_a_month_is_refused():
    data = json.loads(sample_text("r5/counter_sample_PR.json"))
    data["Report_Items"][0]["Performance"][0]["Period"]["End_Date"] = "2016-03-31"
    assert problems(json.dumps(data), "pr.json") == [
        Problem(
            None,
            "Report_Items[0].Performance[0].Period",
            "2016-01-01 to 2016-03-31 is not one month; request the report month by month.",
        ),
    ]


def test_json_without_a_report_header_is_refused():
    assert problems('{"Report_Items": []}', "x.json") == [
        Problem(
            None, "Report_Header", "This JSON is not a COUNTER report: it has no Report_Header."
        )
    ]


def test_a_bad_count_in_an_r4_file_is_refused():
    text = sample_text("r4/pycounter_DB1.tsv").replace(
        "Result Clicks\t17\t0\t11", "Result Clicks\t17\t0\televen"
    )
    assert problems(text, "db1.tsv") == [Problem(11, "Feb-2012", "eleven is not a whole number.")]


def test_an_r4_file_without_its_release_is_refused():
    text = sample_text("r4/pycounter_DB1.tsv").replace(
        "Database Report 1 (R4)", "Database Report 1 (R3)"
    )
    assert problems(text, "db1.tsv") == [
        Problem(
            1,
            "A",
            "\u201cDatabase Report 1 (R3)\u201d does not say it is COUNTER Release 4, "
            "e.g. \u201cJournal Report 1 (R4)\u201d; only COUNTER 4 and 5 reports can be "
            "imported.",
        ),
    ]


def test_an_r4_report_the_import_does_not_know_is_refused():
    text = sample_text("r4/pycounter_DB1.tsv").replace(
        "Database Report 1 (R4)", "Database Report 2 (R4)"
    )
    assert problems(text, "db2.tsv") == [
        Problem(
            1,
            "A",
            "Database Report 2 (R4) cannot be imported; of COUNTER 4 the import knows "
            "JR1, DB1, BR1, BR2 and PR1.",
        ),
    ]


def test_an_r4_file_with_a_month_column_missing_is_refused():
    lines = sample_text("r4/pycounter_PR1_alexanderstreet.tsv").splitlines()
    cut = [
        "\t".join(line.split("\t")[:-1]) if index >= 7 else line for index, line in enumerate(lines)
    ]
    assert problems("\n".join(cut), "pr1.tsv") == [
        Problem(8, None, "The column for Dec-2018 is missing.")
    ]


def test_an_r4_user_activity_that_is_not_counter_is_refused():
    text = sample_text("r4/pycounter_DB1.tsv").replace("Record Views", "Record Clicks")
    assert problems(text, "db1.tsv") == [
        Problem(12, "User Activity", "\u201cRecord Clicks\u201d is not a COUNTER metric here.")
    ]


def test_a_broken_workbook_is_refused():
    raw = (SAMPLES / "r4/pycounter_JR1.xlsx").read_bytes()
    found = problems(raw[: len(raw) // 2], "jr1.xlsx")
    assert len(found) == 1
    assert found[0].message.startswith("The workbook cannot be read (")


def test_monthly_counts_with_problems_are_refused():
    content = (
        "month,resource,metric,count,note\n"
        "2024-13,eReolen,loans,1\n"
        "2024-01,eReolen,loans,\n"
        "2024-02,eReolen,loans,2\n"
        "2024-02,EREOLEN,Loans,3\n"
    )
    assert problems(content, "x.csv") == [
        Problem(
            1,
            "note",
            "\u201cnote\u201d is not a column of monthly counts (month, resource, "
            "metric, count; or måned, ressource, måling, antal).",
        ),
    ]
    assert problems(content.replace(",note", ""), "x.csv") == [
        Problem(
            2, "month", "\u201c2024-13\u201d is not a month; write it as YYYY-MM, e.g. 2024-01."
        ),
        Problem(3, "count", "The count is missing."),
        Problem(5, None, "2024-02 Loans EREOLEN is given twice (first on line 4)."),
    ]


def test_an_empty_file_is_refused():
    assert problems("\n\n", "x.csv") == [Problem(None, None, "The file is empty.")]


def test_an_old_excel_workbook_is_refused():
    assert problems(b"\xd0\xcf\x11\xe0" + b"\0" * 100, "x.xls") == [
        Problem(
            None,
            None,
            "This is an Excel 97–2003 workbook (.xls). Save it as .xlsx or CSV and import that.",
        ),
    ]


def test_a_problem_reads_as_a_sentence():
    assert str(Problem(3, "Feb-2024", "x is not a whole number.")) == (
        "Line 3, column Feb-2024: x is not a whole number."
    )
    assert str(Problem(None, "Report_Header", "Missing.")) == "Report_Header: Missing."
