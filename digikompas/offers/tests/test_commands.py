"""manage.py import_offers FILE and export_offers FILE."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from digikompas.offers.models import EducationOffer

CATALOGUE = (
    "provider,title_da,kind,format,online,competencies\r\n"
    "Infomedia,Søgning i Infomedia,continuing,webinar,yes,D2.1:2\r\n"
)


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_and_prints_the_counts(tmp_path, default_framework):
    path = tmp_path / "offers.csv"
    path.write_text(CATALOGUE, encoding="utf-8")
    out, err = run("import_offers", str(path))
    assert (out.strip(), err) == ("1 created, 0 updated, 0 unchanged.", "")
    out, err = run("import_offers", str(path))
    assert out.strip() == "0 created, 0 updated, 1 unchanged."


def test_it_prints_each_problem_and_imports_nothing(tmp_path, default_framework):
    path = tmp_path / "offers.csv"
    path.write_text(CATALOGUE + "DB,Kursus,continuing,course,maybe,D1.1\r\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_offers", str(path), stdout=StringIO(), stderr=err)
    assert str(info.value) == "Nothing was imported."
    assert err.getvalue().splitlines() == [
        "Row 3, online: Write “yes” or “no”, not “maybe”.",
        "Row 3, competencies: “D1.1” is not written as code:level, for example D1.1:3.",
    ]
    assert not EducationOffer.objects.exists()


def test_it_says_when_the_file_cannot_be_read(tmp_path, db):
    with pytest.raises(CommandError) as info:
        run("import_offers", str(tmp_path / "missing.csv"))
    assert str(info.value).startswith("Cannot read ")


def test_export_writes_a_file_that_imports_back(tmp_path, default_framework):
    call_command("load_default_offers", stdout=StringIO())
    path = tmp_path / "offers.xlsx"
    out, _err = run("export_offers", str(path))
    assert out.strip() == f"Wrote {path}."
    out, _err = run("import_offers", str(path))
    assert out.strip() == "0 created, 0 updated, 20 unchanged."


def test_the_demo_loads_the_catalogue_once_and_lets_the_demo_provider_maintain_offers(
    default_framework,
):
    from digikompas.offers.demo import DEMO_PROVIDER
    from digikompas.offers.models import Provider
    from digikompas.orgs import demo as orgs_demo
    from digikompas.testing import make_person

    person = make_person("Udbyder", orgs_demo.PROVIDER_LOGIN.email)

    first, _ = run("load_offers_demo")
    again, _ = run("load_offers_demo")

    assert first.strip() == "20 created, 0 updated, 0 unchanged."
    assert again.strip() == "0 created, 0 updated, 20 unchanged."
    assert list(Provider.objects.filter(maintainers=person).values_list("name", flat=True)) == [
        DEMO_PROVIDER
    ]
