"""Surveys and rounds in the JSON API: analysts list surveys, create rounds and invite; analysts
and leaders read a round's counts, leaders only for their units and never below the anonymity
minimum. Requests use an API key and ask for English answers."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from rest_framework.authtoken.models import Token

from digikompas.surveys import services
from digikompas.surveys.models import AnonymityMode, Round
from digikompas.testing import make_person

from .conftest import COMPLETE, make_survey, open_round

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=COPENHAGEN)
SURVEYS = "/api/v1/surveys/"
ROUNDS = "/api/v1/rounds/"


def auth(person_or_user) -> dict:
    user = getattr(person_or_user, "user", person_or_user)
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}", "Accept-Language": "en"}


def counts_url(round) -> str:
    return f"{ROUNDS}{round.pk}/counts/"


def invite_url(round) -> str:
    return f"{ROUNDS}{round.pk}/invite/"


def post(client, url, person, data=None):
    return client.post(url, data or {}, content_type="application/json", headers=auth(person))


@pytest.fixture
def crowd(odense_main, odense_branch, aarhus_main, staff, library_leader, branch_leader):
    """Odense Hovedbibliotek: Alice, Bent and five more (7); Vollsmose Bibliotek: Birgit and one
    more (2, below the anonymity minimum); Dokk1 in Aarhus: three people (also below it)."""
    for n in range(5):
        make_person(f"Ansat {n}", f"ansat{n}@odense.example", library=odense_main, login=False)
    make_person("Filial Ansat", "filial@odense.example", library=odense_branch, login=False)
    for n in range(3):
        make_person(f"Aarhus {n}", f"a{n}@aarhus.example", library=aarhus_main, login=False)


@pytest.fixture
def invited(survey, odense, aarhus, crowd, staff, library_leader):
    """A round for Odense and Aarhus, everyone invited (12), Alice and Bent answered."""
    round = open_round(survey, municipalities=[odense, aarhus])
    services.invite(round=round)
    for person in (staff, library_leader):
        invitation = round.invitations.get(person=person)
        services.save_answers(invitation=invitation, answers=COMPLETE)
        services.submit(invitation=invitation)
    return round


# -- who may call --------------------------------------------------------------------------------


def test_anonymous_callers_are_asked_for_a_token(client, invited):
    for url in (SURVEYS, ROUNDS, f"{ROUNDS}{invited.pk}/", counts_url(invited)):
        response = client.get(url, headers={"Accept-Language": "en"})
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
    assert client.post(invite_url(invited)).status_code == 401
    assert client.post(ROUNDS, {}).status_code == 401


@pytest.mark.parametrize("member", ["staff", "coordinator", "provider", "administrator"])
def test_people_who_neither_run_nor_lead_are_refused(client, request, invited, member):
    person = request.getfixturevalue(member)
    for url in (SURVEYS, ROUNDS, f"{ROUNDS}{invited.pk}/", counts_url(invited)):
        assert client.get(url, headers=auth(person)).status_code == 403
    assert post(client, invite_url(invited), person).status_code == 403
    assert post(client, ROUNDS, person, {"title": "x"}).status_code == 403


def test_a_login_without_a_person_is_refused(client, invited, outsider):
    assert client.get(ROUNDS, headers=auth(outsider)).status_code == 403
    assert client.get(counts_url(invited), headers=auth(outsider)).status_code == 403


# -- surveys -------------------------------------------------------------------------------------


def test_analysts_list_the_surveys_with_their_item_counts(
    client, analyst, survey, published_framework, django_assert_num_queries
):
    make_survey(published_framework, key="another")
    headers = auth(analyst)
    # The token with its user, the caller's person, their grants, their second factor, the
    # count, the page with the items counted.
    with django_assert_num_queries(6):
        response = client.get(SURVEYS, headers=headers)
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert response.json()["results"][1] == {
        "id": survey.pk,
        "key": "test-survey",
        "purpose": "competence",
        "title": {"da": "Testundersøgelse", "en": "Test survey"},
        "framework": published_framework.pk,
        "item_count": 8,
    }


def test_leaders_do_not_list_surveys(client, library_leader, survey):
    response = client.get(SURVEYS, headers=auth(library_leader))
    assert response.status_code == 403
    assert response.json() == {"detail": "Only analysts see the surveys."}


# -- creating a round ----------------------------------------------------------------------------


def new_round(of, **changes) -> dict:
    data = {
        "survey": of.pk,
        "title": "Efterår 2026",
        "opens_at": "2026-03-03T09:00:00+01:00",
        "closes_at": "2026-03-17T16:00:00+01:00",
        "anonymity": "anonymous",
        "job_roles": ["librarian", "digital_guide"],
        "municipalities": [461, 751],
        "libraries": ["746100-02"],
    }
    data.update(changes)
    return data


@pytest.fixture
def at_noon():
    with time_machine.travel(NOON, tick=False):
        yield


def test_an_analyst_creates_a_round(client, analyst, survey, odense_branch, aarhus, at_noon):
    earlier = open_round(survey)

    response = post(client, ROUNDS, analyst, new_round(survey, follows=earlier.pk))

    assert response.status_code == 201
    created = Round.objects.exclude(pk=earlier.pk).get()
    assert response.json() == {
        "id": created.pk,
        "survey": survey.pk,
        "title": "Efterår 2026",
        "opens_at": "2026-03-03T09:00:00+01:00",
        "closes_at": "2026-03-17T16:00:00+01:00",
        "state": "upcoming",
        "anonymity": "anonymous",
        "job_roles": ["digital_guide", "librarian"],
        "municipalities": [751, 461],
        "libraries": ["746100-02"],
        "follows": earlier.pk,
        "created_at": "2026-03-02T12:00:00+01:00",
    }
    assert created.anonymity == AnonymityMode.ANONYMOUS
    assert created.created_by == analyst
    assert {m.code for m in created.municipalities.all()} == {461, 751}
    assert list(created.libraries.all()) == [odense_branch]
    assert not created.invitations.exists()


def test_a_round_without_units_or_roles_is_for_everyone(client, analyst, survey, at_noon):
    response = post(
        client,
        ROUNDS,
        analyst,
        new_round(survey, job_roles=[], municipalities=[], libraries=[], anonymity=None),
    )
    assert response.status_code == 400  # anonymity may be left out, not sent empty
    data = new_round(survey)
    for name in ("job_roles", "municipalities", "libraries", "anonymity"):
        del data[name]

    response = post(client, ROUNDS, analyst, data)

    assert response.status_code == 201
    body = response.json()
    assert (body["job_roles"], body["municipalities"], body["libraries"]) == ([], [], [])
    assert body["anonymity"] == "confidential"


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"closes_at": "2026-03-03T08:00:00+01:00"},
            {"closes_at": ["A round must close after it opens."]},
        ),
        (
            {"opens_at": "2026-03-02T00:00:00+01:00", "closes_at": "2026-03-02T11:00:00+01:00"},
            {"closes_at": ["That time has passed; a round must close in the future."]},
        ),
        (
            {"opens_at": "2026-03-01T09:00:00+01:00"},
            {"opens_at": ["A round cannot open before today."]},
        ),
        ({"municipalities": [461, 999]}, {"municipalities": ["No municipality has the code 999."]}),
        ({"libraries": ["999999-99"]}, {"libraries": ["No library has the code 999999-99."]}),
        ({"job_roles": ["wizard"]}, {"job_roles": {"0": ['"wizard" is not a valid choice.']}}),
        ({"anonymity": "secret"}, {"anonymity": ['"secret" is not a valid choice.']}),
        (
            {"title": "", "survey": 999},
            {
                "title": ["This field may not be blank."],
                "survey": ['Invalid pk "999" - object does not exist.'],
            },
        ),
        ({"opens_at": "next Monday"}, {"opens_at": [
            "Datetime has wrong format. Use one of these formats instead: "
            "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
        ]}),
    ],
)  # fmt: skip
def test_a_wrong_field_is_reported_and_nothing_is_created(
    client, analyst, survey, odense_branch, aarhus, at_noon, changes, errors
):
    response = post(client, ROUNDS, analyst, new_round(survey, **changes))

    assert response.status_code == 400
    assert response.json() == errors
    assert not Round.objects.exists()


def test_a_round_follows_only_a_round_of_the_same_survey(
    client, analyst, survey, published_framework, aarhus, odense_branch, at_noon
):
    other = open_round(make_survey(published_framework, key="other"))

    response = post(client, ROUNDS, analyst, new_round(survey, follows=other.pk))

    assert response.status_code == 400
    assert response.json() == {
        "follows": ["A round can only follow an earlier round of the same survey."]
    }


@pytest.mark.parametrize("member", ["library_leader", "municipal_leader"])
def test_leaders_do_not_create_rounds(client, request, survey, aarhus, odense_branch, member):
    response = post(client, ROUNDS, request.getfixturevalue(member), new_round(survey))

    assert response.status_code == 403
    assert response.json() == {"detail": "Only analysts create rounds."}
    assert not Round.objects.exists()


# -- reading rounds ------------------------------------------------------------------------------


def test_analysts_list_every_round_in_a_fixed_number_of_queries(
    client, analyst, survey, odense, aarhus, odense_main, django_assert_num_queries
):
    for _ in range(5):
        open_round(survey, municipalities=[odense, aarhus], libraries=[odense_main])
    headers = auth(analyst)
    # The token with its user, the caller's person, their grants, their second factor, the
    # count, the page, its municipalities and its libraries.
    with django_assert_num_queries(8):
        response = client.get(ROUNDS, headers=headers)
    assert response.json()["count"] == 5
    assert response.json()["results"][0]["municipalities"] == [751, 461]


@pytest.mark.parametrize(
    ("member", "sees"),
    [
        ("library_leader", True),
        ("branch_leader", True),
        ("municipal_leader", True),
        ("other_leader", False),
        ("other_municipal_leader", False),
        ("analyst", True),
    ],
)
def test_leaders_read_only_the_rounds_that_reach_their_units(client, request, round, member, sees):
    person = request.getfixturevalue(member)

    listed = client.get(ROUNDS, headers=auth(person)).json()["results"]
    one = client.get(f"{ROUNDS}{round.pk}/", headers=auth(person))

    assert [r["id"] for r in listed] == ([round.pk] if sees else [])
    assert one.status_code == (200 if sees else 404)


def test_an_unknown_round_is_not_found(client, analyst, reference_data):
    assert client.get(f"{ROUNDS}999/", headers=auth(analyst)).status_code == 404
    assert client.get(f"{ROUNDS}abc/", headers=auth(analyst)).status_code == 404


# -- counts --------------------------------------------------------------------------------------


def test_analysts_get_the_counts_of_every_unit_with_small_ones_suppressed(
    client, analyst, invited, django_capture_on_commit_callbacks
):
    response = client.get(counts_url(invited), headers=auth(analyst))

    assert response.status_code == 200
    assert response.json() == {
        "round": invited.pk,
        "anonymity_minimum": 5,
        "suppressed": False,
        "invited": 12,
        "sent": 0,
        "answered": 2,
        "response_rate": 16.7,
        "municipalities": [
            {"municipality": 751, "suppressed": True},
            {"municipality": 461, "invited": 9, "answered": 2},
        ],
        "libraries": [
            {"library": "775100-01", "suppressed": True},
            {"library": "746100-01", "invited": 7, "answered": 2},
            {"library": "746100-02", "suppressed": True},
        ],
    }


def test_a_library_leader_gets_the_counts_of_their_library_only(client, library_leader, invited):
    response = client.get(counts_url(invited), headers=auth(library_leader))

    assert response.status_code == 200
    body = response.json()
    assert (body["invited"], body["sent"], body["answered"]) == (7, 0, 2)
    assert body["response_rate"] == 28.6
    assert body["municipalities"] == []
    assert body["libraries"] == [{"library": "746100-01", "invited": 7, "answered": 2}]


def test_a_municipal_leader_gets_their_municipality_and_its_libraries(
    client, municipal_leader, invited
):
    body = client.get(counts_url(invited), headers=auth(municipal_leader)).json()

    assert (body["invited"], body["answered"]) == (9, 2)
    assert body["municipalities"] == [{"municipality": 461, "invited": 9, "answered": 2}]
    assert body["libraries"] == [
        {"library": "746100-01", "invited": 7, "answered": 2},
        {"library": "746100-02", "suppressed": True},
    ]


def test_a_leader_of_a_small_unit_gets_no_numbers(client, branch_leader, invited):
    body = client.get(counts_url(invited), headers=auth(branch_leader)).json()

    assert body == {
        "round": invited.pk,
        "anonymity_minimum": 5,
        "suppressed": True,
        "invited": None,
        "sent": None,
        "answered": None,
        "response_rate": None,
        "municipalities": [],
        "libraries": [{"library": "746100-02", "suppressed": True}],
    }


def test_counts_of_a_round_elsewhere_are_not_found(client, survey, odense, other_leader, crowd):
    odense_only = open_round(survey, municipalities=[odense])
    services.invite(round=odense_only)

    response = client.get(counts_url(odense_only), headers=auth(other_leader))

    assert response.status_code == 404


def test_a_round_nobody_is_invited_to_yet_counts_zero(client, analyst, round):
    body = client.get(counts_url(round), headers=auth(analyst)).json()

    assert (body["suppressed"], body["invited"], body["response_rate"]) == (False, 0, None)
    assert body["municipalities"] == body["libraries"] == []


# -- inviting ------------------------------------------------------------------------------------


def test_an_analyst_invites_and_a_second_call_invites_no_one_new(
    client, analyst, round, crowd, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, invite_url(round), analyst)

    assert response.status_code == 202
    assert response.json() == {
        "invited": 9,
        "detail": "9 people were invited; the e-mails are being sent.",
    }
    assert len(smtp_server.messages) == 9

    with django_capture_on_commit_callbacks(execute=True):
        again = post(client, invite_url(round), analyst)
    assert again.json()["invited"] == 0
    assert len(smtp_server.messages) == 9
    counts = client.get(counts_url(round), headers=auth(analyst)).json()
    assert (counts["invited"], counts["sent"]) == (9, 9)


def test_a_closed_round_refuses_invitations(client, analyst, round, crowd):
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now())

    response = post(client, invite_url(round), analyst)

    assert response.status_code == 400
    assert response.json() == {"detail": "The round is closed; no one can be invited to it."}
    assert not round.invitations.exists()


@pytest.mark.parametrize("member", ["library_leader", "municipal_leader"])
def test_leaders_do_not_invite(client, request, round, crowd, member):
    response = post(client, invite_url(round), request.getfixturevalue(member))

    assert response.status_code == 403
    assert not round.invitations.exists()
