"""The staff-list import page and its template download.

The page speaks Danish; expected texts are looked up in the Danish catalogue (`da`), so the
assertions hold before and after the Danish translation exists.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext
from openpyxl import Workbook

from digikompas.orgs.models import JobRole, Person

URL = reverse("orgs:import_people")
TEMPLATE_URL = reverse("orgs:import_template")


def da(msgid, **values):
    with translation.override("da"):
        text = gettext(msgid)
    return text % values if values else text


def upload(content: bytes, name="staff.csv"):
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv")}


def assert_shows(response, text):
    assert escape(text) in response.text


GOOD = (
    b"navn;e-mail;bibliotek;stilling\r\n"
    b"Ane Ahl;ane@odense.example;746100-01;Bibliotekar\r\n"
    b"Alice Andersen;alice@odense.example;746100-01;Digital vejleder\r\n"
)
BAD = (
    b"navn;e-mail;bibliotek;stilling\r\n"
    b"Ane Ahl;ane@odense.example;746100-01;Bibliotekar\r\n"
    b"Bo Bang;bo@odense;746100-01;Bibliotekar\r\n"
)


def test_it_sends_visitors_to_log_in(client, reference_data):
    for response in (client.get(URL), client.post(URL, upload(GOOD)), client.get(TEMPLATE_URL)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("member", ["staff", "analyst"])
def test_it_refuses_people_who_manage_no_one(client, request, member, odense_main):
    client.force_login(request.getfixturevalue(member).user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, upload(GOOD)).status_code == 403
    assert client.get(TEMPLATE_URL).status_code == 403
    assert not Person.objects.filter(email="ane@odense.example").exists()


def test_it_explains_the_columns_to_a_leader(client, library_leader):
    client.force_login(library_leader.user)
    response = client.get(URL)
    assert response.status_code == 200
    assert_shows(response, da("What the file must contain"))
    assert "746100-01 – Odense Hovedbibliotek" in response.text
    with translation.override("da"):
        assert_shows(response, str(JobRole.LIBRARY_ASSISTANT.label))
    assert f'href="{TEMPLATE_URL}"' in response.text
    assert 'enctype="multipart/form-data"' in response.text


def test_it_shows_every_problem_and_imports_nothing(client, library_leader, staff):
    client.force_login(library_leader.user)
    response = client.post(URL, upload(BAD))
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert_shows(response, da("Nothing was imported. Correct the file and upload it again."))
    with translation.override("da"):
        summary = ngettext(
            "The file has %(counter)s problem, shown in the table below.",
            "The file has %(counter)s problems, shown in the table below.",
            1,
        ) % {"counter": 1}
    assert_shows(response, summary)
    for heading in ("Row", "Field", "Problem"):
        assert f'<th scope="col">{escape(da(heading))}</th>' in response.text
    problem = da("“%(email)s” is not a valid e-mail address.", email="bo@odense")
    assert f"<td>3</td><td>e-mail</td><td>{escape(problem)}</td>" in response.text
    assert not Person.objects.filter(email="ane@odense.example").exists()


def test_it_imports_a_good_file_and_shows_the_counts(client, library_leader, staff):
    client.force_login(library_leader.user)
    response = client.post(URL, upload(GOOD))
    assert response.status_code == 200
    assert_shows(response, da("The staff list was imported."))
    assert_shows(
        response,
        da(
            "%(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
            created=1,
            updated=1,
            unchanged=0,
        ),
    )
    library_url = reverse("orgs:library_people", args=[library_leader.library_id])
    assert f'<a href="{library_url}">Odense Hovedbibliotek</a>' in response.text
    assert Person.objects.get(email="ane@odense.example").job_role == JobRole.LIBRARIAN
    assert Person.objects.get(pk=staff.pk).job_role == JobRole.DIGITAL_GUIDE


def test_it_imports_an_excel_workbook(client, library_leader):
    workbook = Workbook()
    workbook.active.append(["Navn", "E-mail", "Bibliotek", "Stilling"])
    workbook.active.append(["Ane Ahl", "ane@odense.example", "746100-01", "Biblioteksleder"])
    out = io.BytesIO()
    workbook.save(out)
    client.force_login(library_leader.user)
    response = client.post(URL, upload(out.getvalue(), "staff.xlsx"))
    assert response.status_code == 200
    assert Person.objects.get(email="ane@odense.example").job_role == JobRole.LIBRARY_LEADER


def test_it_refuses_another_kind_of_file_at_the_field(client, library_leader):
    client.force_login(library_leader.user)
    response = client.post(URL, upload(b"%PDF-1.7", "staff.pdf"))
    assert response.status_code == 400
    message = da("Upload the staff list as a CSV file (.csv) or an Excel file (.xlsx).")
    assert f'<span class="form-error-message" id="id_file_error">{escape(message)}</span>' in (
        response.text
    )
    assert 'aria-invalid="true"' in response.text


def test_it_refuses_a_file_over_the_limit(client, library_leader, settings):
    settings.IMPORT_MAX_BYTES = 50
    client.force_login(library_leader.user)
    response = client.post(URL, upload(GOOD))
    assert response.status_code == 400
    assert "form-error-message" in response.text
    assert not Person.objects.filter(email="ane@odense.example").exists()


def test_it_asks_for_a_file(client, library_leader):
    client.force_login(library_leader.user)
    response = client.post(URL, {})
    assert response.status_code == 400
    assert_shows(response, da("This field is required."))


def test_the_template_downloads_with_a_header_and_an_example(client, library_leader):
    client.force_login(library_leader.user)
    response = client.get(TEMPLATE_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text[1:].splitlines()
    assert lines[0] == "navn;e-mail;bibliotek;stilling"
    assert lines[1].startswith("Anne Jensen;anne.jensen@example.dk;746100-01;")
    assert len(lines) == 2


def test_the_template_is_in_english_for_english_users(client, library_leader):
    client.force_login(library_leader.user)
    response = client.get(TEMPLATE_URL, headers={"accept-language": "en"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "name,email,library,job_role",
        "Anne Jensen,anne.jensen@example.dk,746100-01,Librarian",
    ]


def test_the_template_imports_as_it_is(client, library_leader):
    client.force_login(library_leader.user)
    template = client.get(TEMPLATE_URL).content
    response = client.post(URL, upload(template))
    assert response.status_code == 200
    assert Person.objects.get(email="anne.jensen@example.dk").library == library_leader.library
