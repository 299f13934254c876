"""In Chromium, on the demo (in a dozen municipalities): the analyst opens the coverage of the
demo's competence round and downloads it as Excel; the demo staff member sees the offers
recommended for her own gaps. Both pages pass axe-core."""

import io
from pathlib import Path

import openpyxl
import pytest

from digikompas.offers import demo as offers_demo
from digikompas.orgs import demo as orgs_demo
from digikompas.surveys.defaults import COMPETENCE_SURVEY_KEY
from digikompas.surveys.tests.test_demo import people, rounds  # noqa: F401 (fixtures)
from digikompas.testing import assert_accessible, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(rounds):  # noqa: F811
    offers_demo.load()
    return rounds


def test_the_analyst_downloads_the_coverage_and_staff_see_recommendations(page, demo):
    round = demo[COMPETENCE_SURVEY_KEY]
    log_in(
        page,
        orgs_demo.ANALYST_LOGIN.email,
        orgs_demo.DEMO_PASSWORD,
        totp_secret=orgs_demo.ANALYST_TOTP_SECRET,
    )

    page.goto("/offers/coverage/")
    page.locator(f'a[href="/offers/coverage/{round.pk}/"]').click()
    page.wait_for_url(f"**/offers/coverage/{round.pk}/")
    assert_accessible(page)
    rows = page.locator(".coverage-table tbody tr")
    assert rows.count() > 0
    # Every gap has a status in words; some are covered by the shipped catalogue.
    assert page.locator(".coverage-table tr.coverage-covered").count() > 0
    with page.expect_download() as download:
        page.locator(f'a[href="/offers/coverage/{round.pk}/export/xlsx/"]').click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    gaps = workbook.worksheets[0]
    assert gaps.max_row - 1 == rows.count()

    page.context.clear_cookies()
    log_in(page, orgs_demo.STAFF_LOGIN.email, orgs_demo.DEMO_PASSWORD)
    page.wait_for_url(lambda url: url.endswith("/") and "/accounts/" not in url)
    page.locator('a[href="/offers/recommendations/"]').first.click()
    page.wait_for_url("**/offers/recommendations/")
    assert_accessible(page)
    own = page.locator('section[aria-labelledby="own-heading"]')
    assert own.locator("table tbody tr").count() > 0  # her gaps
    first = own.locator("article.recommendation").first
    assert first.locator("ul li").count() > 0  # the reasons
    first.locator("h3 a").click()
    page.wait_for_url("**/offers/*/")
    assert_accessible(page)
