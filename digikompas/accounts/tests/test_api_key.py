"""API keys: made on /accounts/api-key/, sent as `Authorization: Token <key>`, answered by `me/`."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from digikompas.orgs.models import JobRole, Role
from digikompas.testing import make_person

ENGLISH = {"Accept-Language": "en"}


def with_key(key: str) -> dict:
    return {"Authorization": f"Token {key}", **ENGLISH}


def shown_key(response) -> str:
    match = re.search(r'<input[^>]*id="new-key"[^>]*value="([0-9a-f]{40})"', response.text)
    assert match, "the new key is not on the page"
    return match.group(1)


@pytest.fixture
def program():
    """A second client without the browser's session, as a script using the key would be."""
    return Client()


@pytest.fixture
def analyst_without_totp(reference_data):
    return make_person(
        "Lone Lund", "lone@kl.example", job_role=JobRole.OTHER, grants=[(Role.ANALYST, None)]
    )


def test_a_user_creates_a_key_and_a_program_uses_it(client, program, staff):
    client.force_login(staff.user)
    response = client.get("/accounts/api-key/", headers=ENGLISH)
    assert "You have no API key." in response.text

    response = client.post("/accounts/api-key/", {"action": "create"}, headers=ENGLISH)
    assert response.status_code == 200
    key = shown_key(response)
    assert key == Token.objects.get(user=staff.user).key

    # Shown once: the page no longer tells it.
    response = client.get("/accounts/api-key/", headers=ENGLISH)
    assert key not in response.text
    assert "You have an API key. For your safety it is not shown again." in response.text

    response = program.get("/api/v1/me/", headers=with_key(key))
    assert response.status_code == 200
    assert response.json()["email"] == "alice@odense.example"


def test_a_revoked_key_no_longer_works(client, program, staff):
    client.force_login(staff.user)
    key = shown_key(client.post("/accounts/api-key/", {"action": "create"}))
    assert program.get("/api/v1/me/", headers=with_key(key)).status_code == 200

    client.post("/accounts/api-key/", {"action": "revoke"})

    response = program.get("/api/v1/me/", headers=with_key(key))
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
    assert not Token.objects.filter(user=staff.user).exists()


def test_a_replaced_key_no_longer_works(client, program, staff):
    client.force_login(staff.user)
    old_key = shown_key(client.post("/accounts/api-key/", {"action": "create"}))
    new_key = shown_key(client.post("/accounts/api-key/", {"action": "create"}))
    assert new_key != old_key
    assert program.get("/api/v1/me/", headers=with_key(old_key)).status_code == 401
    assert program.get("/api/v1/me/", headers=with_key(new_key)).status_code == 200


def test_a_wrong_key_gets_401_with_the_reason(program, staff):
    response = program.get("/api/v1/me/", headers=with_key("0" * 40))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid token."}


def test_no_credentials_get_401_not_403(program, db):
    response = program.get("/api/v1/me/", headers=ENGLISH)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_a_bearer_header_is_not_a_key(program, staff):
    key = Token.objects.create(user=staff.user).key
    response = program.get("/api/v1/me/", headers={"Authorization": f"Bearer {key}", **ENGLISH})
    assert response.status_code == 401


def test_the_logged_in_browser_session_reaches_the_api(client, staff):
    # Swagger UI's "Try it out" relies on this.
    client.force_login(staff.user)
    response = client.get("/api/v1/me/")
    assert response.status_code == 200


# -- me/ -----------------------------------------------------------------------------------------


def test_me_tells_a_library_leader_their_person_roles_and_grants(
    program, library_leader, django_assert_num_queries
):
    headers = with_key(Token.objects.create(user=library_leader.user).key)
    # The token with its user, the caller's person with library, their grants with units.
    with django_assert_num_queries(3):
        response = program.get("/api/v1/me/", headers=headers)
    assert response.json() == {
        "email": "bent@odense.example",
        "person": {
            "id": library_leader.pk,
            "name": "Bent Bech",
            "email": "bent@odense.example",
            "library": "746100-01",
            "job_role": "library_leader",
            "has_login": True,
        },
        "roles": ["library_leader", "staff"],
        "grants": [
            {"role": "library_leader", "scope": "library", "library": "746100-01",
             "municipality": None},
        ],
    }  # fmt: skip


def test_me_tells_a_municipal_leader_the_municipality_they_lead(program, municipal_leader):
    key = Token.objects.create(user=municipal_leader.user).key
    response = program.get("/api/v1/me/", headers=with_key(key))
    body = response.json()
    # No library, so not staff.
    assert body["roles"] == ["municipal_leader"]
    assert body["person"]["library"] is None
    assert body["grants"] == [
        {"role": "municipal_leader", "scope": "municipality", "library": None, "municipality": 461}
    ]


def test_me_tells_an_administrator_their_national_grant(program, administrator):
    key = Token.objects.create(user=administrator.user).key
    response = program.get("/api/v1/me/", headers=with_key(key))
    assert response.json()["roles"] == ["administrator"]
    assert response.json()["grants"] == [
        {"role": "administrator", "scope": "nation", "library": None, "municipality": None}
    ]


def test_me_tells_a_login_without_a_person_that_it_has_none(program, outsider):
    key = Token.objects.create(user=outsider).key
    response = program.get("/api/v1/me/", headers=with_key(key))
    assert response.status_code == 200
    assert response.json() == {
        "email": "outsider@example.com",
        "person": None,
        "roles": [],
        "grants": [],
    }


# -- two-factor authentication ------------------------------------------------------------------


def test_the_web_ui_sends_an_analyst_without_a_second_factor_to_set_one_up(
    client, analyst_without_totp
):
    client.force_login(analyst_without_totp.user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp") + "?next=/"
    response = client.get("/accounts/api-key/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_the_api_answers_an_analyst_without_a_second_factor_in_json_not_a_redirect(
    client, program, analyst_without_totp
):
    # The middleware leaves /api/ alone, so a program gets JSON; but a password-only session
    # must not read through the API what the web UI withholds until the second factor is set up.
    client.force_login(analyst_without_totp.user)
    response = client.get("/api/v1/people/", headers=ENGLISH)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your roles require two-factor authentication. "
        "Set it up in digikompas before you use the API."
    }
    # Nor a key made before the roles needed one (or with the second factor since removed).
    key = Token.objects.create(user=analyst_without_totp.user).key
    response = program.get("/api/v1/me/", headers=with_key(key))
    assert response.status_code == 403


def test_the_api_serves_an_analyst_with_a_second_factor(program, analyst):
    key = Token.objects.create(user=analyst.user).key
    response = program.get("/api/v1/me/", headers=with_key(key))
    assert response.status_code == 200
    assert response.json()["roles"] == ["analyst"]


def test_the_api_does_not_ask_others_for_a_second_factor(client, coordinator):
    client.force_login(coordinator.user)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/people/").status_code == 200
