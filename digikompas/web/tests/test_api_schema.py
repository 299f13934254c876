"""The public description of the API: an OpenAPI 3 schema and Swagger UI from our own files."""

import json
import re

from django.contrib.staticfiles import finders
from django.core.management import call_command

from digikompas.api import router


def generated_schema(tmp_path) -> dict:
    """The schema as `./manage.py spectacular --validate --fail-on-warn` writes it."""
    target = tmp_path / "schema.json"
    # Any warning (an unresolvable field, a path parameter of unknown type) raises here.
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--lang",
        "en",
        "--file",
        str(target),
    )
    return json.loads(target.read_text())


def test_the_schema_generates_without_warnings_and_validates(tmp_path, db):
    schema = generated_schema(tmp_path)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "digikompas API"


def test_the_schema_documents_every_registered_endpoint(tmp_path, db):
    paths = generated_schema(tmp_path)["paths"]
    for prefix, _viewset, _basename in router.registry:
        assert f"/api/v1/{prefix}/" in paths, f"{prefix}/ is missing from the schema"
    assert "/api/v1/people/{id}/" in paths
    assert "/api/v1/municipalities/{code}/" in paths


def test_the_schema_documents_token_authentication(tmp_path, db):
    schema = generated_schema(tmp_path)
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    assert {"tokenAuth": []} in schema["paths"]["/api/v1/people/"]["get"]["security"]


def test_the_schema_documents_the_filters(tmp_path, db):
    paths = generated_schema(tmp_path)["paths"]
    library_parameters = {p["name"] for p in paths["/api/v1/libraries/"]["get"]["parameters"]}
    assert library_parameters == {"municipality", "limit", "offset"}
    people_parameters = {p["name"] for p in paths["/api/v1/people/"]["get"]["parameters"]}
    assert people_parameters == {"library", "limit", "offset"}


def test_anyone_may_read_the_schema(client, db):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/people/" in response.json()["paths"]


def test_a_wrong_key_does_not_lock_a_reader_out_of_the_schema(client, db):
    response = client.get("/api/v1/schema/", headers={"Authorization": "Token nonsense"})
    assert response.status_code == 200


def test_swagger_ui_renders_from_our_own_static_files(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.text
    sidecar = "/static/drf_spectacular_sidecar/swagger-ui-dist/"
    assert f'<script src="{sidecar}swagger-ui-bundle.js">' in html
    assert f'<link rel="stylesheet" href="{sidecar}swagger-ui.css">' in html
    # Nothing from a CDN or any other host: every script and stylesheet is ours, and exists.
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references
    for reference in references:
        assert not re.match(r"(https?:)?//", reference), reference
        assert reference.startswith("/static/"), reference
        assert finders.find(reference.removeprefix("/static/")), f"{reference} is not shipped"
    assert "/api/v1/schema/" in html
