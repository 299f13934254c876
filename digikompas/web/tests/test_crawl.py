"""A crawl of every page each role can reach, in Danish and in English (issue 9).

Each role of the cast logs in and follows every link of the site breadth-first from the start
page, first in Danish, then in English (switched with the button in the header). Each URL
pattern (its route and the names of its query parameters, so /pilot/modules/1/ and
/pilot/modules/2/ count once) is visited once per role and language: the server must answer it
200 (or redirect within the site), and an HTML page must pass axe-core (WCAG 2.1 AA) and log no
error in the browser.

The permission table of test_permissions.py says which pages a role may open; those the crawl
did not reach are opened directly (no link leads to some: a comparison is asked for with a form;
others are pages of a second object of a pattern already seen, such as the draft of a framework).
Following links must change nothing in the database: GET never changes state here. Last, each
form that posts to its own page is sent empty once, and its error state must pass axe-core too.

Time: axe-core is what costs (about half a second a page on the 2-core test machine). In Danish,
a page whose markup this or another role already showed – the same <main>, in the same frame of
header, menu and footer – is fetched and its links followed, but not checked again in the browser:
identical markup gives identical results; every distinct page body and frame is checked. In
English, every role still fetches every pattern (status, links), but each pattern is checked in
the browser once, by the first role that reaches it; the error states of forms are checked in
English, once per pattern.

The crawl runs on SQLite only. On PostgreSQL, test_permissions.py asks every URL of the site and
the API as every role of the same cast and checks the status (so a page that fails only there
fails that table), and every app's own browser tests, with axe, run there too. What the crawl
adds – axe on every page, the browser console, the links, the forms' error states – reads the
HTML, which the database does not change. Its one database check, that following links writes
nothing, is not repeated there: no GET runs code written for one database only. Running the
crawl on both would add about 4 minutes to a CI run of 23, against a limit of 30.
"""

import hashlib
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.apps import apps
from django.core import serializers
from django.db import connection
from django.urls import Resolver404, resolve, reverse

from digikompas.testing import AXE_JS, assert_accessible, log_in

# The permission table's cast: every role, and an object behind every URL of the table.
from .test_permissions import TABLE, cast  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="the HTML it checks is the same on both databases; on PostgreSQL every URL's "
        "status per role is checked by test_permissions.py (see the module's docstring)",
    ),
]

ROLES = [
    "staff",
    "library_leader",
    "municipal_leader",
    "analyst",
    "coordinator",
    "provider",
    "administrator",
]

# Links not followed: logging out would end the crawl; the admin is Django's own site; the API
# answers programs in JSON (its permissions: test_permissions.py; its schema: the API tests).
SKIPPED_PREFIXES = ("/accounts/logout/", "/admin/", "/api/v1/")
# ...but for the API's documentation, a page for people.
FOLLOWED_ANYWAY = ("/api/v1/docs/",)

# Pages axe-core is not run on (their status and the browser's console are still checked).
AXE_EXEMPT = {
    # Swagger UI, a third-party application for developers trying the API, whose markup
    # (buttons nested in buttons, grey on grey) is not ours to change.
    "api-docs",
}

# Rows that change when someone merely logs in or looks: sessions, when a second factor was last
# used, and the audit log of who viewed personal data.
VOLATILE_MODELS = {
    "sessions.session",
    "mfa.authenticator",
    "privacy.auditevent",
}

# Forms that are not sent empty: they delete, erase or log out.
DESTRUCTIVE = re.compile(r"delete|erase|deactivate|remove|logout|cancel", re.IGNORECASE)


def _pattern(url: str) -> tuple[str, tuple[str, ...]]:
    parts = urlsplit(url)
    try:
        route = resolve(parts.path).route
    except Resolver404:
        route = parts.path
    query_keys = {key for key, _value in parse_qsl(parts.query, keep_blank_values=True)}
    return route, tuple(sorted(query_keys))


