"""manage.py import_responses ROUND FILE [--mapping MAPPING.json].

Commands speak settings.LANGUAGE_CODE (Danish); expected texts are looked up in the Danish
catalogue, so the assertions hold before and after the Danish translation exists.
"""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext

from digikompas.surveys.models import Invitation, Response


@pytest.fixture(autouse=True)
def default_language(settings):
    # What `manage.py` runs in. A page test's request leaves its language active in the thread.
    with translation.override(settings.LANGUAGE_CODE):
        yield


def da(msgid, **values):
    with translation.override("da"):
        text = gettext(msgid)
    return text % values if values else text


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig" if name.endswith(".csv") else "utf-8")
    return str(path)


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_responses", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


GOOD = (
    "svar-id;e-mail;Søgning i eReolen;Vejledning;time-1;frequency;note\n"
    "r1;alice@odense.example;2;1;4;weekly;x\n"
    "r2;;1;0;2;never;\n"
)


def test_it_maps_columns_by_their_headers_and_prints_the_counts(
    tmp_path, round, staff, odense_main
):
    out, err = run(str(round.pk), write(tmp_path, "answers.csv", GOOD))

    assert out.splitlines() == [
        da("Ignored columns: %(columns)s", columns="note"),
        da(
            "%(created)s created, %(unchanged)s unchanged (imported before).",
            created=2,
            unchanged=0,
        ),
        da("%(library)s: %(count)s new", library="746100-01 Odense Hovedbibliotek", count=1),
        da("%(library)s: %(count)s new", library=da("No library"), count=1),
    ]
    assert err == ""
    assert Response.objects.get(import_key="r1").person == staff
    assert Invitation.objects.get(person=staff).responded_at is not None


def test_a_second_run_creates_nothing(tmp_path, round, staff):
    path = write(tmp_path, "answers.csv", GOOD)
    run(str(round.pk), path)

    out, _err = run(str(round.pk), path)

    assert (
        da(
            "%(created)s created, %(unchanged)s unchanged (imported before).",
            created=0,
            unchanged=2,
        )
        in out.splitlines()
    )
    assert Response.objects.count() == 2


def test_a_mapping_file_says_what_the_columns_hold(tmp_path, round, staff):
    path = write(
        tmp_path,
        "answers.csv",
        "Q1,Q2,Q3,Q4,Who,note\n2,1,4,weekly,alice@odense.example,x\n",
    )
    mapping = write(
        tmp_path,
        "mapping.json",
        json.dumps(
            {
                "Q1": "s-1",
                "Q2": "s-2",
                "Q3": "time-1",
                "Q4": "frequency",
                "Who": "email",
                "note": None,
            }
        ),
    )

    out, err = run(str(round.pk), path, "--mapping", mapping)

    assert err == ""
    response = Response.objects.get()
    assert response.person == staff
    assert {a.item.code: a.number or a.text for a in response.answers.select_related("item")} == {
        "s-1": 2,
        "s-2": 1,
        "time-1": 4,
        "frequency": "weekly",
    }
    assert da("Ignored columns: %(columns)s", columns="note") in out.splitlines()


def test_it_prints_each_problem_and_fails_without_importing(tmp_path, round, staff):
    path = write(
        tmp_path,
        "answers.csv",
        "svar-id;e-mail;s-1;s-2;time-1;frequency\n"
        "r1;alice@odense.example;2;1;4;weekly\n"
        "r2;;1;0;;weekly\n"
        "r3;;7;0;2;weekly\n",
    )
    err = StringIO()

    with pytest.raises(CommandError) as info:
        call_command("import_responses", str(round.pk), path, stdout=StringIO(), stderr=err)

    assert str(info.value) == da("Nothing was imported.")
    row = "Row %(row)s, %(field)s: %(reason)s"
    assert err.getvalue().splitlines() == [
        da(row, row=3, field="time-1", reason=da("This question is required.")),
        da(
            row,
            row=4,
            field="s-1",
            reason=da(
                "%(value)s is not on the scale (%(first)s–%(last)s).", value=7, first=0, last=2
            ),
        ),
    ]
    assert not Response.objects.exists()
    assert not Invitation.objects.exists()


def test_it_prints_a_problem_with_the_mapping(tmp_path, round):
    path = write(tmp_path, "answers.csv", GOOD)
    mapping = write(tmp_path, "mapping.json", json.dumps({"missing": "s-1"}))
    err = StringIO()

    with pytest.raises(CommandError, match=da("Nothing was imported.")):
        call_command("import_responses", str(round.pk), path, "--mapping", mapping, stderr=err)

    assert err.getvalue().strip() == da(
        "The mapping names the column “%(header)s”, which is not in the file.", header="missing"
    )


def test_it_refuses_a_mapping_file_that_is_not_json(tmp_path, round):
    path = write(tmp_path, "answers.csv", GOOD)
    mapping = write(tmp_path, "mapping.json", "{s-1: 'x'}")

    with pytest.raises(CommandError) as info:
        run(str(round.pk), path, "--mapping", mapping)

    assert str(info.value).startswith(
        da("The mapping file %(file)s is not valid JSON: %(error)s", file=mapping, error="")
    )


def test_it_refuses_an_unknown_round(tmp_path, round):
    path = write(tmp_path, "answers.csv", GOOD)

    with pytest.raises(CommandError) as info:
        run(str(round.pk + 1), path)

    assert str(info.value) == da("There is no round with the id %(id)s.", id=round.pk + 1)


def test_it_refuses_a_file_it_cannot_open(tmp_path, round):
    with pytest.raises(CommandError):
        run(str(round.pk), str(tmp_path / "missing.csv"))
