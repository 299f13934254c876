import datetime

import pytest
from django.utils import timezone

from digikompas.frameworks import services as frameworks
from digikompas.frameworks.tests.conftest import make_content
from digikompas.surveys import services
from digikompas.surveys.models import (
    AnonymityMode,
    BarrierCategory,
    BarrierKind,
    Item,
    ItemKind,
    Section,
    Survey,
)

FREQUENCY = [
    {"value": "never", "da": "Aldrig", "en": "Never"},
    {"value": "monthly", "da": "Hver måned", "en": "Monthly"},
    {"value": "weekly", "da": "Hver uge", "en": "Weekly"},
]
RESOURCES = [
    {"value": "ereolen", "da": "eReolen", "en": "eReolen"},
    {"value": "filmstriben", "da": "Filmstriben", "en": "Filmstriben"},
    {"value": "none", "da": "Ingen", "en": "None"},
]


def make_survey(framework, *, key="test-survey") -> Survey:
    """A small survey with every kind of item, on three pages:

    1. competencies: ratings of S.1 and S.2 of the test framework (scale 0–2)
    2. barriers: an agreement item (time), how often (single choice), and "why not?" (free
       text, shown only when the answer is "never")
    3. about you: resources used (multiple, optional), hours (number 0–100, optional), comment
    """
    time = BarrierCategory.objects.get_or_create(
        code="time",
        defaults={"kind": BarrierKind.STRUCTURAL, "title_da": "Tid", "title_en": "Time"},
    )[0]
    survey = Survey.objects.create(
        key=key,
        purpose="competence",
        framework=framework,
        title_da="Testundersøgelse",
        title_en="Test survey",
        intro_da="Om dig og dine kompetencer.",
        intro_en="About you and your competencies.",
    )
    pages = [
        ("Kompetencer", "Competencies"),
        ("Barrierer", "Barriers"),
        ("Om dig", "About you"),
    ]
    sections = [
        Section.objects.create(survey=survey, position=n, title_da=da, title_en=en)
        for n, (da, en) in enumerate(pages, start=1)
    ]
    competencies = {c.code: c for c in framework.competencies.all()}

    def item(section, position, code, kind, da, en, **more):
        return Item.objects.create(
            section=sections[section - 1],
            survey=survey,
            position=position,
            code=code,
            kind=kind,
            text_da=da,
            text_en=en,
            **more,
        )

    item(
        1,
        1,
        "s-1",
        ItemKind.COMPETENCY,
        "Søgning i eReolen",
        "Searching eReolen",
        competency=competencies["S.1"],
    )
    item(1, 2, "s-2", ItemKind.COMPETENCY, "Vejledning", "Guidance", competency=competencies["S.2"])
    item(
        2,
        1,
        "time-1",
        ItemKind.AGREEMENT,
        "Jeg har ikke tid til at lære nyt.",
        "I have no time to learn new things.",
        barrier=time,
    )
    frequency = item(
        2,
        2,
        "frequency",
        ItemKind.SINGLE,
        "Hvor ofte formidler du?",
        "How often do you disseminate?",
        options=FREQUENCY,
    )
    item(
        2,
        3,
        "why-not",
        ItemKind.TEXT,
        "Hvad holder dig tilbage?",
        "What holds you back?",
        required=False,
        show_if_item=frequency,
        show_if_values=["never"],
    )
    item(
        3,
        1,
        "resources",
        ItemKind.MULTIPLE,
        "Hvilke ressourcer har du formidlet?",
        "Which resources have you disseminated?",
        options=RESOURCES,
        required=False,
    )
    item(
        3,
        2,
        "hours",
        ItemKind.NUMBER,
        "Timer med kompetenceudvikling",
        "Hours of competence development",
        minimum=0,
        maximum=100,
        required=False,
    )
    item(3, 3, "comment", ItemKind.TEXT, "Kommentar", "Comment", required=False)
    return survey  # fmt: skip


# Answers to every required item of make_survey (and a few optional ones).
COMPLETE = {"s-1": 2, "s-2": 1, "time-1": 4, "frequency": "never", "why-not": "Tid"}


def assert_browser_answers(response) -> None:
    """The answers the browser tests give to make_survey() (by mouse, or by keyboard only in
    web/tests/test_keyboard.py), as stored."""
    answers = {a.item.code: a for a in response.answers.select_related("item")}
    assert answers["s-1"].number == 2
    assert answers["s-2"].number == 1
    assert answers["time-1"].number == 4
    assert answers["frequency"].text == "never"
    assert answers["why-not"].text == "Tid"
    assert answers["resources"].choices == ["ereolen"]
    assert answers["hours"].number == 12


@pytest.fixture
def published_framework(db):
    framework = frameworks.create_framework(content=make_content())
    return frameworks.publish(framework=framework)


@pytest.fixture
def survey(published_framework):
    return make_survey(published_framework)


def open_round(survey, *, municipalities=(), anonymity=AnonymityMode.CONFIDENTIAL, **more):
    now = timezone.now()
    return services.create_round(
        survey=survey,
        title="Forår 2026",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=14),
        anonymity=anonymity,
        municipalities=municipalities,
        **more,
    )


@pytest.fixture
def round(survey, odense):
    """A confidential round of the small survey, open now, for the libraries of Odense."""
    return open_round(survey, municipalities=[odense])


@pytest.fixture
def invitation(round, staff):
    """Alice's invitation to the round (not sent)."""
    services.invite(round=round)
    return round.invitations.get(person=staff)
