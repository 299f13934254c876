"""services.load_default_offers and manage.py load_default_offers."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from digikompas.offers import services
from digikompas.offers.models import EducationOffer, OfferCompetency, Provider


def shipped():
    with open(services.DEFAULT_OFFERS_FILE, encoding="utf-8") as file:
        return json.load(file)


def test_it_loads_every_offer_with_every_competency(default_framework):
    result = services.load_default_offers()
    data = shipped()
    assert (result.created, result.updated, result.unchanged) == (len(data["offers"]), 0, 0)
    assert 15 <= EducationOffer.objects.count() == len(data["offers"])
    assert Provider.objects.count() == len(data["providers"])
    links = OfferCompetency.objects.select_related("competency", "offer")
    assert {(link.offer.title_da, link.competency.code, link.level_reached) for link in links} == {
        (offer["title_da"], code, level)
        for offer in data["offers"]
        for code, level in offer["competencies"].items()
    }
    assert {link.competency.framework_id for link in links} == {default_framework.pk}


def test_every_offer_covers_a_competency_and_assumed_details_are_marked(default_framework):
    services.load_default_offers()
    assert not EducationOffer.objects.filter(competencies__isnull=True).exists()
    # A price or a start date in the catalogue is our assumption, not a published fact.
    for offer in EducationOffer.objects.exclude(is_example=True):
        assert offer.price_dkk is None, offer.title_da
        assert offer.start_dates == [], offer.title_da


def test_a_second_run_changes_nothing(default_framework):
    services.load_default_offers()
    before = list(EducationOffer.objects.values())
    links = list(OfferCompetency.objects.values())
    result = services.load_default_offers()
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(before))
    assert list(EducationOffer.objects.values()) == before
    assert list(OfferCompetency.objects.values()) == links


def test_it_needs_the_published_default_framework(db):
    with pytest.raises(services.DefaultFrameworkMissing):
        services.load_default_offers()
    assert not Provider.objects.exists()


def test_the_command_reports_what_it_did(default_framework):
    out = StringIO()
    call_command("load_default_offers", stdout=out)
    assert out.getvalue().strip() == "20 created, 0 updated, 0 unchanged."
    out = StringIO()
    call_command("load_default_offers", stdout=out)
    assert out.getvalue().strip() == "0 created, 0 updated, 20 unchanged."


def test_the_command_fails_clearly_without_the_default_framework(db):
    with pytest.raises(CommandError) as error:
        call_command("load_default_offers", stdout=StringIO())
    assert str(error.value) == (
        "The default competence framework is not published, so offers cannot be linked to its "
        "competencies. Run “manage.py load_default_framework” first."
    )
