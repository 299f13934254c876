"""The import of responses in the browser: upload → check the columns → import.

Pages are read in English (the language cookie), so the expected texts are the English source
strings whether or not the Danish catalogue has them yet.
"""

import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import Workbook

from digikompas.orgs.models import Role
from digikompas.surveys import services
from digikompas.surveys.models import Response
from digikompas.testing import enable_totp, make_person
from digikompas.testing import log_in_client as log_in

CONTENT = (
    "\ufeffsvar-id;e-mail;Søgning i eReolen;s-2;time-1;frequency;Q1\r\n"
    "r1;alice@odense.example;2;1;4;weekly;x\r\n"
    "r2;;1;0;Enig;Aldrig;y\r\n"
).encode()
COLUMNS = {
    "column_0": "respondent",
    "column_1": "email",
    "column_2": "item:s-1",
    "column_3": "item:s-2",
    "column_4": "item:time-1",
    "column_5": "item:frequency",
    "column_6": "",
}


def url(round) -> str:
    return reverse("surveys:import_responses", args=[round.pk])


@pytest.fixture
def as_analyst(client, analyst):
    log_in(client, analyst.user)
    return client


def upload(client, round, content=CONTENT, name="answers.csv"):
    return client.post(url(round), {"file": SimpleUploadedFile(name, content)})


def upload_id(response) -> str:
    return re.search(r'name="upload" value="([^"]+)"', response.text).group(1)


def confirm(client, round, preview, **columns):
    return client.post(url(round), {"upload": upload_id(preview), **COLUMNS, **columns})


def assert_shows(response, text):
    assert escape(text) in response.text


# -- who may import -----------------------------------------------------------------------------


def test_it_sends_visitors_to_log_in(client, round):
    for response in (client.get(url(round)), upload(client, round)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "member",
    ["staff", "library_leader", "municipal_leader", "coordinator", "administrator", "outsider"],
)
def test_it_is_for_analysts_only(client, request, round, member):
    person = request.getfixturevalue(member)
    log_in(client, getattr(person, "user", person))

    assert client.get(url(round)).status_code == 403
    assert upload(client, round).status_code == 403
    assert not Response.objects.exists()


def test_an_unknown_round_is_not_found(as_analyst, round):
    assert as_analyst.get(reverse("surveys:import_responses", args=[round.pk + 1])).status_code == (
        404
    )


# -- step 1: the upload -------------------------------------------------------------------------


def test_the_upload_page_explains_the_file(as_analyst, round):
    response = as_analyst.get(url(round))

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text
    assert_shows(response, "What the file must contain")
    assert_shows(response, "respondent, respondent id")
    assert '<th scope="row">s-1</th><td>Searching eReolen (required)</td>' in response.text
    assert_shows(response, "A level of the scale: 0 (None), 1 (Beginner), 2 (Practitioner).")
    assert_shows(response, "One of: never (Never), monthly (Monthly), weekly (Weekly).")


def test_a_file_of_another_kind_is_refused_at_the_field(as_analyst, round):
    response = upload(as_analyst, round, b"%PDF-1.7", "answers.pdf")

    assert response.status_code == 400
    message = "Upload the responses as a CSV file (.csv) or an Excel file (.xlsx)."
    assert f'<span class="form-error-message" id="id_file_error">{escape(message)}</span>' in (
        response.text
    )


def test_an_unreadable_file_is_refused_with_the_reason(as_analyst, round):
    response = upload(as_analyst, round, b"not a zip", "answers.xlsx")

    assert response.status_code == 400
    assert_shows(response, "The file could not be read as an Excel workbook (.xlsx).")
    assert 'name="file"' in response.text


def test_a_round_that_has_not_opened_cannot_take_imports(as_analyst, survey):
    opens = timezone.now() + datetime.timedelta(days=3)
    future = services.create_round(
        survey=survey,
        title="Forår 2027",
        opens_at=opens,
        closes_at=opens + datetime.timedelta(days=14),
    )

    page = as_analyst.get(url(future))
    posted = upload(as_analyst, future)

    assert page.status_code == 200
    assert "Responses can be imported into it once it has opened." in page.text
    assert 'name="file"' not in page.text
    assert posted.status_code == 400
    assert not Response.objects.exists()


# -- step 2: the preview ------------------------------------------------------------------------


def test_the_preview_shows_each_column_with_its_automatic_mapping_and_first_rows(as_analyst, round):
    response = upload(as_analyst, round)

    assert response.status_code == 200
    assert_shows(response, "answers.csv has 2 responses for the round Forår 2026.")
    selected = dict(
        re.findall(
            r'<select name="(column_\d+)".*?<option value="([^"]*)" selected>',
            response.text,
            re.S,
        )
    )
    assert selected == COLUMNS
    assert '<label class="form-label" for="id_column_2">Søgning i eReolen</label>' in response.text
    assert '<th scope="col">Row 2</th><th scope="col">Row 3</th>' in response.text
    assert "<td>alice@odense.example</td>" in response.text
    assert not Response.objects.exists()


def test_the_preview_shows_no_more_than_five_rows(as_analyst, round):
    rows = "".join(f"r{n};;1;1;1;weekly;\r\n" for n in range(8))
    content = ("svar-id;e-mail;s-1;s-2;time-1;frequency;Q1\r\n" + rows).encode()

    response = upload(as_analyst, round, content)

    assert "Row 6</th>" in response.text
    assert "Row 7</th>" not in response.text


