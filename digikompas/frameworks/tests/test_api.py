"""The competence frameworks in the JSON API: lists, one version in full, files in and out.

Who may call which endpoint is in digikompas/web/tests/test_permissions.py; these tests follow
what a program gets back. Requests ask for English answers.
"""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from digikompas.frameworks import services
from digikompas.frameworks.content import content_of
from digikompas.frameworks.models import Framework, FrameworkStatus

from .conftest import make_content

URL = "/api/v1/frameworks/"
IMPORT_URL = "/api/v1/frameworks/import/"


def auth(person) -> dict:
    """Headers for an API request with the person's key, answered in English."""
    token, _ = Token.objects.get_or_create(user=person.user)
    return {"Authorization": f"Token {token.key}", "Accept-Language": "en"}


def keys_and_versions(response) -> list[tuple[str, int, str]]:
    return [(f["key"], f["version"], f["status"]) for f in response.json()["results"]]


def upload(raw: bytes, name: str) -> dict:
    return {"file": SimpleUploadedFile(name, raw, content_type="application/octet-stream")}


@pytest.fixture
def published(framework):
    return services.publish(framework=framework)


# -- lists ---------------------------------------------------------------------------------------


def test_staff_list_only_published_versions(client, staff, published):
    services.new_version(framework=published)  # version 2, a draft
    response = client.get(URL, headers=auth(staff))
    assert response.status_code == 200
    assert keys_and_versions(response) == [("testramme", 1, "published")]
    assert response.json()["count"] == 1


def test_analysts_list_drafts_too(client, analyst, framework):
    with time_machine.travel(datetime(2026, 3, 14, 9, 30, tzinfo=UTC), tick=False):
        services.publish(framework=framework)
    draft = services.new_version(framework=framework)
    response = client.get(URL, headers=auth(analyst))
    # Ordered by key, the newest version first.
    assert keys_and_versions(response) == [("testramme", 2, "draft"), ("testramme", 1, "published")]
    assert response.json()["results"][0] == {
        "id": draft.pk,
        "identifier": str(draft.identifier),
        "key": "testramme",
        "version": 2,
        "status": "draft",
        "title": {"da": "Testramme for søgning", "en": "Test framework for searching"},
        "published_at": None,
        "competency_count": 3,
    }
    # In Danish time.
    assert response.json()["results"][1]["published_at"] == "2026-03-14T10:30:00+01:00"


def test_the_list_takes_a_fixed_number_of_queries(
    client, analyst, default_framework, django_assert_num_queries
):
    for key in ("anden", "tredje", "fjerde"):
        services.new_version(framework=services.create_framework(content=make_content(key=key)))
    headers = auth(analyst)
    # The token with its user, the caller's person, their grants, their second factor (an
    # analyst must have one), the count, the page with the competencies counted: no query per
    # framework.
    with django_assert_num_queries(6):
        response = client.get(URL, headers=headers)
    assert response.json()["count"] == 7
    assert len(response.json()["results"]) == 7


# -- one version ---------------------------------------------------------------------------------


