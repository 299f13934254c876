"""manage.py import_people FILE --as EMAIL."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext

from digikompas.orgs.models import JobRole, Person


def da(msgid, **values):
    # Commands speak settings.LANGUAGE_CODE (Danish).
    with translation.override("da"):
        return gettext(msgid) % values


def staff_list(tmp_path, text, name="staff.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_people", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_as_the_given_user_and_prints_the_counts(tmp_path, library_leader, staff):
    path = staff_list(
        tmp_path,
        "name,email,library,job_role\n"
        "Ane Ahl,ane@odense.example,746100-01,librarian\n"
        "Alice Andersen,alice@odense.example,746100-01,librarian\n",
    )
    out, err = run(path, "--as", "BENT@odense.example")
    assert out.strip() == da(
        "%(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
        created=1,
        updated=0,
        unchanged=1,
    )
    assert err == ""
    assert Person.objects.get(email="ane@odense.example").job_role == JobRole.LIBRARIAN


def test_it_prints_each_problem_and_fails_without_importing(tmp_path, library_leader):
    path = staff_list(
        tmp_path,
        "navn;e-mail;bibliotek;stilling\n"
        "Ane Ahl;ane@odense.example;746100-01;Bibliotekar\n"
        ";bo@odense.example;746100-01;Bibliotekar\n",
    )
    err = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_people", path, "--as", "bent@odense.example", stderr=err)
    assert str(info.value) == da("Nothing was imported.")
    assert err.getvalue().strip() == da(
        "Row %(row)s, %(field)s: %(reason)s",
        row=3,
        field="navn",
        reason=da("The name is missing."),
    )
    assert not Person.objects.filter(email="ane@odense.example").exists()


def test_it_prints_a_problem_with_the_whole_file(tmp_path, library_leader):
    path = staff_list(tmp_path, "navn;e-mail\n", name="staff.csv")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_people", path, "--as", "bent@odense.example", stderr=err)
    assert err.getvalue().strip() == da(
        "The first row must name the columns. Missing: %(columns)s. "
        "Download the template to see the expected columns.",
        columns="library / bibliotek, job_role / stilling",
    )


def test_it_refuses_an_unknown_user(tmp_path, reference_data):
    path = staff_list(tmp_path, "name,email,library,job_role\n")
    with pytest.raises(CommandError) as info:
        run(path, "--as", "nobody@example.com")
    assert str(info.value) == da(
        "No active user has the e-mail address %(email)s.", email="nobody@example.com"
    )


def test_it_refuses_a_user_who_manages_no_one(tmp_path, staff):
    path = staff_list(tmp_path, "name,email,library,job_role\n")
    with pytest.raises(CommandError) as info:
        run(path, "--as", staff.user.email)
    assert str(info.value) == da("%(email)s may not import staff lists.", email=staff.user.email)


def test_it_refuses_a_file_it_cannot_open(tmp_path, library_leader):
    with pytest.raises(CommandError):
        run(str(tmp_path / "missing.csv"), "--as", "bent@odense.example")