# -- step 3: the import -------------------------------------------------------------------------


def test_upload_preview_and_confirm_import_the_file(as_analyst, round, staff, odense_main):
    preview = upload(as_analyst, round)

    response = confirm(as_analyst, round, preview)

    assert response.status_code == 200
    assert_shows(response, "answers.csv was imported.")
    assert_shows(response, "2 created, 0 unchanged (imported before).")
    assert '<th scope="row">746100-01 Odense Hovedbibliotek</th><td>Odense</td>' in response.text
    assert '<th scope="row">No library</th>' in response.text
    assert Response.objects.count() == 2
    assert Response.objects.get(import_key="r1").person == staff
    assert Response.objects.get(import_key="r2").answers.get(item__code="time-1").number == 4


def test_the_analyst_can_change_what_a_column_holds(as_analyst, round, staff):
    preview = upload(as_analyst, round)

    # Q1 mapped to the free-text comment instead of ignored.
    confirm(as_analyst, round, preview, column_6="item:comment")

    response = Response.objects.get(import_key="r1")
    assert response.answers.get(item__code="comment").text == "x"


def test_importing_the_same_file_again_creates_nothing(as_analyst, round, staff):
    confirm(as_analyst, round, upload(as_analyst, round))

    response = confirm(as_analyst, round, upload(as_analyst, round))

    assert_shows(response, "0 created, 2 unchanged (imported before).")
    assert Response.objects.count() == 2


def test_problems_are_listed_and_nothing_is_imported(as_analyst, round, staff):
    content = (
        b"svar-id;e-mail;s-1;s-2;time-1;frequency;hours\r\n"
        b"r1;alice@odense.example;2;1;4;weekly;200\r\n"
        b"r2;;1;0;4;weekly;2\r\n"
    )
    preview = upload(as_analyst, round, content)

    response = confirm(as_analyst, round, preview, column_6="item:hours")

    assert response.status_code == 400
    assert_shows(response, "Nothing was imported.")
    assert_shows(
        response,
        "The file has 1 problem, shown in the table below. Correct the file and upload it again.",
    )
    assert "<td>2</td><td>hours</td><td>The largest answer is 100.</td>" in response.text
    assert not Response.objects.exists()
    # The file is still kept: ignoring the optional column imports the rest.
    again = confirm(as_analyst, round, preview, column_6="")
    assert again.status_code == 200
    assert Response.objects.count() == 2


def test_a_mapping_with_a_question_twice_is_refused(as_analyst, round, staff):
    preview = upload(as_analyst, round)

    response = confirm(as_analyst, round, preview, column_6="item:s-1")

    assert response.status_code == 400
    assert_shows(response, "Two columns are mapped to s-1: “Søgning i eReolen” and “Q1”.")
    assert not Response.objects.exists()


def test_an_excel_workbook_goes_through_the_same_steps(as_analyst, round, staff):
    workbook = Workbook()
    workbook.active.append(["Svar-ID", "E-mail", "s-1", "s-2", "time-1", "frequency", "Q1"])
    workbook.active.append([1, "alice@odense.example", 2, 1, 4, "Hver uge", None])
    out = io.BytesIO()
    workbook.save(out)
    preview = upload(as_analyst, round, out.getvalue(), "answers.xlsx")

    response = confirm(as_analyst, round, preview, column_2="item:s-1")

    assert response.status_code == 200
    assert Response.objects.get().answers.get(item__code="frequency").text == "weekly"


def test_the_kept_file_is_gone_after_the_import(as_analyst, round, staff):
    preview = upload(as_analyst, round)
    confirm(as_analyst, round, preview)

    response = confirm(as_analyst, round, preview)

    assert response.status_code == 400
    assert_shows(
        response,
        "The uploaded file is no longer kept (files are kept for an hour). Upload it again.",
    )
    assert Response.objects.count() == 2


def test_an_expired_upload_asks_for_the_file_again(as_analyst, round, staff):
    preview = upload(as_analyst, round)
    cache.clear()

    response = confirm(as_analyst, round, preview)

    assert response.status_code == 400
    assert_shows(
        response,
        "The uploaded file is no longer kept (files are kept for an hour). Upload it again.",
    )
    assert 'name="file"' in response.text
    assert not Response.objects.exists()


def test_another_analyst_cannot_import_someone_elses_upload(as_analyst, round, staff):
    preview = upload(as_analyst, round)
    other = make_person(
        "Karen Kjær", "karen@kl.example", grants=[(Role.ANALYST, None)], job_role="other"
    )
    enable_totp(other.user)
    other_client = Client()
    log_in(other_client, other.user)

    response = confirm(other_client, round, preview)

    assert response.status_code == 400
    assert not Response.objects.exists()


def test_an_upload_belongs_to_its_round(as_analyst, round, survey, odense):
    other_round = services.create_round(
        survey=survey,
        title="Anden runde",
        opens_at=round.opens_at,
        closes_at=round.closes_at,
        municipalities=[odense],
    )
    preview = upload(as_analyst, round)

    response = confirm(as_analyst, other_round, preview)

    assert response.status_code == 400
    assert not Response.objects.exists()


def test_a_target_that_is_not_offered_is_refused_at_its_column(as_analyst, round, staff):
    preview = upload(as_analyst, round)

    response = confirm(as_analyst, round, preview, column_6="item:nope")

    assert response.status_code == 400
    assert '<span class="form-error-message" id="id_column_6_error">' in response.text
    assert not Response.objects.exists()