def test_a_version_comes_with_its_scale_tree_and_profiles(client, staff, published):
    search = published.competencies.get(code="S.1")
    response = client.get(f"{URL}{published.pk}/", headers=auth(staff))
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("id", "key", "version", "status", "competency_count")} == {
        "id": published.pk,
        "key": "testramme",
        "version": 1,
        "status": "published",
        "competency_count": 3,
    }
    assert body["title"] == {"da": "Testramme for søgning", "en": "Test framework for searching"}
    assert body["description"] == {"da": "Til test.", "en": "For tests."}
    assert body["levels"] == [
        {"value": 0, "label": {"da": "Intet", "en": "None"},
         "description": {"da": "Kender det ikke.", "en": "Unaware."}},
        {"value": 1, "label": {"da": "Begynder", "en": "Beginner"},
         "description": {"da": "", "en": ""}},
        {"value": 2, "label": {"da": "Øvet", "en": "Practitioner"},
         "description": {"da": "", "en": ""}},
    ]  # fmt: skip
    assert [(d["code"], [c["code"] for c in d["competencies"]]) for d in body["domains"]] == [
        ("S", ["S.1", "S.2"]),
        ("L", ["L.1"]),
    ]
    domain = body["domains"][0]
    assert domain["identifier"] == str(published.domains.get(code="S").identifier)
    assert domain["title"] == {"da": "Søgning", "en": "Searching"}
    assert domain["description"] == {"da": "Om søgning.", "en": ""}
    assert domain["competencies"][0] == {
        "id": search.pk,
        "identifier": str(search.identifier),
        "code": "S.1",
        "title": {"da": "Søgning i eReolen", "en": "Searching eReolen"},
        "description": {
            "da": 'Finde "de rigtige" titler; også lydbøger,\nog podcasts.',
            "en": "",
        },
        "keywords": {"da": ["søgning", "ereolen"], "en": ["search"]},
        "descriptors": [
            {"level": 0, "text": {"da": "Kender ikke eReolen.", "en": "Does not know eReolen."}},
            {"level": 1, "text": {"da": "Søger med hjælp.", "en": "Searches with help."}},
            {"level": 2, "text": {"da": "Søger selv; hjælper, når det er let.",
                                  "en": "Searches alone, helps when easy."}},
        ],
    }  # fmt: skip
    # Required levels by competency code; a competency a profile does not name is left out.
    assert body["profiles"] == [
        {"job_role": "librarian", "library_kind": "",
         "note": {"da": "Bibliotekarer søger.", "en": "Librarians search."},
         "levels": {"S.1": 2, "S.2": 2, "L.1": 0}},
        {"job_role": "library_leader", "library_kind": "main", "note": {"da": "", "en": ""},
         "levels": {"S.1": 1, "L.1": 2}},
    ]  # fmt: skip


def test_a_version_takes_a_fixed_number_of_queries(
    client, staff, default_framework, django_assert_num_queries
):
    headers = auth(staff)
    # The token with its user, the caller's person, their grants, the framework (competencies
    # counted), its levels, domains, their competencies, their descriptors, the profiles and
    # their required levels with the competencies joined: none per domain or competency (the
    # default framework has 6 domains, 23 competencies and 8 profiles).
    with django_assert_num_queries(10):
        response = client.get(f"{URL}{default_framework.pk}/", headers=headers)
    assert response.status_code == 200
    assert response.json()["competency_count"] == 23


def test_a_draft_is_not_found_for_staff(client, staff, analyst, framework):
    response = client.get(f"{URL}{framework.pk}/", headers=auth(staff))
    assert response.status_code == 404
    # The same answer as for a number no framework has, so the draft is not confirmed to exist.
    assert client.get(f"{URL}999999/", headers=auth(staff)).json() == response.json()
    assert client.get(f"{URL}{framework.pk}/", headers=auth(analyst)).status_code == 200


def test_a_version_that_is_not_there_is_not_found_like_any_other_object(client, staff, db):
    assert client.get(f"{URL}999999/export/csv/", headers=auth(staff)).json() == {
        "detail": "Not found."
    }
    response = client.get(f"{URL}999999/", headers=auth(staff))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# -- files ----------------------------------------------------------------------------------------


def test_a_version_downloads_as_a_file(client, staff, published):
    response = client.get(f"{URL}{published.pk}/export/csv/", headers=auth(staff))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="testramme-v1.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[1][:2] == ["framework", "testramme"]

    response = client.get(f"{URL}{published.pk}/export/case/", headers=auth(staff))
    assert response["Content-Disposition"] == 'attachment; filename="testramme-v1-case.json"'
    assert json.loads(response.content)["CFDocument"]["identifier"] == str(published.identifier)


def test_an_unknown_file_format_is_not_found(client, staff, published, framework):
    response = client.get(f"{URL}{published.pk}/export/pdf/", headers=auth(staff))
    assert response.status_code == 404
    draft = services.new_version(framework=published)
    response = client.get(f"{URL}{draft.pk}/export/csv/", headers=auth(staff))
    assert response.status_code == 404


