"""A round with enough responses to analyse, made in bulk, and the URLs of the reports.

`report_round`: the small survey of surveys/tests/conftest.py (competencies S.1 and S.2 on the
scale 0–2, the barrier statement "time-1") sent to Odense and Aarhus; 34 people invited and 30
answered, with the anonymity minimum 5:

    Odense Hovedbibliotek (main)   12: 9 librarians, 3 library leaders   shown
    Dalum Bibliotek (branch)        8: 7 librarians, 1 library leader    hidden: beside Vollsmose
    Vollsmose Bibliotek (branch)    3: 3 librarians                      hidden: fewer than 5
    Dokk1, Aarhus (main)            7: 5 librarians, 2 library leaders   shown

Librarians need level 2 in S.1 and S.2; library leaders of a main library need level 1 in S.1
and no level in S.2 (the test framework's profiles); leaders at a branch have no profile.
"""

import datetime

import pytest
from django.utils import timezone

from digikompas.frameworks import services as frameworks
from digikompas.frameworks.tests.conftest import make_content
from digikompas.orgs.models import JobRole, Library, LibraryKind, Person
from digikompas.surveys import services
from digikompas.surveys.models import Invitation
from digikompas.surveys.tests.conftest import make_survey, open_round

# (S.1, S.2, agreement with "I have no time") per respondent, cycled through each library.
PATTERN = [(2, 1, 4), (1, 1, 5), (0, 2, 2), (2, 2, 4), (1, 0, 3), (0, 1, 5), (2, 0, 1)]

LIBRARIAN, LEADER = JobRole.LIBRARIAN, JobRole.LIBRARY_LEADER


@pytest.fixture(autouse=True)
def _minimum_and_cache(settings):
    settings.ANONYMITY_MINIMUM = 5


@pytest.fixture
def dalum(odense):
    return Library.objects.create(
        municipality=odense, code="746100-03", name="Dalum Bibliotek", kind=LibraryKind.BRANCH
    )


def add_responses(round, library, roles, *, start=0, unanswered=0):
    """One invited person and one submitted response per role, with the answers of PATTERN
    (from position `start`), plus `unanswered` invited people who did not answer. Returns the
    responses."""
    now = timezone.now()
    count = Person.objects.count()
    people = Person.objects.bulk_create(
        Person(
            name=f"Respondent {count + n}",
            email=f"respondent{count + n}@{library.code}.example",
            library=library,
            job_role=role,
        )
        for n, role in enumerate([*roles, *[LIBRARIAN] * unanswered])
    )
    Invitation.objects.bulk_create(
        Invitation(
            round=round,
            person=person,
            sent_at=now,
            responded_at=now if n < len(roles) else None,
        )
        for n, person in enumerate(people)
    )
    survey_items = list(round.survey.items.all())
    responses = []
    for n, role in enumerate(roles):
        s1, s2, time = PATTERN[(start + n) % len(PATTERN)]
        # The path every submission and import takes: Answer rows and the packed scores.
        responses.append(
            services._store_response(
                round=round,
                person=None,
                items=survey_items,
                answers={"s-1": s1, "s-2": s2, "time-1": time},
                library=library,
                job_role=role,
                submitted_at=now - datetime.timedelta(minutes=n),
            )
        )
    return responses


@pytest.fixture
def report_survey(db):
    """The small survey of surveys/tests/conftest.py, on the published test framework."""
    framework = frameworks.publish(framework=frameworks.create_framework(content=make_content()))
    return make_survey(framework)


@pytest.fixture
def report_round(report_survey, odense, aarhus, odense_main, odense_branch, aarhus_main, dalum):
    round = open_round(report_survey, municipalities=[odense, aarhus])
    add_responses(round, odense_main, [LIBRARIAN] * 9 + [LEADER] * 3, unanswered=2)
    add_responses(round, dalum, [LIBRARIAN] * 7 + [LEADER], start=3, unanswered=1)
    add_responses(round, odense_branch, [LIBRARIAN] * 3, start=5, unanswered=1)
    add_responses(round, aarhus_main, [LIBRARIAN] * 5 + [LEADER] * 2, start=1)
    return round
