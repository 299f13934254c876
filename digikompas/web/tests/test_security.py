"""Security settings as a server runs them: the deploy check, HTTPS, the secret key, password
hashing and the login rate limit.

Production settings are read from the environment when digikompas.settings is imported, so
those tests start a Python process of their own with a production environment."""

import json
import secrets
import subprocess
import sys

import pytest
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from digikompas import settings as project_settings
from digikompas.accounts.models import User
from digikompas.frameworks.models import Framework
from digikompas.offers.models import EducationOffer
from digikompas.testing import PASSWORD, ROOT, field_error, html, log_in_client


def production_environment(**extra: str) -> dict[str, str]:
    """What a server is started with: no development default left."""
    return {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "digikompas.example",
        "CSRF_TRUSTED_ORIGINS": "https://digikompas.example",
        "SITE_ROOT": "https://digikompas.example",
        "DATABASE_URL": "postgres://digikompas:password@db.example/digikompas",
        "EMAIL_HOST": "smtp.example",
        **extra,
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


# What a request through the whole middleware stack gets back on a production server. No view
# that needs the database is reached: HTTPS redirects come first, and /no-such-page/ is a 404.
REQUESTS = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="digikompas.example")
plain = client.get("/accounts/login/")
proxied = client.get("/no-such-page/", headers={"X-Forwarded-Proto": "https"})
secure = client.get("/no-such-page/", secure=True)
print(json.dumps({
    "plain": [plain.status_code, plain.headers.get("Location")],
    "proxied": [proxied.status_code, proxied.headers.get("Strict-Transport-Security")],
    "secure": [secure.status_code, dict(secure.headers)],
}))
"""


def test_the_deploy_check_is_clean_with_production_settings():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_environment()
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "secret_key", [None, "", "too-short-to-be-a-secret", project_settings.DEV_SECRET_KEY]
)
def test_a_server_refuses_to_start_without_a_long_secret_key(secret_key):
    env = production_environment()
    if secret_key is None:
        del env["SECRET_KEY"]
    else:
        env["SECRET_KEY"] = secret_key

    result = run(["manage.py", "check", "--deploy"], env)

    assert result.returncode != 0
    assert (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set to a random value "
        "of at least 50 characters when DEBUG is off"
    ) in result.stderr


def test_a_server_sends_plain_http_to_https_and_tells_browsers_to_stay_there():
    env = production_environment(DJANGO_SETTINGS_MODULE="digikompas.settings")
    result = run(["-c", REQUESTS], env)
    assert result.returncode == 0, result.stderr
    responses = json.loads(result.stdout)

    assert responses["plain"] == [301, "https://digikompas.example/accounts/login/"]
    # Without a proxy that is trusted, a client's claim to have come by HTTPS changes nothing.
    assert responses["proxied"] == [301, None]
    status, headers = responses["secure"]
    assert status == 404
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_behind_a_tls_proxy_the_proxy_header_says_the_request_came_by_https():
    env = production_environment(
        DJANGO_SETTINGS_MODULE="digikompas.settings", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto"
    )
    result = run(["-c", REQUESTS], env)
    assert result.returncode == 0, result.stderr
    responses = json.loads(result.stdout)

    assert responses["plain"] == [301, "https://digikompas.example/accounts/login/"]
    assert responses["proxied"] == [404, "max-age=31536000; includeSubDomains; preload"]


def test_production_settings_by_environment():
    code = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "cookies": [s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE],
    "session_age": s.SESSION_COOKIE_AGE,
    "csrf_trusted_origins": s.CSRF_TRUSTED_ORIGINS,
    "hsts": [s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD],
    "form_action": s.SECURE_CSP["form-action"],
    "hasher": s.PASSWORD_HASHERS[0],
}))
"""
    env = production_environment(
        DJANGO_SETTINGS_MODULE="digikompas.settings",
        CSRF_TRUSTED_ORIGINS="https://digikompas.example,https://www.digikompas.example",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_PRELOAD="false",
        OIDC_SERVER_URL="https://login.kommune.example/realms/bibliotek",
        OIDC_CLIENT_ID="digikompas",
    )
    result = run(["-c", code], env)
    assert result.returncode == 0, result.stderr

    assert json.loads(result.stdout) == {
        "cookies": [True, True, True],
        "session_age": 7 * 24 * 3600,
        "csrf_trusted_origins": ["https://digikompas.example", "https://www.digikompas.example"],
        "hsts": [3600, True, False],
        # Single sign-on redirects a posted form to the identity provider.
        "form_action": ["'self'", "https://login.kommune.example"],
        "hasher": "django.contrib.auth.hashers.Argon2PasswordHasher",
    }


# -- passwords ----------------------------------------------------------------------------------


@pytest.fixture
def real_hashers(settings):
    """The project's hashers (the test suite's own setting is the fast MD5 one)."""
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_a_changed_password_is_stored_with_argon2(client, real_hashers, staff):
    client.force_login(staff.user)
    before = User.objects.get(pk=staff.user.pk).password

    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a new and long pass phrase",
            "password2": "a new and long pass phrase",
        },
    )

    assert response.status_code == 302
    after = User.objects.get(pk=staff.user.pk)
    assert after.password != before
    assert after.password.startswith("argon2$argon2id$")
    assert after.check_password("a new and long pass phrase")


def test_an_old_pbkdf2_password_still_logs_in_and_is_rehashed_with_argon2(
    client, staff, real_hashers
):
    User.objects.filter(pk=staff.user.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )

    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.user.pk)
    staff.user.refresh_from_db()
    assert staff.user.password.startswith("argon2$argon2id$")


# -- login rate limit ---------------------------------------------------------------------------


def _too_many() -> str:
    with translation.override("da"):
        return gettext("Too many failed login attempts. Try again later.")


