"""Helpers for tests: making people, logging in, checking accessibility."""

import functools
import os
from pathlib import Path

from digikompas.orgs.models import JobRole, Library, Municipality, Person, RoleGrant

PASSWORD = "correct horse battery staple"
ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = os.getenv("CHROMIUM", "/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Chromium's background services would try to reach the internet, which this machine cannot.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Reports every Content Security Policy violation of a page on its console, where the `page`
# fixture collects them (an init script: it runs in every page and frame before the page's own).
CSP_VIOLATION = "CSP violation:"
CSP_VIOLATION_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
  "CSP violation: " + event.effectiveDirective + " refused " + (event.blockedURI || "inline")
  + " in " + event.documentURI
  + (event.sourceFile ? " (" + event.sourceFile + ":" + event.lineNumber + ")" : "")
  + (event.sample ? ": " + event.sample : "")));
"""


def make_person(name, email, *, library=None, job_role=JobRole.LIBRARIAN, grants=(), login=True):
    from digikompas.accounts.models import User

    user = User.objects.create_user(email=email, password=PASSWORD) if login else None
    person = Person.objects.create(
        name=name, email=email, library=library, job_role=job_role, user=user
    )
    for role, unit in grants:
        RoleGrant.objects.create(
            person=person,
            role=role,
            library=unit if isinstance(unit, Library) else None,
            municipality=unit if isinstance(unit, Municipality) else None,
        )
    return person


def enable_totp(user):
    """Give a user a second factor, as analysts and administrators must have."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def assert_accessible(page):
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the current page; fail with what it found."""
    # Evaluated through the DevTools protocol, which the page's Content Security Policy does not
    # govern; a <script> tag added to the page would be refused by it (and reported as a
    # violation by the `page` fixture). A crawl loads it into every page beforehand.
    if not page.evaluate("typeof axe === 'object'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        # Only violations are reported, so only they are collected: half the time of a full run.
        """() => axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} – "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in result["violations"]
    ]
    assert not problems, f"axe-core on {page.url}:\n" + "\n".join(problems)


@functools.cache
def _axe_source() -> str:
    # Wrapped in a function so that Playwright runs it as a script, not as an expression.
    return "() => {\n" + AXE_JS.read_text() + "\n}"


def log_in(page, email, password=PASSWORD, *, totp_secret=None):
    """Log in through the login form. With the secret of a second factor, also give its code
    and wait until the login pages are left behind."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    if totp_secret is not None:
        page.fill("input[name=code]", totp_code(totp_secret))
        page.get_by_role("button", name="Log ind").click()
        page.wait_for_url(lambda url: "/accounts/" not in url)


def totp_code(secret: str) -> str:
    """The current six-digit code of an authenticator app holding this secret, taken early
    enough in its 30-second window that it is still valid when the form is sent."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


# -- pages through Django's test client ---------------------------------------------------------


def log_in_client(client, who):
    """Log a person (or a bare user) in on the test client, with English pages: the assertions
    name the English msgids, so they keep their meaning whatever the Danish catalogue says."""
    from django.conf import settings

    client.force_login(getattr(who, "user", who))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def html(response) -> str:
    """The page with the white space between tags and inside text collapsed, so that
    assertions can name a piece of markup without its indentation."""
    import re

    text = re.sub(r">[ \t\r\n]+<", "><", response.content.decode())
    return re.sub(r"[ \t\r\n]+", " ", text)


def message(text: str, level: str = "success") -> str:
    """A message as base.html shows it above the page."""
    from django.utils.html import escape

    role = "alert" if level == "error" else "status"
    return (
        f'<div class="alert alert-{level}" role="{role}"><div class="alert-body">'
        f'<p class="alert-text">{escape(text)}</p></div></div>'
    )


def field_error(name: str, text: str) -> str:
    """The error DKFDS shows under a form field."""
    from django.utils.html import escape

    return f'<span class="form-error-message" id="id_{name}_error">{escape(text)}</span>'
