"""The offers of the demo: the shipped catalogue, and the demo provider login as the maintainer
of one provider's offers, so that it can show what a provider sees."""

from __future__ import annotations

from django.db import transaction

from digikompas.orgs import demo as orgs_demo
from digikompas.orgs.models import Person

from . import services
from .models import Provider

# The provider whose offers the demo provider login maintains.
DEMO_PROVIDER = "Københavns Professionshøjskole"


def load() -> services.ImportResult:
    """The shipped catalogue, and the demo provider login as maintainer of DEMO_PROVIDER. Safe to
    run again. Raises services.DefaultFrameworkMissing."""
    with transaction.atomic():
        result = services.load_default_offers()
        person = Person.objects.filter(email__iexact=orgs_demo.PROVIDER_LOGIN.email).first()
        if person is not None:
            Provider.objects.get(name=DEMO_PROVIDER).maintainers.add(person)
    return result
