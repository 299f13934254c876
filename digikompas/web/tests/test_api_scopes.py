"""An API key acts with exactly its user's roles: the same answers as that user's browser session.

Every API row of the permission table (test_permissions.TABLE, the statuses each member of the
cast gets with a session) is asked again by a program holding only the member's key, in a client
without cookies. A key is not a role of its own, so nothing may differ; a key made before the
user's roles needed a second factor does not outlive it.
"""

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from digikompas.accounts.models import User
from digikompas.api import router
from digikompas.orgs.models import JobRole, Role, RoleGrant
from digikompas.testing import make_person
from digikompas.web.tests.test_permissions import CAST, TABLE, _user_of, cast  # noqa: F401

# The rows of the API's data endpoints (named after the router's basenames); its schema and
# documentation are public and keyless.
BASENAMES = {basename for _prefix, _viewset, basename in router.registry}
API_ROWS = [row for row in TABLE if row[0] == "api-root" or row[0].split("-")[0] in BASENAMES]


def with_key(user) -> dict:
    key = Token.objects.get_or_create(user=user)[0].key
    return {"Authorization": f"Token {key}", "Accept-Language": "en"}


def test_every_data_endpoint_of_the_api_is_checked():
    names = {row[0] for row in API_ROWS}
    assert {"api-root", "me-list", "person-detail", "round-invite", "programme-effect"} <= names
    # Every route of every registered viewset has its row.
    routes = {url.name for url in router.urls if url.name}
    assert routes - names == set()


@pytest.mark.parametrize(
    ("name", "kwargs", "method", "expected"), API_ROWS, ids=[row[0] for row in API_ROWS]
)
def test_a_key_gets_what_its_users_session_gets(cast, name, kwargs, method, expected):  # noqa: F811
    url = reverse(name, kwargs=kwargs(cast) if kwargs else None)
    program = Client()
    got = {}
    for member in CAST:
        if method == "post":
            # As in the permission table: a fresh target, so one success does not change what
            # the next member sees.
            User.objects.filter(email="nina@odense.example").delete()
        headers = {"Accept-Language": "en"}
        if member != "anonymous":
            headers = with_key(_user_of(cast, member))
        response = getattr(program, method)(url, headers=headers)
        got[member] = response.status_code
        if response.streaming:
            b"".join(response.streaming_content)
    assert got == expected


# -- keys and the second factor -----------------------------------------------------------------


@pytest.fixture
def program():
    return Client()


def test_a_key_stops_working_when_its_user_removes_the_second_factor_the_roles_need(
    program, analyst
):
    headers = with_key(analyst.user)
    assert program.get("/api/v1/surveys/", headers=headers).status_code == 200

    Authenticator.objects.filter(user=analyst.user).delete()

    response = program.get("/api/v1/surveys/", headers=headers)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your roles require two-factor authentication. "
        "Set it up in digikompas before you use the API."
    }


def test_a_key_made_before_a_role_that_needs_a_second_factor_stops_at_the_grant(
    program, coordinator
):
    headers = with_key(coordinator.user)
    assert program.get("/api/v1/me/", headers=headers).status_code == 200

    RoleGrant.objects.create(person=coordinator, role=Role.ADMINISTRATOR)

    assert program.get("/api/v1/me/", headers=headers).status_code == 403
    assert program.get("/api/v1/people/", headers=headers).status_code == 403


def test_a_key_follows_a_role_taken_away(program, reference_data, odense_main):
    leader = make_person(
        "Lis Lund",
        "lis@odense.example",
        library=odense_main,
        job_role=JobRole.LIBRARY_LEADER,
        grants=[(Role.LIBRARY_LEADER, odense_main)],
    )
    colleague = make_person("Mia Møller", "mia@odense.example", library=odense_main)
    headers = with_key(leader.user)
    url = f"/api/v1/people/{colleague.pk}/"
    assert program.get(url, headers=headers).status_code == 200

    RoleGrant.objects.filter(person=leader).delete()

    # Now staff only: a colleague is someone else's business.
    assert program.get(url, headers=headers).status_code == 404
