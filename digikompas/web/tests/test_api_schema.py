"""The public description of the API: an OpenAPI 3 schema and Swagger UI from our own files."""

import importlib
import json
import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

import digikompas
from digikompas.api import API_MODULES, not_found, router

API_PREFIX = "api/v1/"
# Path converters and how the schema types their parameters.
PARAMETER_TYPES = {"int": "integer", "str": "string"}


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


# -- every route, documented --------------------------------------------------------------------


def api_routes(patterns=None, prefix=""):
    """(OpenAPI path, HTTP method, view) of every route under /api/v1/, read from the URL
    resolver rather than from the schema generator, so a route it skips cannot go unnoticed."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith(API_PREFIX) or API_PREFIX.startswith(route):
                yield from api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith(API_PREFIX):
            view = pattern.callback
            # The description itself, and the JSON 404 for everything else (tested below).
            if view is not_found or getattr(view, "cls", None) in (
                SpectacularAPIView,
                SpectacularSwaggerView,
            ):
                continue
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace("{pk}", "{id}")
            methods = getattr(view, "actions", None) or {
                method: method for method in view.cls.http_method_names if hasattr(view.cls, method)
            }
            for method in methods:
                if method not in ("head", "options"):
                    yield path, method, view


def test_every_api_route_and_method_is_in_the_schema(tmp_path, db):
    paths = generated_schema(tmp_path)["paths"]
    routes = {(path, method) for path, method, view in api_routes() if path != "/api/v1/"}
    documented = {(path, method) for path, operations in paths.items() for method in operations}
    assert routes - documented == set(), "routes missing from the schema"
    assert documented - routes == set(), "operations in the schema that no route serves"
    # Actions and the enrolment's cancel are routes of their own.
    assert ("/api/v1/programmes/{id}/effect/", "get") in routes
    assert ("/api/v1/frameworks/{id}/export/{file_format}/", "get") in routes
    assert ("/api/v1/enrolments/{id}/cancel/", "post") in routes


def test_only_the_router_root_is_left_out_of_the_schema(tmp_path, db):
    # It lists the endpoints' addresses, which the schema describes one by one.
    left_out = {path for path, _method, _view in api_routes()} - set(
        generated_schema(tmp_path)["paths"]
    )
    assert left_out == {"/api/v1/"}


def test_every_app_with_an_api_module_is_registered():
    package = Path(digikompas.__file__).parent
    modules = {
        importlib.import_module(f"digikompas.{path.parent.name}.api")
        for path in package.glob("*/api.py")
    }
    assert modules == set(API_MODULES)


def test_path_parameters_are_typed_as_their_converters(tmp_path, db):
    paths = generated_schema(tmp_path)["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["required"] is True
                    assert parameter["schema"]["type"] in PARAMETER_TYPES.values(), (
                        f"{method} {path} {parameter['name']}"
                    )
    export = paths["/api/v1/frameworks/{id}/export/{file_format}/"]["get"]["parameters"]
    by_name = {parameter["name"]: parameter["schema"] for parameter in export}
    assert by_name == {
        "id": {"type": "integer"},
        "file_format": {"type": "string", "enum": ["case", "csv", "xlsx"]},
    }
    region = paths["/api/v1/regions/{code}/"]["get"]["parameters"]
    assert [p["schema"] for p in region] == [{"type": "integer"}]


def test_every_operation_documents_its_answers_and_its_errors(tmp_path, db):
    paths = generated_schema(tmp_path)["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), where
            for code, response in responses.items():
                assert response.get("content"), f"{where} {code} has no body"
                if code.startswith("4"):
                    assert response["description"], f"{where} {code} is not described"
            # Every data endpoint: without a key, and for a role that may not.
            assert {"401", "403"} <= set(responses), where
            if "{" in path:
                assert "404" in responses, where
            if "requestBody" in operation:
                assert {"400", "415"} <= set(responses), where


def test_errors_are_described_with_their_bodies(tmp_path, db):
    schema = generated_schema(tmp_path)
    people = schema["paths"]["/api/v1/people/{id}/"]["get"]["responses"]
    assert people["404"] == {
        "description": "There is no such object, or it is not yours to see.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}},
    }
    assert people["401"]["description"] == "No API key was given, or the key is not valid."
    assert schema["components"]["schemas"]["Detail"]["required"] == ["detail"]
    # The list's filter is validated: a bad value is a 400 naming the field.
    libraries = schema["paths"]["/api/v1/libraries/"]["get"]["responses"]
    assert libraries["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationError"
    }
    # An operation's own 400 (a closed round) or, before it is reached, invalid input.
    enrol = schema["paths"]["/api/v1/enrolments/"]["post"]["responses"]["400"]
    assert enrol["content"]["application/json"]["schema"] == {
        "anyOf": [
            {"$ref": "#/components/schemas/Detail"},
            {"$ref": "#/components/schemas/ValidationError"},
        ]
    }


def test_downloads_name_the_media_types_they_send(tmp_path, db):
    paths = generated_schema(tmp_path)["paths"]
    export = paths["/api/v1/frameworks/{id}/export/{file_format}/"]["get"]["responses"]["200"]
    assert set(export["content"]) == {
        "application/json",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    report = paths["/api/v1/reports/{id}/download/"]["get"]["responses"]["200"]
    assert set(report["content"]) == {
        "application/pdf",
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


# -- paths that name no endpoint ----------------------------------------------------------------


def test_a_path_that_names_no_endpoint_is_a_json_404(client, staff):
    client.force_login(staff.user)
    for path in (
        "/api/v1/people/abc/",
        "/api/v1/people/-1/",
        "/api/v1/nothing/",
        "/api/v1/people/1%0A/",
    ):
        response = client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}


def test_a_post_to_a_path_that_names_no_endpoint_is_a_404_not_a_csrf_page(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/rounds/abc/invite/", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_endpoint_without_its_slash_is_still_found(client, staff):
    client.force_login(staff.user)
    response = client.get("/api/v1/people?library=746100-01")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/people/?library=746100-01"
    assert client.get("/api/v1/people/x").status_code == 404
