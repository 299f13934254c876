"""A library leader imports a staff list in Chromium and corrects what the page points out."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from digikompas.orgs.importing import allowed_job_roles
from digikompas.orgs.models import Person
from digikompas.testing import assert_accessible, log_in


def da(msgid, **values):
    with translation.override("da"):
        text = gettext(msgid)
    return text % values if values else text


STAFF_LIST = (
    b"navn;e-mail;bibliotek;stilling\r\n"
    b"Ane Ahl;ane@odense.example;746100-01;Bibliotekar\r\n"
    b"Bo Bang;bo@odense.example;746100-01;Astronaut\r\n"
)


@pytest.mark.browser
def test_a_library_leader_sees_which_row_and_field_to_fix(page, library_leader, odense_main):
    log_in(page, library_leader.user.email)
    page.wait_for_url("**/")
    page.goto("/orgs/people/import/")
    assert page.locator("h1").inner_text() == da("Import a staff list")
    assert_accessible(page)

    page.set_input_files(
        "input[type=file]",
        files=[{"name": "personale.csv", "mimeType": "text/csv", "buffer": STAFF_LIST}],
    )
    page.get_by_role("button", name=da("Import staff list"), exact=True).click()

    alert = page.get_by_role("alert")
    assert da("Nothing was imported. Correct the file and upload it again.") in alert.inner_text()
    cells = page.locator("#import-errors tbody tr").first.locator("td").all_inner_texts()
    with translation.override("da"):
        allowed = allowed_job_roles()
    problem = da(
        "Unknown job role “%(value)s”. Use one of: %(allowed)s.", value="Astronaut", allowed=allowed
    )
    assert cells == ["3", "stilling", problem]
    assert_accessible(page)
    assert not Person.objects.filter(email="ane@odense.example").exists()