def test_an_analyst_imports_a_file_as_a_new_draft(client, analyst, published, content):
    exported = client.get(f"{URL}{published.pk}/export/xlsx/", headers=auth(analyst))
    published.delete()
    response = client.post(
        IMPORT_URL, upload(exported.content, "ramme.xlsx"), headers=auth(analyst)
    )
    assert response.status_code == 201
    imported = Framework.objects.get()
    assert response.json() == {
        "framework": {
            "id": imported.pk,
            "identifier": str(content.identifier),
            "key": "testramme",
            "version": 1,
            "status": "draft",
            "title": {"da": "Testramme for søgning", "en": "Test framework for searching"},
            "published_at": None,
            "competency_count": 3,
        },
        "notes": [],
    }
    assert content_of(imported) == content


def test_the_notes_of_an_import_come_back(client, analyst, db):
    package = {
        "CFDocument": {
            "identifier": "0b1c6f7e-2d55-4a47-9d0e-5b0d7f6d2a10",
            "title": "Digital Skills",
            "language": "en",
        },
        "CFItems": [
            {"identifier": "1d0b5c1a-90b3-4b57-8a8f-6c2a1f5e7b01", "humanCodingScheme": "A.1",
             "fullStatement": "Searching"},
        ],
    }  # fmt: skip
    response = client.post(
        IMPORT_URL, upload(json.dumps(package).encode(), "skills.json"), headers=auth(analyst)
    )
    assert response.status_code == 201
    assert response.json()["framework"]["key"] == "digital-skills"
    assert response.json()["notes"] == NOTES


NOTES = [
    "1 top-level item had nothing below it; it became a competency in a domain of its own: A.1.",
    "The package has no rubric: add a scale and descriptors before publishing.",
]


def test_a_file_with_problems_is_refused_with_every_problem(client, analyst, db):
    rows = [
        ["type", "code", "parent", "level", "title_da", "title_en"],
        ["framework", "ramme", "", "", "Ramme", ""],
        ["level", "", "", "x", "Lidt", ""],
        ["competency", "D.1", "E", "", "Andet", ""],
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    response = client.post(
        IMPORT_URL, upload(out.getvalue().encode(), "ramme.csv"), headers=auth(analyst)
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Nothing was imported.",
        "problems": [
            {"where": "row 3", "field": "level", "reason": "“x” is not a whole number."},
            {"where": "row 4", "field": "parent",
             "reason": "No domain with the code “E” comes before this row."},
        ],
    }  # fmt: skip
    assert not Framework.objects.exists()


def test_a_file_of_another_type_is_refused(client, analyst, db):
    response = client.post(IMPORT_URL, upload(b"%PDF-1.7", "ramme.pdf"), headers=auth(analyst))
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {
            "where": "ramme.pdf",
            "field": "",
            "reason": "Upload a CASE package (.json), a CSV file (.csv) or an Excel file (.xlsx).",
        }
    ]


def test_an_import_needs_a_file(client, analyst, db):
    response = client.post(IMPORT_URL, {}, headers=auth(analyst))
    assert response.status_code == 400
    assert response.json() == {"file": ["No file was submitted."]}


def test_staff_may_not_import(client, staff, published):
    exported = client.get(f"{URL}{published.pk}/export/csv/", headers=auth(staff))
    published.delete()
    response = client.post(IMPORT_URL, upload(exported.content, "ramme.csv"), headers=auth(staff))
    assert response.status_code == 403
    assert response.json() == {"detail": "Only analysts import frameworks."}
    assert not Framework.objects.exists()


def test_a_published_version_is_listed_with_its_date(client, staff, published):
    body = client.get(f"{URL}{published.pk}/", headers=auth(staff)).json()
    assert body["status"] == FrameworkStatus.PUBLISHED
    assert body["published_at"] is not None
