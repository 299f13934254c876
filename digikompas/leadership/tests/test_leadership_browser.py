"""In Chromium, the leader's way through the toolkit: Odense's municipal leader imports a real
COUNTER 5.1 report, ranks the municipality's resources with the figures just imported, and
opens the annual plan of dissemination. Every page passes axe-core."""

from pathlib import Path

import pytest
from django.utils import timezone

from digikompas.leadership.models import (
    Campaign,
    DigitalResource,
    Licence,
    PricingModel,
    ResourceType,
    UsageRecord,
)
from digikompas.testing import assert_accessible, log_in

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parent / "samples" / "counter" / "r51" / "PR_sample_r51.tsv"


def test_a_leader_imports_usage_ranks_resources_and_reads_the_annual_plan(
    page, municipal_leader, odense_main
):
    odense = odense_main.municipality
    odense.population = 207_000
    odense.save()
    today = timezone.localdate()
    platform = DigitalResource.objects.create(
        name="Fagdatabasen", type=ResourceType.REFERENCE, counter_platform="Platform 1"
    )
    films = DigitalResource.objects.create(name="Filmstriben", type=ResourceType.FILM)
    for resource, fee in ((platform, "250000.00"), (films, "90000.00")):
        Licence.objects.create(
            resource=resource,
            municipality=odense,
            starts_on=today.replace(month=1, day=1),
            ends_on=today.replace(month=12, day=31),
            pricing_model=PricingModel.FIXED,
            fixed_fee=fee,
        )
    Campaign.objects.create(
        municipality=odense,
        library=odense_main,
        title="Film i vinterferien",
        resource=films,
        starts_on=today.replace(month=2, day=1),
        ends_on=today.replace(month=2, day=28),
    )

    log_in(page, municipal_leader.user.email)
    page.wait_for_url(lambda url: "/accounts/" not in url)

    # The import: a real COUNTER 5.1 platform report, matched to the resource by its platform.
    page.goto(f"/leadership/usage/{odense.code}/import/")
    assert_accessible(page)
    page.set_input_files("input[name=file]", str(SAMPLE))
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator(".alert-success").count() >= 1
    assert_accessible(page)
    stored = UsageRecord.objects.filter(resource=platform, municipality=odense)
    requests = sum(r.count for r in stored.filter(metric="Total_Item_Requests"))
    assert requests == 512_553  # the total the samples' README states

    # The ranking uses what was imported.
    page.goto(f"/leadership/selection/{odense.code}/")
    assert_accessible(page)
    ranked = page.locator("main table tbody tr")
    assert ranked.count() >= 2
    names = [ranked.nth(i).locator("th").inner_text() for i in range(ranked.count())]
    assert any("Fagdatabasen" in name for name in names)
    assert any("Filmstriben" in name for name in names)

    # The annual plan shows the campaign in its month.
    page.goto(f"/leadership/plan/{odense.code}/?year={today.year}")
    assert_accessible(page)
    assert "Film i vinterferien" in page.locator("main").inner_text()
