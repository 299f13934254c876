"""A small pilot programme for the tests: one workshop on competency S.1 of the test framework
(surveys/tests/conftest.py), with one session tomorrow of two seats, run by a facilitator.

    staff (Alice, Odense Hovedbibliotek) · library_leader (Odense Hovedbibliotek) ·
    other_staff (Aarhus) · coordinator · facilitator (a provider's teacher)
"""

import datetime

import pytest
from django.utils import timezone, translation

from digikompas.orgs.models import JobRole, Role, UserGroup
from digikompas.pilot.models import Module, ModuleFormat, Programme, Session
from digikompas.surveys.tests.conftest import published_framework  # noqa: F401
from digikompas.testing import make_person


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids), whatever the Danish catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ANONYMITY_MINIMUM = 5


@pytest.fixture
def facilitator(reference_data):
    return make_person(
        "Kirsten Krog",
        "kirsten@provider.example",
        job_role=JobRole.OTHER,
        grants=[(Role.EDUCATION_PROVIDER, None)],
    )


@pytest.fixture
def programme(published_framework):  # noqa: F811
    today = timezone.localdate()
    return Programme.objects.create(
        key="pilot-2027",
        title_da="Pilotuddannelse i digital formidling",
        title_en="Pilot education in digital dissemination",
        framework=published_framework,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=120),
    )


@pytest.fixture
def module(programme):
    module = Module.objects.create(
        programme=programme,
        position=1,
        format=ModuleFormat.WORKSHOP,
        title_da="Formidling af eReolen til seniorer",
        title_en="Promoting eReolen to seniors",
        target_groups=[UserGroup.SENIORS],
        hours=3,
    )
    module.competencies.set(programme.framework.competencies.filter(code="S.1"))
    return module


@pytest.fixture
def session(module, facilitator):
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=1)
    return Session.objects.create(
        module=module,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        place="Odense Hovedbibliotek, mødelokale 2",
        capacity=2,
        facilitator=facilitator,
    )
