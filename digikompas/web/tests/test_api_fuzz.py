"""Schemathesis against the API, in process: every operation of the published schema is called
with generated requests, with the key of an administrator, of a staff member and of an analyst
(who reaches the surveys, rounds and reports), and every answer must be what the schema promises.

The requests: ones that fit the schema, ones that do not (GenerationMode.NEGATIVE), and ones
about the world's own objects (known_objects: real ids, valid bodies), so that details and
actions are also answered with success, not only with 404.

Checks (schemathesis' own, CHECKS): no server error, every status code documented, the declared
content type, the body valid against the documented schema, and no answer without a key
(ignored_auth). Left out: `positive_data_acceptance`, because the API rightly answers 400 to
requests the schema allows but its rules refuse (an unknown session, a closing date before the
opening); `negative_data_rejection`, because DRF's pagination reads an unreadable limit/offset as
the default, by design; the stateful checks, which need links between operations that the schema
does not describe; `max_response_time`, a timed assertion.

Schemathesis' pytest loader (`schemathesis.pytest.from_fixture`) sets `Node._nodeid`, which
pytest 9 no longer has, so this module drives the operations itself through the public
`as_strategy()` and `call_and_validate()`. Hypothesis is derandomized and bounded, so a run is
repeatable; API_FUZZ_EXAMPLES=200 gives a deeper run with the same seed.
"""

import datetime
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from digikompas.analysis.models import GroupBy, Report, ReportKind
from digikompas.orgs.models import UserGroup
from digikompas.pilot.enrolment import enrol
from digikompas.pilot.models import Enrolment, ExperienceLog, WouldRepeat
from digikompas.pilot.tests.conftest import facilitator, module, programme, session  # noqa: F401
from digikompas.pilot.tests.test_effect import make_measured
from digikompas.surveys import services as surveys
from digikompas.surveys.tests.conftest import (  # noqa: F401
    COMPLETE,
    make_survey,
    open_round,
    published_framework,
)

# Examples per operation and caller.
MAX_EXAMPLES = int(os.getenv("API_FUZZ_EXAMPLES", "10"))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ignored_auth,
]


