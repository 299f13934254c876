"""The shared cast and the real parts every test may use: an SMTP server and Chromium.

The cast (healthchecks' alice/bob/charlie habit): in Odense, a staff member and the leader of
her library, a second Odense library and its leader, the municipal leader of Odense; in Aarhus,
a library, its staff member and leader, the municipal leader; and the national roles. Every user
logs in with PASSWORD.
"""

import email
import email.policy
import os
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache

from digikompas.orgs.models import (
    JobRole,
    Library,
    LibraryKind,
    Municipality,
    Region,
    Role,
)
from digikompas.orgs.reference import load_reference_data
from digikompas.testing import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CSP_VIOLATION,
    CSP_VIOLATION_LISTENER,
    PASSWORD,
    enable_totp,
    make_person,
)

# -- settings for every test -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_and_strict(settings, smtp_server, tmp_path_factory):
    # Uploaded files go to a folder of the test run's own, never into the project.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Mail goes through a real SMTP server on loopback; tests read what it received.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": smtp_server.hostname, "port": smtp_server.port, "timeout": 10},
        }
    }
    # Background tasks run at once, when the transaction that enqueued them commits.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    smtp_server.messages.clear()
    # Each test's surveys are its own, even where the database gives a new one an old id.
    from digikompas.surveys.services import clear_answering_cache

    clear_answering_cache()


# -- SMTP ---------------------------------------------------------------------------------------


class _Mailbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, controller, mailbox):
        self.hostname = controller.hostname
        self.port = controller.port
        self.messages = mailbox.messages

    @staticmethod
    def text_of(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield SMTPServer(controller, mailbox)
    finally:
        controller.stop()


# -- the cast -----------------------------------------------------------------------------------


@pytest.fixture
def reference_data(db):
    """Regions and municipalities; transactional tests flush them, so load them again."""
    if not Municipality.objects.exists():
        load_reference_data(Region, Municipality)


@pytest.fixture
def odense(reference_data):
    return Municipality.objects.get(name="Odense")


@pytest.fixture
def aarhus(reference_data):
    return Municipality.objects.get(name="Aarhus")


@pytest.fixture
def odense_main(odense):
    return Library.objects.create(
        municipality=odense, code="746100-01", name="Odense Hovedbibliotek", kind=LibraryKind.MAIN
    )


@pytest.fixture
def odense_branch(odense):
    return Library.objects.create(
        municipality=odense, code="746100-02", name="Vollsmose Bibliotek", kind=LibraryKind.BRANCH
    )


@pytest.fixture
def aarhus_main(aarhus):
    return Library.objects.create(
        municipality=aarhus, code="775100-01", name="Dokk1", kind=LibraryKind.MAIN
    )


@pytest.fixture
def staff(odense_main):
    return make_person("Alice Andersen", "alice@odense.example", library=odense_main)


@pytest.fixture
def library_leader(odense_main):
    return make_person(
        "Bent Bech",
        "bent@odense.example",
        library=odense_main,
        job_role=JobRole.LIBRARY_LEADER,
        grants=[(Role.LIBRARY_LEADER, odense_main)],
    )


@pytest.fixture
def branch_leader(odense_branch):
    return make_person(
        "Birgit Brix",
        "birgit@odense.example",
        library=odense_branch,
        job_role=JobRole.LIBRARY_LEADER,
        grants=[(Role.LIBRARY_LEADER, odense_branch)],
    )


@pytest.fixture
def municipal_leader(odense):
    return make_person(
        "Carla Clausen",
        "carla@odense.example",
        job_role=JobRole.HEAD_OF_LIBRARIES,
        grants=[(Role.MUNICIPAL_LEADER, odense)],
    )


@pytest.fixture
def other_staff(aarhus_main):
    return make_person("Dorthe Dahl", "dorthe@aarhus.example", library=aarhus_main)


@pytest.fixture
def other_leader(aarhus_main):
    return make_person(
        "Erik Eriksen",
        "erik@aarhus.example",
        library=aarhus_main,
        job_role=JobRole.LIBRARY_LEADER,
        grants=[(Role.LIBRARY_LEADER, aarhus_main)],
    )


@pytest.fixture
def other_municipal_leader(aarhus):
    return make_person(
        "Frida Frost",
        "frida@aarhus.example",
        job_role=JobRole.HEAD_OF_LIBRARIES,
        grants=[(Role.MUNICIPAL_LEADER, aarhus)],
    )


@pytest.fixture
def analyst(reference_data):
    person = make_person(
        "Gorm Grønbech", "gorm@kl.example", job_role=JobRole.OTHER, grants=[(Role.ANALYST, None)]
    )
    person.totp_secret = enable_totp(person.user)
    return person


@pytest.fixture
def coordinator(reference_data):
    return make_person(
        "Hanne Holm",
        "hanne@kl.example",
        job_role=JobRole.OTHER,
        grants=[(Role.EDUCATION_COORDINATOR, None)],
    )


@pytest.fixture
def provider(reference_data):
    return make_person(
        "Ib Iversen",
        "ib@provider.example",
        job_role=JobRole.OTHER,
        grants=[(Role.EDUCATION_PROVIDER, None)],
    )


@pytest.fixture
def administrator(reference_data):
    person = make_person(
        "Jytte Juhl",
        "jytte@kl.example",
        job_role=JobRole.OTHER,
        grants=[(Role.ADMINISTRATOR, None)],
    )
    person.user.is_staff = True
    person.user.is_superuser = True
    person.user.save()
    person.totp_secret = enable_totp(person.user)
    return person


@pytest.fixture
def outsider(db):
    """A login with no person behind it: can log in, may see nothing personal."""
    from digikompas.accounts.models import User

    return User.objects.create_user(email="outsider@example.com", password=PASSWORD)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, dropped at the end even when the live server's request threads (daemon
    threads that Chromium's keep-alive connections can leave waiting) still hold a session."""
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


# -- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
    # body are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.SITE_ROOT = live_server.url
    # The cache is a database table that flushing between browser tests leaves alone; a code of
    # the second factor remembered there as used by an earlier test would refuse this login.
    cache.clear()
    context = browser.new_context(locale="da-DK", base_url=live_server.url)
    context.set_default_timeout(10_000)
    # Whatever the Content Security Policy (settings.SECURE_CSP) refuses on any page of the test
    # is reported on the console, and fails the test when it ends.
    context.add_init_script(CSP_VIOLATION_LISTENER)
    violations = []

    def record_violation(message):
        if message.text.startswith(CSP_VIOLATION):
            violations.append(message.text)

    page = context.new_page()
    page.on("console", record_violation)
    yield page
    context.close()
    assert not violations, "Content Security Policy violations:\n" + "\n".join(violations)


# -- shipped content ----------------------------------------------------------------------------


@pytest.fixture
def default_framework(db):
    """The shipped default competence framework, published."""
    from digikompas.frameworks.services import load_default_framework

    framework, _created = load_default_framework()
    return framework
