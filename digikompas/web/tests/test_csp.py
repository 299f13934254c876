"""The Content Security Policy (settings.SECURE_CSP): what every response says, that the pages
keep to it in a real browser, and that the browser tests would notice a page that does not.

Every browser test checks the policy: the `page` fixture fails a test in which Chromium refused
anything (conftest.py); these tests cover the pages with their own script or style."""

import pytest

from digikompas.orgs.models import Role
from digikompas.testing import CSP_VIOLATION, CSP_VIOLATION_LISTENER, log_in, make_person


def _directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_every_page_forbids_inline_script_framing_and_plugins(client, reference_data):
    directives = _directives(client.get("/accounts/login/"))

    assert directives["default-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    # No nonce either: the nonce appears only on a page that uses it.
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_the_api_documentation_runs_its_inline_script_by_the_request_nonce(client):
    response = client.get("/api/v1/docs/")

    directives = _directives(response)
    nonce = directives["script-src"][1].removeprefix("'nonce-").removesuffix("'")
    assert directives["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert f'<script nonce="{nonce}">' in response.text
    assert f'<style nonce="{nonce}">' in response.text
    # A new nonce for every request.
    assert nonce not in client.get("/api/v1/docs/").headers["Content-Security-Policy"]


@pytest.mark.browser
def test_the_api_documentation_works_under_the_policy(page, reference_data):
    page.goto("/api/v1/docs/")

    page.get_by_role("heading", name="digikompas API").wait_for()
    page.get_by_role("button", name="Authorize").wait_for()


@pytest.mark.browser
def test_an_analyst_sets_up_an_authenticator_app_under_the_policy(page, reference_data):
    """The QR code allauth draws is a data: image."""
    make_person("Ny Analytiker", "ny@kl.example", grants=[(Role.ANALYST, None)])
    log_in(page, "ny@kl.example")
    page.goto("/orgs/municipalities/")
    page.wait_for_url("**/accounts/2fa/totp/activate/**")

    qr_code = page.locator("main img").first
    qr_code.wait_for()
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")


@pytest.mark.browser
def test_a_browser_test_notices_a_page_that_breaks_the_policy(browser, live_server, staff):
    # The `page` fixture's listener, in a context of this test's own (the fixture would fail
    # this test at its end, which is the point).
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(CSP_VIOLATION_LISTENER)
    messages = []
    page = context.new_page()
    page.on("console", lambda message: messages.append(message.text))
    try:
        log_in(page, staff.email)
        page.wait_for_url("**/")
        # What an injected inline script and style attribute would do.
        with (
            page.expect_console_message(lambda m: "script-src-elem refused inline" in m.text),
            page.expect_console_message(lambda m: "style-src-attr refused inline" in m.text),
        ):
            page.evaluate(
                """() => {
                    const script = document.createElement("script");
                    script.textContent = "document.title = 'injected'";
                    document.body.append(script);
                    document.querySelector("h1").setAttribute("style", "color: red");
                }"""
            )
        assert page.title() != "injected"
    finally:
        context.close()

    refused = [text for text in messages if text.startswith(CSP_VIOLATION)]
    assert any(" script-src-elem refused inline " in text for text in refused), messages
    assert any(" style-src-attr refused inline " in text for text in refused), messages