@pytest.fixture
def app():
    """Django's WSGI application, called in the test's own transaction.

    A real request closes the database connection at its start and end; inside the test's
    transaction that would end it, so the signal is disconnected as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(
    staff,
    library_leader,
    municipal_leader,
    analyst,
    coordinator,
    provider,
    administrator,
    odense,
    odense_main,
    programme,  # noqa: F811
    module,  # noqa: F811
    session,  # noqa: F811
):
    """Something behind every endpoint: rows for the lists and objects for the details."""
    make_measured(programme, module, session, odense_main)
    survey = make_survey(programme.framework, key="fuzz-survey")
    round = open_round(survey, municipalities=[odense])
    surveys.invite(round=round)
    surveys.save_answers(invitation=round.invitations.get(person=staff), answers=COMPLETE)
    surveys.submit(invitation=round.invitations.get(person=staff))
    ExperienceLog.objects.create(
        module=module,
        person=staff,
        library=odense_main,
        resource="eReolen",
        target_group=UserGroup.SENIORS,
        title="Lydbogscafé",
        what_tried="En lydbogscafé for seniorer.",
        what_happened="12 kom.",
        lesson="Hav tablets klar.",
        would_repeat=WouldRepeat.YES,
        tried_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    Report.objects.create(
        round=round,
        kind=ReportKind.LIBRARY,
        library=odense_main,
        file_format="json",
        status="done",
        content=b"{}",
        filename="report.json",
        content_type="application/json",
        finished_at=timezone.now(),
    )
    # Asked for, not built yet: no library, no step, no file.
    queued = Report.objects.create(
        round=round, kind=ReportKind.NATIONAL, group_by=GroupBy.REGION, file_format="pdf"
    )
    return {
        "people": {"staff": staff, "administrator": administrator, "analyst": analyst},
        "staff": staff,
        "odense_main": odense_main,
        "framework": programme.framework,
        "survey": survey,
        "round": round,
        "programme": programme,
        "session": session,
        "enrolment": Enrolment.objects.filter(person=staff).first() or enrol(session, staff),
        "experience": ExperienceLog.objects.get(title="Lydbogscafé"),
        "reports": [Report.objects.get(status="done"), queued],
    }


def known_objects(world) -> dict:
    """Requests about the world's own objects, beside the generated ones (which mostly name
    nothing): operation → the fixed parts of its requests."""
    w = world
    now = timezone.now()

    def by_id(*objects):
        return [{"path_parameters": {"id": obj.pk}} for obj in objects]

    return {
        "GET /api/v1/regions/{code}/": [{"path_parameters": {"code": 1083}}],
        "GET /api/v1/municipalities/{code}/": [{"path_parameters": {"code": 461}}],
        "GET /api/v1/libraries/{id}/": by_id(w["odense_main"]),
        "GET /api/v1/people/{id}/": by_id(w["staff"]),
        "GET /api/v1/frameworks/{id}/": by_id(w["framework"]),
        "GET /api/v1/frameworks/{id}/export/{file_format}/": by_id(w["framework"]),
        "GET /api/v1/surveys/{id}/": by_id(w["survey"]),
        "GET /api/v1/rounds/{id}/": by_id(w["round"]),
        "GET /api/v1/rounds/{id}/counts/": by_id(w["round"]),
        "POST /api/v1/rounds/{id}/invite/": by_id(w["round"]),
        "POST /api/v1/rounds/": [
            {
                "media_type": "application/json",
                "body": {
                    "survey": w["survey"].pk,
                    "title": "Efterår",
                    "opens_at": (now + datetime.timedelta(days=1)).isoformat(),
                    "closes_at": (now + datetime.timedelta(days=30)).isoformat(),
                    "municipalities": [461],
                },
            }
        ],
        "POST /api/v1/reports/": [
            {
                "media_type": "application/json",
                "body": {
                    "round": w["round"].pk,
                    "kind": "library",
                    "library": w["odense_main"].pk,
                    "file_format": "json",
                },
            }
        ],
        "GET /api/v1/reports/{id}/": by_id(*w["reports"]),
        "GET /api/v1/reports/{id}/download/": by_id(*w["reports"]),
        "GET /api/v1/programmes/{id}/": by_id(w["programme"]),
        "GET /api/v1/programmes/{id}/effect/": by_id(w["programme"]),
        "GET /api/v1/sessions/{id}/": by_id(w["session"]),
        "POST /api/v1/enrolments/": [
            {"media_type": "application/json", "body": {"session": w["session"].pk}}
        ],
        "GET /api/v1/enrolments/{id}/": by_id(w["enrolment"]),
        "POST /api/v1/enrolments/{id}/cancel/": by_id(w["enrolment"]),
        "GET /api/v1/experiences/{id}/": by_id(w["experience"]),
    }


def fuzz(schema, *, headers, known, max_examples):
    """Every operation with generated requests; the failures of all of them, as text."""
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategies = [operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)]
        for fixed in known.get(operation.label, []):
            strategies.append(operation.as_strategy(**fixed))

        @settings(
            max_examples=max_examples,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        @given(case=st.one_of(strategies))
        def call(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            call()
        # Schemathesis reports its findings as a BaseExceptionGroup; every operation is tried.
        except (Exception, BaseExceptionGroup) as failure:
            failures.append(f"{operation.label}: {failure}")
    return failures


@pytest.mark.parametrize("member", ["administrator", "staff", "analyst"])
def test_the_api_keeps_to_its_schema(app, world, member):
    key = Token.objects.create(user=world["people"][member].user).key
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", app)
    headers = {"Authorization": f"Token {key}", "Accept-Language": "en"}
    failures = fuzz(schema, headers=headers, known=known_objects(world), max_examples=MAX_EXAMPLES)
    assert not failures, "\n\n".join(failures)


# -- what the fuzzing found, kept as plain tests ------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/sessions/", "/api/v1/experiences/"])
@pytest.mark.parametrize("parameter", ["programme", "module"])
def test_an_id_larger_than_a_database_keeps_is_refused_not_a_server_error(
    client, staff, path, parameter
):
    # SQLite could not compare it with a foreign key (OverflowError): a 500 before.
    client.force_login(staff.user)
    response = client.get(path, {parameter: 2**70}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.json() == {
        parameter: ["Ensure this value is less than or equal to 9223372036854775807."]
    }


def test_a_library_report_and_a_queued_report_show_their_empty_grouping_and_step(client, world):
    # The schema left out the empty value of both; a client validating against it failed.
    client.force_login(world["people"]["analyst"].user)
    done, queued = world["reports"]
    assert client.get(f"/api/v1/reports/{done.pk}/").json()["group_by"] == ""
    assert client.get(f"/api/v1/reports/{queued.pk}/").json()["step"] == ""
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]
    for field in ("group_by", "step"):
        assert {"$ref": "#/components/schemas/BlankEnum"} in schema["Report"]["properties"][field][
            "oneOf"
        ]
