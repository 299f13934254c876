"""An analyst edits the default framework in Chromium: new version, descriptor, publish, diff."""

import pytest

from digikompas.frameworks.models import Framework
from digikompas.testing import assert_accessible, log_in

pytestmark = pytest.mark.browser

NEW_DESCRIPTOR = "Formidler selv eReolen Go! til familier og lydbøger til seniorer i læsekredse."


def test_an_analyst_edits_a_draft_publishes_it_and_sees_what_changed(
    page, analyst, default_framework
):
    log_in(page, analyst.email, totp_secret=analyst.totp_secret)
    page.get_by_role("link", name="Kompetencerammer").first.click()
    assert page.locator("h1").inner_text() == "Kompetencerammer"
    assert_accessible(page)

    page.get_by_role("link", name=default_framework.title_da).click()
    assert page.locator("h1").inner_text() == default_framework.title_da
    page.get_by_text("Niveauer for D3.1").click()  # opens the descriptors of D3.1
    assert_accessible(page)

    page.get_by_role("button", name="Start en ny version ud fra denne").click()
    assert page.get_by_role("heading", name="Denne version er en kladde").is_visible()
    assert page.get_by_text("Kladden er komplet og kan udgives.").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Redigér D3.1").click()
    assert page.locator("h1").inner_text() == "Kompetence D3.1"
    assert_accessible(page)
    descriptor = page.get_by_label("Niveau 2 Øvet, på dansk")
    old_descriptor = descriptor.input_value()
    descriptor.fill(NEW_DESCRIPTOR)
    page.get_by_role("button", name="Gem").click()
    assert page.get_by_text("Kompetencen D3.1 blev gemt.").is_visible()

    page.get_by_role("button", name="Udgiv denne version").click()
    assert page.get_by_text("er udgivet.").is_visible()
    draft = Framework.objects.get(key=default_framework.key, version=2)
    assert draft.is_published
    assert draft.competencies.get(code="D3.1").descriptors.get(level=2).text_da == NEW_DESCRIPTOR
    assert_accessible(page)

    page.get_by_role("link", name="Hvad er ændret siden version 1").click()
    assert page.get_by_text("1 ændring.").is_visible()
    change = page.locator(".diff-table tr", has_text="beskrivelse, niveau 2 (dansk)")
    assert change.locator("td.diff-old").inner_text() == old_descriptor
    assert change.locator("td.diff-new").inner_text() == NEW_DESCRIPTOR
    assert_accessible(page)


def test_the_print_view_and_import_page_are_accessible(page, analyst, default_framework):
    log_in(page, analyst.email, totp_secret=analyst.totp_secret)
    page.goto(f"/frameworks/{default_framework.pk}/print/")
    assert page.locator("h1").inner_text() == default_framework.title_da
    assert_accessible(page)
    page.goto("/frameworks/import/")
    assert_accessible(page)
