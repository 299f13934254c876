"""Storing read reports (leadership.usage.store) and reading figures back (monthly,
metrics_of): all or nothing, matched to resources by COUNTER platform, re-imports replace."""

import datetime
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import translation

from digikompas.leadership import usage
from digikompas.leadership.counter import CounterError, Problem, Report, Row, parse
from digikompas.leadership.models import DigitalResource, ResourceType, UsageImport, UsageRecord
from digikompas.orgs.models import Municipality

from .test_counter import EXPECTED, R5_CSV, SAMPLES

# The platforms of the real samples, as resources whose COUNTER platform names them.
PLATFORMS = {
    "Platform 1": "Sample platform",
    "Annual Reviews": "Annual Reviews",
    "EBSCOhost": "EBSCOhost",
    "MJO": "Maximegalon Journals Online",
    "Silverchair": "JAMA Network",
    "HHGTTG Online": "Hitchhiker's Guide Online",
    "search.alexanderstreet.com": "Alexander Street",
    "Britannica": "Britannica School",
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def resources(db):
    return {
        platform: DigitalResource.objects.create(
            name=name, type=ResourceType.REFERENCE, counter_platform=platform.upper()
        )
        for platform, name in PLATFORMS.items()
    }


def read(name: str):
    return parse((SAMPLES / name).read_bytes(), Path(name).name)


def stored_totals(municipality) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for platform, metric, total in (
        UsageRecord.objects.filter(municipality=municipality)
        .values_list("resource__counter_platform", "metric")
        .annotate(total=Sum("count"))
    ):
        found.setdefault(platform, {})[metric] = total
    return found


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_sample_is_stored_with_the_readme_totals(name, resources, odense):
    imported = usage.store(read(name), municipality=odense, file_name=Path(name).name)
    assert stored_totals(odense) == {
        platform.upper(): metrics for platform, metrics in EXPECTED[name].items()
    }
    assert imported.records == UsageRecord.objects.count()
    assert imported.replaced == 0
    assert imported.file_name == Path(name).name


def test_titles_and_attributes_are_summed_into_one_figure_a_month(resources, odense):
    imported = usage.store(read("r51/TR_sample_r51.tsv"), municipality=odense)
    # 8 metrics × 12 months, whatever the number of titles.
    assert imported.records == 96 == UsageRecord.objects.count()
    assert imported.report == "COUNTER 5.1 TR"
    assert (imported.first_month, imported.last_month) == (
        datetime.date(2022, 1, 1),
        datetime.date(2022, 12, 1),
    )
    assert usage.monthly(
        resources["Platform 1"],
        odense,
        "Limit_Exceeded",
        datetime.date(2022, 1, 1),
        datetime.date(2022, 3, 31),
    ) == {
        datetime.date(2022, 1, 1): 1_163,
        datetime.date(2022, 2, 1): 1_186,
        datetime.date(2022, 3, 1): 907,
    }  # the column sums of the TSV (awk)


def test_formats_of_one_report_store_the_same_figures(resources, odense, aarhus):
    usage.store(read("r51/PR_sample_r51.xlsx"), municipality=odense)
    usage.store(read("r51/PR_sample_r51.json"), municipality=aarhus)

    def figures(municipality):
        return set(
            UsageRecord.objects.filter(municipality=municipality).values_list(
                "month", "metric", "count"
            )
        )

    assert figures(odense) == figures(aarhus)
    assert len(figures(odense)) == 84


def test_r4_total_rows_are_not_stored_twice(resources, odense):
    usage.store(read("r4/pycounter_JR1.xlsx"), municipality=odense)
    assert UsageRecord.objects.aggregate(total=Sum("count"))["total"] == 114_773


def test_reimporting_the_same_file_replaces_and_never_doubles(resources, odense):
    first = usage.store(read("r5/counter_sample_PR.csv"), municipality=odense)
    again = usage.store(read("r5/counter_sample_PR.csv"), municipality=odense)
    assert again.records == again.replaced == first.records == 21
    assert stored_totals(odense) == {
        "PLATFORM 1": EXPECTED["r5/counter_sample_PR.csv"]["Platform 1"]
    }
    assert not UsageRecord.objects.filter(restated_from__isnull=False).exists()
    assert set(UsageRecord.objects.values_list("source", flat=True)) == {again.pk}


def test_overlapping_months_replace_and_a_changed_figure_is_marked_restated(resources, odense):
    britannica = resources["Britannica"]
    usage.store(parse(R5_CSV.encode(), "q1.csv"), municipality=odense)
    later = (
        R5_CSV.replace("End_Date=2024-03-31", "End_Date=2024-04-30")
        .replace("Begin_Date=2024-01-01", "Begin_Date=2024-02-01")
        .replace("Jan-2024,Feb-2024,Mar-2024", "Feb-2024,Mar-2024,Apr-2024")
        # February searches restated from 20 to 25; March unchanged; April new.
        .replace(
            "Britannica,Searches_Platform,60,10,20,30", "Britannica,Searches_Platform,95,25,30,40"
        )
        .replace("Britannica,Total_Item_Requests,6,1,2,3", "Britannica,Total_Item_Requests,9,2,3,4")
    )
    imported = usage.store(parse(later.encode(), "feb-apr.csv"), municipality=odense)
    assert (imported.records, imported.replaced) == (6, 4)
    searches = UsageRecord.objects.filter(resource=britannica, metric="Searches_Platform")
    assert list(searches.values_list("month", "count", "restated_from")) == [
        (datetime.date(2024, 1, 1), 10, None),
        (datetime.date(2024, 2, 1), 25, 20),
        (datetime.date(2024, 3, 1), 30, None),
        (datetime.date(2024, 4, 1), 40, None),
    ]
    assert UsageRecord.objects.filter(resource=britannica).count() == 8
    # Imported once more unchanged: the restatement seen before still stands.
    usage.store(parse(later.encode(), "feb-apr.csv"), municipality=odense)
    assert searches.get(month=datetime.date(2024, 2, 1)).restated_from == 20


def test_an_unmatched_platform_stores_nothing(resources, odense):
    DigitalResource.objects.filter(counter_platform="EBSCOHOST").update(counter_platform="")
    with pytest.raises(CounterError) as error:
        usage.store(read("r5/ebsco_DR.json"), municipality=odense)
    assert error.value.problems == [
        Problem(
            None,
            None,
            "No resource has the COUNTER platform \u201cEBSCOhost\u201d. Set it on "
            "the resource, or choose the resource when importing.",
        ),
    ]
    assert not UsageImport.objects.exists()
    assert not UsageRecord.objects.exists()


def test_a_platform_of_two_resources_is_refused(resources, odense):
    DigitalResource.objects.create(
        name="Sample 2", type=ResourceType.OTHER, counter_platform="platform 1"
    )
    with pytest.raises(CounterError) as error:
        usage.store(read("r5/counter_sample_PR.json"), municipality=odense)
    assert error.value.problems == [
        Problem(
            None,
            None,
            "The COUNTER platform \u201cPlatform 1\u201d belongs to Sample 2, "
            "Sample platform; choose the resource when importing.",
        ),
    ]
    assert not UsageRecord.objects.exists()


def test_a_chosen_resource_takes_the_figures_whatever_the_platform(resources, odense):
    eresource = DigitalResource.objects.create(name="eReolen", type=ResourceType.E_BOOKS)
    imported = usage.store(
        parse(b"month,metric,count\n2024-01,loans,1200\n2024-02,loans,1300\n", "x.csv"),
        municipality=odense,
        resource=eresource,
    )
    assert imported.report == "monthly counts"
    assert usage.monthly(
        eresource, odense, "loans", datetime.date(2024, 1, 1), datetime.date(2024, 12, 1)
    ) == {datetime.date(2024, 1, 1): 1200, datetime.date(2024, 2, 1): 1300}


def test_counts_without_a_resource_need_one_chosen(resources, odense):
    with pytest.raises(CounterError) as error:
        usage.store(parse(b"month,metric,count\n2024-01,loans,1\n", "x.csv"), municipality=odense)
    assert [p.message for p in error.value.problems] == [
        "The file does not name the resource its figures belong to; choose the resource."
    ]


def test_a_chosen_resource_refuses_a_file_of_several_platforms(resources, odense):
    content = "month,resource,metric,count\n2024-01,eReolen,loans,1\n2024-01,Filmstriben,views,2\n"
    with pytest.raises(CounterError) as error:
        usage.store(
            parse(content.encode(), "x.csv"), municipality=odense, resource=resources["Britannica"]
        )
    assert [p.message for p in error.value.problems] == [
        "The file holds the usage of 2 platforms (Filmstriben, eReolen), so it cannot all be "
        "Britannica School. Import it without choosing a resource: each platform then goes to "
        "the resource with that COUNTER platform."
    ]
    assert not UsageImport.objects.exists()


def test_the_import_records_its_exceptions_and_who_imported(resources, odense, municipal_leader):
    content = R5_CSV.replace(
        "Exceptions,\n", "Exceptions,3031: Usage Not Ready for Requested Dates\n"
    )
    imported = usage.store(
        parse(content.encode(), "pr.csv"),
        municipality=odense,
        by=municipal_leader,
        file_name="pr.csv",
    )
    imported.refresh_from_db()
    assert imported.exceptions == [
        {
            "code": 3031,
            "severity": "Warning",
            "message": "Usage Not Ready for Requested Dates",
            "data": "",
        }
    ]
    assert imported.imported_by == municipal_leader
    assert imported.source == UsageImport.Source.FILE


def test_a_report_without_usage_is_recorded_with_its_exception(resources, odense):
    data = {
        "Report_Header": {
            "Release": "5.1",
            "Report_ID": "PR",
            "Report_Name": "Platform Report",
            "Report_Filters": {"Begin_Date": "2024-01-01", "End_Date": "2024-01-31"},
            "Exceptions": [{"Code": 3030, "Message": "No Usage Available for Requested Dates"}],
        },
        "Report_Items": [],
    }
    from digikompas.leadership.counter import parse_sushi

    imported = usage.store(parse_sushi(data), municipality=odense, source="sushi")
    assert (imported.records, imported.exceptions[0]["code"]) == (0, 3030)


def test_metrics_are_listed_most_used_first(resources, odense, aarhus):
    usage.store(read("r5/atypon_annualreviews_PR.json"), municipality=odense)
    assert usage.metrics_of(resources["Annual Reviews"], odense) == [
        "Total_Item_Investigations",
        "Total_Item_Requests",
        "Unique_Item_Investigations",
        "Unique_Item_Requests",
        "Searches_Platform",
    ]
    assert usage.metrics_of(resources["Annual Reviews"], aarhus) == []


def test_monthly_leaves_out_months_without_figures(resources, odense):
    usage.store(read("r4/pycounter_DB1.tsv"), municipality=odense)
    assert usage.monthly(
        resources["HHGTTG Online"],
        odense,
        "Regular Searches",
        datetime.date(2011, 12, 1),
        datetime.date(2012, 3, 15),
    ) == {datetime.date(2012, 1, 1): 0, datetime.date(2012, 2, 1): 20, datetime.date(2012, 3, 1): 0}


@pytest.mark.parametrize("day", [2, 15, 28])
def test_a_figure_is_refused_for_any_day_but_the_first(day, resources, odense):
    """The database itself keeps a figure on the first day of its month (the check reads the
    day in SQL on SQLite, not through a Python function), and so does model validation."""
    record = UsageRecord(
        resource=resources["Annual Reviews"],
        municipality=odense,
        month=datetime.date(2024, 3, day),
        metric="Total_Item_Requests",
        count=4,
    )
    with pytest.raises(ValidationError, match="usage_month_is_first_day"):
        record.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()
    record.month = datetime.date(2024, 3, 1)
    record.full_clean()
    record.save()
    assert UsageRecord.objects.get().month == datetime.date(2024, 3, 1)


# -- the import's own transaction (outside a caller's; on SQLite BEGIN IMMEDIATE ... COMMIT) --


def _one_figure(count: int):
    return Report.of_rows(
        "counts",
        "counts",
        "Monthly counts",
        [Row("Britannica", datetime.date(2024, 1, 1), "loans", count)],
        [],
        datetime.date(2024, 1, 1),
        datetime.date(2024, 1, 1),
    )


@pytest.mark.django_db(transaction=True)
def test_an_import_outside_a_transaction_commits_its_own(resources, odense):
    assert connection.get_autocommit()
    imported = usage.store(_one_figure(7), municipality=odense)
    assert connection.get_autocommit()
    assert not connection.in_atomic_block
    # Committed: another connection (a thread has its own) sees it.
    seen = {}

    def read_elsewhere():
        seen["count"] = UsageRecord.objects.get(source=imported.pk).count
        connection.close()

    thread = threading.Thread(target=read_elsewhere)
    thread.start()
    thread.join()
    assert seen == {"count": 7}


@pytest.mark.django_db(transaction=True)
def test_a_figure_the_database_refuses_undoes_the_import_row_written_before_it(resources, odense):
    # The import row is written first; the figure breaks count >= 0 after it.
    with pytest.raises(IntegrityError):
        usage.store(_one_figure(-1), municipality=odense)
    assert not UsageImport.objects.exists()
    assert not UsageRecord.objects.exists()
    # The connection is left as it was: the next import goes through.
    usage.store(_one_figure(3), municipality=odense)
    assert UsageRecord.objects.get().count == 3
    assert UsageImport.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_foreign_key_that_fails_only_at_commit_stores_nothing(resources, odense):
    # Foreign keys are checked at COMMIT (deferred): the figures of a municipality that is
    # not there get as far as the commit, which fails and must leave nothing behind.
    gone = Municipality(pk=odense.pk + 100_000, code=9999, name="Nowhere", region=odense.region)
    with pytest.raises(IntegrityError):
        usage.store(_one_figure(5), municipality=gone)
    assert not UsageImport.objects.exists()
    assert not UsageRecord.objects.exists()
    assert connection.get_autocommit()
    usage.store(_one_figure(5), municipality=odense)
    assert UsageRecord.objects.get().municipality == odense


def test_inside_the_callers_transaction_the_import_is_undone_with_it(resources, odense):
    def import_then_fail():
        with transaction.atomic():
            usage.store(_one_figure(2), municipality=odense)
            assert UsageRecord.objects.count() == 1
            raise RuntimeError("the caller fails after the import")

    with pytest.raises(RuntimeError):
        import_then_fail()
    assert not UsageImport.objects.exists()
    assert not UsageRecord.objects.exists()