def test_failed_logins_from_one_address_are_limited_across_accounts(client, staff, reference_data):
    cache.clear()
    # 20 wrong passwords from one address, four for each of five accounts: no account reaches
    # its own limit of five.
    for number in range(20):
        response = client.post(
            "/accounts/login/",
            {"login": f"guess{number % 5}@odense.example", "password": "wrong"},
            REMOTE_ADDR="198.51.100.7",
        )
        assert _too_many() not in response.text

    response = client.post(
        "/accounts/login/",
        {"login": staff.email, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 200
    assert _too_many() in response.text
    assert "_auth_user_id" not in client.session
    # Another address is not held up.
    response = client.post(
        "/accounts/login/", {"login": staff.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 302


def test_behind_a_proxy_the_limit_holds_per_client_not_for_the_proxy(
    client, staff, reference_data, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    cache.clear()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for number in range(20):
        client.post(
            "/accounts/login/",
            {"login": f"guess{number % 5}@odense.example", "password": "wrong"},
            headers={"X-Forwarded-For": "198.51.100.7"},
            **proxy,
        )

    refused = client.post(
        "/accounts/login/",
        {"login": staff.email, "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.7"},
        **proxy,
    )
    allowed = client.post(
        "/accounts/login/",
        {"login": staff.email, "password": PASSWORD},
        headers={"X-Forwarded-For": "192.0.2.1"},
        **proxy,
    )

    assert _too_many() in refused.text
    assert allowed.status_code == 302


# -- dependency audit ---------------------------------------------------------------------------

FAKE_PIP_AUDIT = """#!{python}
import json
print(json.dumps({{"dependencies": {dependencies}}}))
"""


def audit_dependencies(tmp_path, dependencies: list[dict]) -> subprocess.CompletedProcess:
    """scripts/audit-dependencies on a lock file of two pins, with pip-audit's answer given (the
    data behind it is on PyPI, which tests do not ask)."""
    lock = tmp_path / "test.lock"
    lock.write_text(
        "django==6.1.3 \\\n    --hash=sha256:00\nsqlparse==0.6.1 \\\n    --hash=sha256:11\n"
    )
    fake = tmp_path / "pip-audit"
    fake.write_text(FAKE_PIP_AUDIT.format(python=sys.executable, dependencies=repr(dependencies)))
    fake.chmod(0o755)
    return run(
        [str(ROOT / "scripts" / "audit-dependencies"), str(lock)],
        {"PATH": "/usr/bin:/bin", "PIP_AUDIT": str(fake), "AUDIT_OFFLINE": "1"},
    )


def test_the_dependency_audit_fails_on_a_known_vulnerability(tmp_path):
    result = audit_dependencies(
        tmp_path,
        [
            {"name": "Django", "version": "6.1.3", "vulns": []},
            {
                "name": "sqlparse",
                "version": "0.6.1",
                "vulns": [{"id": "PYSEC-2026-1", "fix_versions": ["0.6.2"]}],
            },
        ],
    )

    assert result.returncode == 1
    assert "VULNERABLE sqlparse 0.6.1: PYSEC-2026-1 (fixed in: 0.6.2)" in result.stdout
    assert "No known vulnerabilities" not in result.stdout


def test_the_dependency_audit_never_calls_a_package_it_could_not_check_clean(tmp_path):
    skipped = "Dependency not found on PyPI and could not be audited: sqlparse (0.6.1)"
    result = audit_dependencies(
        tmp_path,
        [
            {"name": "Django", "version": "6.1.3", "vulns": []},
            {"name": "sqlparse", "skip_reason": skipped},
        ],
    )

    assert result.returncode == 0
    assert result.stdout == "No known vulnerabilities in the 1 of 2 packages that were audited.\n"
    assert result.stderr == (
        "pip-audit could not reach the vulnerability data for 1 of 2 packages; "
        "they are NOT audited: sqlparse 0.6.1\n"
    )


# -- uploads ------------------------------------------------------------------------------------
# Every upload is refused by its name and size before it is read: staff lists
# (orgs/tests/test_import_view.py), frameworks in the web UI (frameworks/tests/test_views.py),
# answers (surveys/tests/test_import_view.py, test_import_responses.py), usage
# (leadership/tests/test_views_usage.py) and materials (pilot/tests/test_materials.py) test both
# limits where they are; the two below had a test of the type only.


def test_an_offer_catalogue_over_the_size_limit_is_refused(client, analyst, settings):
    settings.IMPORT_MAX_BYTES = 100
    log_in_client(client, analyst)
    content = SimpleUploadedFile("offers.csv", b"provider,title_da\n" + b"x,y\n" * 50)

    response = client.post(reverse("offers:import"), {"file": content})

    assert response.status_code == 400
    assert field_error(
        "file", "The file is 218\xa0bytes; the largest file you can import is 100\xa0bytes."
    ) in html(response)
    assert not EducationOffer.objects.exists()


def test_a_framework_file_over_the_size_limit_is_refused_by_the_api(client, analyst, settings):
    settings.IMPORT_MAX_BYTES = 100
    token, _created = Token.objects.get_or_create(user=analyst.user)
    content = SimpleUploadedFile("ramme.csv", b"type,code,title_da\n" + b"domain,D1,x\n" * 20)

    response = client.post(
        "/api/v1/frameworks/import/",
        {"file": content},
        headers={"Authorization": f"Token {token.key}", "Accept-Language": "en"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Nothing was imported.",
        "problems": [
            {
                "where": "ramme.csv",
                "field": "",
                "reason": "The file is 259\xa0bytes; the largest file you can import is "
                "100\xa0bytes.",
            }
        ],
    }
    assert not Framework.objects.exists()