def _url_name(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


class _Links(HTMLParser):
    """The links of a page, and whether it has a form with fields that posts to itself."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.self_posting_form = False
        self._form = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "fields": 0}
        elif (
            self._form is not None
            and tag in ("input", "select", "textarea")
            and attrs.get("type") not in ("hidden", "submit", "button")
        ):
            self._form["fields"] += 1

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            if self._form["fields"] and self._form["action"] in ("", "."):
                self.self_posting_form = True
            self._form = None


# Parts of a page that differ from response to response or person to person without changing
# what a reader of the page meets: CSRF tokens, nonces, the name of who is logged in, the
# address the language switch returns to.
_VARYING = [
    (re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*'), r"\1"),
    (re.compile(r'nonce="[^"]*"'), ""),
    (re.compile(r'(<span class="site-user">)[^<]*'), r"\1"),
    (re.compile(r'(name="next" value=")[^"]*'), r"\1"),
    # The title names the page, and the menu marks the part of the site it is in: one frame.
    (re.compile(r"(<title>).*?(</title>)", re.DOTALL), r"\1\2"),
    (re.compile(r' aria-current="page"'), ""),
]
_MAIN = re.compile(r"<main\b.*</main>", re.DOTALL)


def _fingerprints(html: str) -> tuple[str, str]:
    """Digests of the page's <main> and of the frame around it."""
    for pattern, replacement in _VARYING:
        html = pattern.sub(replacement, html)
    match = _MAIN.search(html)
    main = match.group(0) if match else ""
    frame = html.replace(main, "")
    return hashlib.sha256(main.encode()).hexdigest(), hashlib.sha256(frame.encode()).hexdigest()


class Crawl:
    """Walks the site as whoever is logged in on the page, in the page's current language.

    `checked` holds the fingerprints already checked in this language, shared by the roles."""

    def __init__(self, page, origin: str, checked: set, *, by_pattern: bool = False):
        self.page = page
        self.origin = origin
        self.checked = checked
        self.by_pattern = by_pattern
        self.problems: list[str] = []
        self.reached: set[str] = set()  # URL names
        self.forms: list[str] = []  # pages with a form that posts to itself
        self.console: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(str(error)))

    def _on_console(self, message) -> None:
        # The status of the page itself is checked apart (a form sent with errors answers 400).
        if message.type == "error" and not (
            message.text.startswith("Failed to load resource")
            and message.location.get("url") == self.page.url
        ):
            self.console.append(message.text)

    def _local(self, href: str) -> str | None:
        """The path (and query) of a link within the site that the crawl follows, if it is one."""
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            return None
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(SKIPPED_PREFIXES) and not path.startswith(FOLLOWED_ANYWAY):
            return None
        return path

    def run(self, start: str = "/") -> None:
        seen = {_pattern(start)}
        queue = deque([start])
        while queue:
            for href in self.visit(queue.popleft()):
                path = self._local(href)
                if path is not None and _pattern(path) not in seen:
                    seen.add(_pattern(path))
                    queue.append(path)

    def visit(self, path: str) -> list[str]:
        """Check one address; return the absolute addresses it links or redirects to."""
        url = self.origin + path
        # Asked outside the browser first, without following redirects: a download is no page,
        # and a redirect may lead off the site (a material that is a link), where this machine
        # cannot go.
        response = self.page.request.get(path, max_redirects=0)
        if response.status in (301, 302, 303, 307, 308):
            self.reached.add(_url_name(url))
            return [urljoin(url, response.headers["location"])]
        if response.status != 200:
            self.problems.append(f"{path}: HTTP {response.status}")
            return []
        self.reached.add(_url_name(url))
        if not response.headers.get("content-type", "").startswith("text/html"):
            response.dispose()
            return []
        html = response.text()
        links = _Links()
        links.feed(html)
        if links.self_posting_form:
            self.forms.append(path)
        done = {_pattern(path)} if self.by_pattern else set(_fingerprints(html))
        if not done <= self.checked:
            self.check_in_browser(path)
            self.checked |= done
        return [urljoin(url, href) for href in links.hrefs]

    def check_in_browser(self, path: str) -> None:
        self.console.clear()
        # Stylesheets load before the scripts at the end of the body run, so by then the page
        # has its looks; fonts and images do not matter to axe-core.
        response = self.page.goto(path, wait_until="domcontentloaded")
        if response.status != 200:
            self.problems.append(f"{path}: HTTP {response.status} in the browser")
            return
        self.check_page()

    def check_page(self) -> None:
        if _url_name(self.page.url) not in AXE_EXEMPT:
            try:
                assert_accessible(self.page)
            except AssertionError as error:
                self.problems.append(str(error))
        if self.console:
            self.problems.append(f"{self.page.url}: errors in the browser: {self.console}")
            self.console.clear()


