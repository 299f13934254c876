"""manage.py import_usage FILE [--holder CODE] [--resource NAME]."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from digikompas.leadership.models import DigitalResource, ResourceType, UsageImport, UsageRecord

from .test_counter import R5_CSV, SAMPLES


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def resources(db):
    DigitalResource.objects.create(
        name="Sample platform", type=ResourceType.REFERENCE, counter_platform="Platform 1"
    )
    DigitalResource.objects.create(
        name="Britannica School", type=ResourceType.REFERENCE, counter_platform="Britannica"
    )
    return DigitalResource.objects.create(name="eReolen", type=ResourceType.E_BOOKS)


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_usage", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(*args) -> tuple[str, str]:
    """The CommandError's message and stderr; manage.py exits with the error's returncode."""
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_usage", *map(str, args), stdout=io.StringIO(), stderr=err)
    assert error.value.returncode == 1
    return str(error.value), err.getvalue()


def test_it_imports_a_counter_file_and_says_what_it_stored(resources, odense):
    out, err = run(SAMPLES / "r51/PR_sample_r51.tsv", "--holder", 461)
    assert out == (
        "PR_sample_r51.tsv (COUNTER 5.1 PR, 2022-01 to 2022-12) for Odense: 84 figures stored, "
        "0 of them replacing figures imported before.\n"
    )
    assert err == ""
    assert UsageRecord.objects.filter(municipality=odense).count() == 84


def test_importing_again_says_what_it_replaced(resources, odense):
    run(SAMPLES / "r5/counter_sample_PR.csv", "--holder", 461)
    out, _err = run(SAMPLES / "r5/counter_sample_PR.json", "--holder", 461)
    assert out == (
        "counter_sample_PR.json (COUNTER 5 PR, 2016-01 to 2016-03) for Odense: 21 figures "
        "stored, 21 of them replacing figures imported before.\n"
    )
    assert UsageImport.objects.count() == 2
    assert UsageRecord.objects.count() == 21


def test_it_prints_the_counter_exceptions(resources, odense, tmp_path):
    file = tmp_path / "pr.csv"
    file.write_text(
        R5_CSV.replace(
            "Exceptions,\n", "Exceptions,3031: Usage Not Ready for Requested Dates (2024-03)\n"
        )
    )
    out, _err = run(file, "--holder", 461)
    assert out.splitlines()[1] == (
        "COUNTER exception 3031 (Warning): Usage Not Ready for Requested Dates (2024-03)"
    )


def test_monthly_counts_go_to_the_chosen_resource(resources, odense, tmp_path):
    file = tmp_path / "ereolen.csv"
    file.write_text("måned;måling;antal\n2024-01;udlån;1.200\n", encoding="utf-8")
    out, _err = run(file, "--holder", 461, "--resource", "EREOLEN")
    assert out.startswith("ereolen.csv (monthly counts, 2024-01 to 2024-01) for Odense: 1 figures")
    assert UsageRecord.objects.get().count == 1200


def test_a_malformed_file_is_refused_with_every_problem_and_nothing_stored(resources, tmp_path):
    file = tmp_path / "pr.csv"
    file.write_text(R5_CSV.replace("60,10,20,30", "60,10,x,30").replace("6,1,2,3", "6,1,2,"))
    message, err = fails(file, "--holder", 461)
    assert message == "Nothing was imported from pr.csv."
    assert err == (
        "Line 15, column Feb-2024: x is not a whole number.\n"
        "Line 16, column Mar-2024: The cell is empty. COUNTER writes 0 for a month without "
        "usage, and the row's Reporting_Period_Total does not show that it is 0.\n"
    )
    assert not UsageImport.objects.exists()
    assert not UsageRecord.objects.exists()


def test_a_platform_without_a_resource_is_refused(resources):
    _message, err = fails(SAMPLES / "r5/ebsco_DR.json", "--holder", 461)
    assert err == (
        "No resource has the COUNTER platform \u201cEBSCOhost\u201d. Set it on the resource, or "
        "choose the resource when importing.\n"
    )
    assert not UsageRecord.objects.exists()


def test_an_unknown_holder_resource_or_file_is_refused(resources, tmp_path):
    assert fails(SAMPLES / "r5/ebsco_DR.json", "--holder", 999) == (
        "No municipality has the code 999.",
        "",
    )
    assert fails(SAMPLES / "r5/ebsco_DR.json", "--holder", 461, "--resource", "Nope") == (
        "No digital resource is called Nope.",
        "",
    )
    assert fails(tmp_path / "missing.csv", "--holder", 461) == (
        f"Cannot read {tmp_path / 'missing.csv'}: No such file or directory",
        "",
    )
    assert fails(SAMPLES / "r5/ebsco_DR.json") == (
        "Give the holder's municipality code with --holder, e.g. --holder 461 for Odense.",
        "",
    )
