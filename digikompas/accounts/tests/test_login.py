from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext

from digikompas.testing import PASSWORD, totp_code


def _log_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_staff_logs_in_with_email_and_password(client, staff):
    response = _log_in(client, "Alice@Odense.example")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_is_refused(client, staff):
    cache.clear()
    response = _log_in(client, "alice@odense.example", "wrong password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_attempts_are_rate_limited(client, staff):
    cache.clear()
    for _ in range(5):
        _log_in(client, "alice@odense.example", "wrong password")

    # Even the right password is refused until the limit has passed.
    response = _log_in(client, "alice@odense.example")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    with translation.override("da"):
        too_many = gettext("Too many failed login attempts. Try again later.")
    assert too_many in response.text


def test_nobody_can_sign_up_on_their_own(client, reference_data):
    client.get("/accounts/signup/")
    assert "_auth_user_id" not in client.session
    client.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "password1": "x-long-password-1",
            "password2": "x-long-password-1",
        },
    )
    from digikompas.accounts.models import User

    assert not User.objects.filter(email="new@example.com").exists()


def test_an_analyst_without_a_second_factor_must_set_one_up(client, reference_data):
    from digikompas.orgs.models import JobRole, Role
    from digikompas.testing import make_person

    make_person(
        "Ny Analytiker", "ny@kl.example", job_role=JobRole.OTHER, grants=[(Role.ANALYST, None)]
    )
    cache.clear()
    _log_in(client, "ny@kl.example")

    response = client.get("/orgs/municipalities/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    assert client.get(response["Location"]).status_code == 200


def test_staff_are_not_forced_to_set_up_a_second_factor(client, staff):
    client.force_login(staff.user)
    assert client.get("/orgs/municipalities/").status_code == 200


def test_an_analyst_logs_in_with_password_and_code(client, analyst):
    cache.clear()
    response = _log_in(client, "gorm@kl.example")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(analyst.totp_secret)})

    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.session["_auth_user_id"] == str(analyst.user.pk)