def _database() -> set[str]:
    """Every row of the database, as JSON, but those of the volatile tables."""
    rows = set()
    for model in apps.get_models():
        if model._meta.label_lower not in VOLATILE_MODELS:
            for obj in model._default_manager.order_by("pk"):
                rows.add(serializers.serialize("json", [obj]))
    return rows


def _pages_for(member: str, cast) -> dict[str, str]:  # noqa: F811
    """Each page the permission table lets the member GET with a 200, with its address."""
    pages = {
        name: reverse(name, kwargs=kwargs(cast) if kwargs else None)
        for name, kwargs, method, expected in TABLE
        if method == "get" and expected[member] == 200
    }
    return {
        name: path
        for name, path in pages.items()
        if not path.startswith(SKIPPED_PREFIXES) or path.startswith(FOLLOWED_ANYWAY)
    }


def _send_empty(crawl: Crawl, path: str) -> None:
    """Send the first form of the page that posts to the page itself with every field emptied,
    and check the page it answers with (unless it took the empty input and went on: a page of
    a survey may be left unanswered until the end)."""
    page = crawl.page
    crawl.console.clear()
    page.goto(path)
    form = page.locator("main form[method=post]:is([action=''], [action='.'], :not([action]))")
    form = form.filter(has=page.locator("input:not([type=hidden]), select, textarea")).first
    with page.expect_navigation() as navigation:
        form.evaluate(
            """form => {
                for (const field of form.elements) {
                    if (field.type === "checkbox" || field.type === "radio") field.checked = false;
                    else if (field.tagName === "SELECT") field.value = "";
                    else if (!["hidden", "submit", "button"].includes(field.type)) field.value = "";
                }
                form.noValidate = true;
                form.requestSubmit();
            }"""
        )
    status = navigation.value.status
    if status >= 500:
        crawl.problems.append(f"{path}, sent empty: HTTP {status}")
    elif urlsplit(page.url).path == urlsplit(path).path:
        crawl.check_page()


def test_every_page_of_every_role_is_accessible_in_danish_and_english(
    page,
    live_server,
    cast,  # noqa: F811
):
    # axe-core in every page from its start, rather than sent with each check.
    page.context.add_init_script(path=AXE_JS)
    checked = {"da": set(), "en": set()}  # fingerprints in Danish, patterns in English
    forms_sent = set()
    problems, unopened, state_changes = [], {}, []
    for member in ROLES:
        person = cast[member]
        page.context.clear_cookies()
        log_in(page, person.user.email, totp_secret=getattr(person, "totp_secret", None))
        page.wait_for_url(lambda url: "/accounts/" not in url)
        before = _database()

        crawls = {}
        for language, switch in (("da", None), ("en", "English")):
            if switch:
                page.goto("/")
                page.get_by_role("button", name=switch).click()
                page.wait_for_selector(f"html[lang={language}]")
            crawl = crawls[language] = Crawl(
                page, live_server.url, checked[language], by_pattern=language == "en"
            )
            crawl.run()
            allowed = _pages_for(member, cast)
            for name, path in allowed.items():
                if name not in crawl.reached:
                    crawl.visit(path)
            unopened[member, language] = set(allowed) - crawl.reached
            problems += [f"[{member}, {language}] {p}" for p in crawl.problems]

        changed = before ^ _database()
        if changed:
            state_changes.append(f"{member}: {sorted(changed)[:6]}")

        crawl = crawls["en"]
        crawl.problems = []
        for path in crawl.forms:
            if not DESTRUCTIVE.search(path) and _pattern(path) not in forms_sent:
                forms_sent.add(_pattern(path))
                _send_empty(crawl, path)
        problems += [f"[{member}, a form sent empty] {p}" for p in crawl.problems]

    assert not problems, "\n".join(problems)
    assert not state_changes, "following links changed the database:\n" + "\n".join(state_changes)
    assert not any(unopened.values()), f"pages the permission table allows, not opened: {unopened}"
