"""`manage.py pilot_effect PROGRAMME --format json|xlsx [--output FILE]`: the same effect as the
page's downloads, found by the programme's key or id."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from digikompas.pilot import effect_export
from digikompas.pilot.effect import programme_effect

from .test_effect import make_measured


@pytest.fixture
def measured(programme, module, session, odense_main):
    return make_measured(programme, module, session, odense_main)


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("pilot_effect", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def without_time(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "generated_at"}


def test_it_writes_the_json_to_the_terminal(programme, measured):
    out, err = run("pilot-2027")
    data = json.loads(out)
    assert without_time(data) == without_time(effect_export.as_json(programme_effect(programme)))
    assert data["programme"]["key"] == "pilot-2027"
    assert err == ""


def test_the_programme_can_be_named_by_its_id(programme, measured):
    out, _err = run(str(programme.pk), "--format", "json")
    assert json.loads(out)["programme"]["id"] == programme.pk


def test_it_writes_json_to_a_file(programme, measured, tmp_path):
    target = tmp_path / "effect.json"
    out, _err = run("pilot-2027", "--output", str(target))
    assert out == f"Wrote {target}.\n"
    assert json.loads(target.read_text())["schema"] == "digikompas.pilot-effect/1"


def test_it_writes_the_workbook_to_a_file(programme, measured, tmp_path):
    target = tmp_path / "effect.xlsx"
    out, _err = run("pilot-2027", "--format", "xlsx", "--output", str(target))
    assert out == f"Wrote {target}.\n"
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["Effect", "Method"]
    assert workbook["Effect"].max_row == 1 + 3 * 3


def test_a_workbook_needs_a_file(programme):
    with pytest.raises(CommandError) as error:
        run("pilot-2027", "--format", "xlsx")
    assert str(error.value) == (
        "An Excel workbook cannot be written to the terminal: name a file with --output."
    )


def test_an_unknown_programme_is_named(programme):
    with pytest.raises(CommandError) as error:
        run("pilot-2099")
    assert str(error.value) == "No programme has the key or id “pilot-2099”."
    with pytest.raises(CommandError) as error:
        run(str(programme.pk + 1000))
    assert str(error.value) == f"No programme has the key or id “{programme.pk + 1000}”."


def test_an_unwritable_file_is_refused(programme, tmp_path):
    target = tmp_path / "missing" / "effect.json"
    with pytest.raises(CommandError) as error:
        run("pilot-2027", "--output", str(target))
    assert str(error.value) == f"Cannot write {target}: No such file or directory"


def test_what_is_missing_goes_to_standard_error(programme):
    out, err = run("pilot-2027")
    assert json.loads(out)["competencies"] == []
    assert err.splitlines() == [
        "No round before the programme is linked to it.",
        "No round after the programme is linked to it.",
        "Link a confidential competence round before and one after the programme to measure "
        "its effect.",
    ]
