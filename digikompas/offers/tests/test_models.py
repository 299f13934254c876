"""The invariants of providers, offers and the competencies they cover."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from digikompas.frameworks.models import Competency
from digikompas.frameworks.services import new_version
from digikompas.offers.models import (
    EducationOffer,
    OfferCompetency,
    OfferFormat,
    OfferKind,
    Provider,
    ProviderKind,
)


@pytest.fixture
def provider(db):
    return Provider.objects.create(name="Danmarks Biblioteksforening", kind=ProviderKind.OTHER)


def make_offer(provider, **fields):
    values = {
        "title_da": "Formidling af eReolen",
        "kind": OfferKind.CONTINUING,
        "format": OfferFormat.WEBINAR,
        "online": True,
        **fields,
    }
    return EducationOffer(provider=provider, **values)


def messages(error: ValidationError) -> dict[str, list[str]]:
    return error.value.message_dict


def test_a_valid_offer_passes_and_sorts_its_start_dates(provider):
    offer = make_offer(
        provider, target_roles=["librarian"], start_dates=["2026-09-01", "2026-02-01"]
    )
    offer.full_clean()
    assert offer.start_dates == ["2026-02-01", "2026-09-01"]


def test_it_refuses_an_unknown_job_role(provider):
    with pytest.raises(ValidationError) as error:
        make_offer(provider, target_roles=["librarian", "wizard"]).full_clean()
    assert messages(error) == {"target_roles": ["“wizard” is not a job role."]}


def test_it_refuses_a_start_date_that_is_not_iso(provider):
    with pytest.raises(ValidationError) as error:
        make_offer(provider, start_dates=["01-09-2026"]).full_clean()
    assert messages(error) == {"start_dates": ["“01-09-2026” is not a date written as YYYY-MM-DD."]}


def test_it_refuses_an_offer_without_place_that_is_not_online(provider):
    with pytest.raises(ValidationError) as error:
        make_offer(provider, online=False, place="").full_clean()
    assert messages(error) == {"__all__": ["Give the place of the offer or mark it as online."]}
    with pytest.raises(IntegrityError):
        make_offer(provider, online=False, place="").save()


def test_it_refuses_a_second_offer_with_the_same_title_from_the_same_provider(provider):
    make_offer(provider).save()
    with pytest.raises(ValidationError) as error:
        make_offer(provider).full_clean()
    assert messages(error) == {"__all__": ["This provider already has an offer with this title."]}
    other = Provider.objects.create(name="Kultur og Information")
    make_offer(other).full_clean()


def test_provider_names_are_unique_whatever_their_case(provider):
    with pytest.raises(ValidationError) as error:
        Provider(name="DANMARKS BIBLIOTEKSFORENING").full_clean()
    assert messages(error) == {"__all__": ["There is already a provider with this name."]}


def test_the_level_reached_is_on_the_scale(provider, default_framework):
    offer = make_offer(provider)
    offer.save()
    competency = Competency.objects.get(framework=default_framework, code="D1.1")
    link = OfferCompetency(offer=offer, competency=competency, level_reached=5)
    with pytest.raises(ValidationError) as error:
        link.full_clean()
    assert messages(error)["level_reached"] == ["Ensure this value is less than or equal to 4."]
    with pytest.raises(IntegrityError):
        link.save()


def test_a_competency_is_covered_once_per_offer(provider, default_framework):
    offer = make_offer(provider)
    offer.save()
    competency = Competency.objects.get(framework=default_framework, code="D1.1")
    OfferCompetency.objects.create(offer=offer, competency=competency, level_reached=2)
    with pytest.raises(ValidationError) as error:
        OfferCompetency(offer=offer, competency=competency, level_reached=3).full_clean()
    assert messages(error) == {"__all__": ["The offer already covers this competency."]}


def test_it_links_only_to_a_published_framework(provider, default_framework):
    offer = make_offer(provider)
    offer.save()
    draft = new_version(framework=default_framework)
    competency = Competency.objects.get(framework=draft, code="D1.1")
    with pytest.raises(ValidationError) as error:
        OfferCompetency(offer=offer, competency=competency, level_reached=2).full_clean()
    assert messages(error) == {
        "competency": ["An offer can only cover competencies of a published framework."]
    }
