"""OpenID Connect single sign-on, switched on by settings, against a discovery document served
by a real HTTP server on loopback."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest


class _Discovery(BaseHTTPRequestHandler):
    def do_GET(self):
        base = f"http://127.0.0.1:{self.server.server_port}"
        if self.path != "/.well-known/openid-configuration":
            self.send_error(404)
            return
        body = json.dumps(
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "userinfo_endpoint": f"{base}/userinfo",
                "jwks_uri": f"{base}/jwks",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def identity_provider():
    server = HTTPServer(("127.0.0.1", 0), _Discovery)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def sso(settings, identity_provider, reference_data):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "kommune",
                    "name": "Kommune-login",
                    "client_id": "digikompas-test",
                    "secret": "not-a-real-secret",
                    "settings": {"server_url": identity_provider},
                }
            ]
        }
    }
    return identity_provider


def test_the_login_page_offers_no_single_sign_on_by_default(client, reference_data):
    response = client.get("/accounts/login/")
    assert "Kommune-login" not in response.text


def test_the_login_page_offers_single_sign_on_when_configured(client, sso):
    response = client.get("/accounts/login/")
    assert "Kommune-login" in response.text


def test_single_sign_on_sends_the_browser_to_the_identity_provider(client, sso):
    response = client.post("/accounts/oidc/kommune/login/?process=login")

    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{sso}/authorize"
    query = parse_qs(location.query)
    assert query["client_id"] == ["digikompas-test"]
    assert query["response_type"] == ["code"]
    assert "openid" in query["scope"][0]
