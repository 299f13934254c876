"""In Chromium: a staff member opens "My data" from the header and downloads her data; the
analyst finds the download in the audit log. Both pages pass axe-core."""

import json
from pathlib import Path

import pytest
from django.utils import translation

from digikompas.testing import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_the_person_downloads_her_data_and_the_analyst_sees_it_in_the_log(page, staff, analyst):
    log_in(page, staff.user.email)
    page.wait_for_url(lambda url: "/accounts/" not in url)

    page.locator("a.site-user-data").click()
    page.wait_for_url("**/privacy/my-data/")
    with translation.override("da"):
        assert page.locator("h1").inner_text() == translation.gettext("My data")
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator('a[href="/privacy/my-data/download/"]').click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["person"]["name"] == "Alice Andersen"
    assert data["account"]["two_factor"]["enabled"] is False

    page.context.clear_cookies()
    log_in(page, analyst.user.email, totp_secret=analyst.totp_secret)
    page.goto("/privacy/audit/")
    assert_accessible(page)
    row = page.locator("tbody tr").first
    assert "alice@odense.example" in row.inner_text()
    page.fill("input[name=who]", "bent")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**/privacy/audit/?who=bent*")
    assert page.locator("tbody tr").count() == 0
    assert_accessible(page)
