"""The read-only organisation API: regions, municipalities, libraries and the people in scope."""

import pytest
from rest_framework.authtoken.models import Token

from digikompas.orgs.models import Library, LibraryKind
from digikompas.testing import make_person

ORG_URLS = [
    "/api/v1/regions/",
    "/api/v1/regions/1083/",
    "/api/v1/municipalities/",
    "/api/v1/municipalities/461/",
    "/api/v1/libraries/",
    "/api/v1/people/",
]


def auth(person_or_user) -> dict:
    """Headers for an API request with the user's key, answered in English."""
    user = getattr(person_or_user, "user", person_or_user)
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}", "Accept-Language": "en"}


def emails(response) -> list[str]:
    return [person["email"] for person in response.json()["results"]]


@pytest.fixture
def cast(
    staff,
    library_leader,
    branch_leader,
    municipal_leader,
    other_staff,
    other_leader,
    other_municipal_leader,
    analyst,
    coordinator,
    provider,
    administrator,
):
    """Everyone with a person, so that each scope test can see what it must not show."""


# -- authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ORG_URLS)
def test_it_asks_anonymous_callers_for_a_token(client, reference_data, url):
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


# -- organisation facts --------------------------------------------------------------------------


def test_it_lists_the_regions(client, staff, django_assert_num_queries):
    headers = auth(staff)
    # The token with its user, the caller's person, their grants, the count, the page.
    with django_assert_num_queries(5):
        response = client.get("/api/v1/regions/", headers=headers)
    assert response.status_code == 200
    assert response.json()["count"] == 5
    assert response.json()["results"][0] == {"code": 1081, "name": "Region Nordjylland"}


def test_it_lists_the_municipalities_with_region_and_library_count(
    client, staff, odense_branch, aarhus_main, django_assert_num_queries
):
    headers = auth(staff)
    # The token with its user, the caller's person, their grants, the count, the page with the
    # region joined and the libraries counted, so no query per municipality.
    with django_assert_num_queries(5):
        response = client.get("/api/v1/municipalities/", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 98
    assert len(body["results"]) == 98
    by_code = {m["code"]: m for m in body["results"]}
    assert by_code[461] == {
        "code": 461,
        "name": "Odense",
        "region": 1083,
        "region_name": "Region Syddanmark",
        "population": 204895,
        "library_count": 2,
    }
    assert by_code[751]["library_count"] == 1
    assert by_code[101]["library_count"] == 0


def test_it_finds_a_municipality_by_its_code(client, staff):
    response = client.get("/api/v1/municipalities/751/", headers=auth(staff))
    assert response.status_code == 200
    assert response.json()["name"] == "Aarhus"
    assert response.json()["library_count"] == 0


@pytest.mark.parametrize("code", ["999", "abc"])
def test_it_reports_an_unknown_municipality_as_not_found(client, staff, code):
    response = client.get(f"/api/v1/municipalities/{code}/", headers=auth(staff))
    assert response.status_code == 404


def test_it_lists_the_libraries(
    client, staff, odense_branch, aarhus_main, django_assert_num_queries
):
    for number in range(3, 8):
        Library.objects.create(
            municipality=odense_branch.municipality,
            code=f"746100-0{number}",
            name=f"Filial {number}",
        )
    headers = auth(staff)
    # The token with its user, the caller's person, their grants, the count, the page with the
    # municipality joined for its code.
    with django_assert_num_queries(5):
        response = client.get("/api/v1/libraries/", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 8
    assert body["results"][0] == {
        "id": staff.library.pk,
        "code": "746100-01",
        "name": "Odense Hovedbibliotek",
        "kind": LibraryKind.MAIN,
        "municipality": 461,
    }
    assert [library["code"] for library in body["results"]][-1] == "775100-01"


def test_it_filters_libraries_by_municipality_code(client, staff, odense_branch, aarhus_main):
    response = client.get("/api/v1/libraries/", {"municipality": 461}, headers=auth(staff))
    assert [library["code"] for library in response.json()["results"]] == [
        "746100-01",
        "746100-02",
    ]
    response = client.get("/api/v1/libraries/", {"municipality": 101}, headers=auth(staff))
    assert response.json()["results"] == []


def test_it_rejects_a_municipality_filter_that_is_not_a_code(client, staff):
    response = client.get("/api/v1/libraries/", {"municipality": "Odense"}, headers=auth(staff))
    assert response.status_code == 400
    assert response.json() == {"municipality": ["A valid integer is required."]}


def test_it_shows_a_library_to_anyone_logged_in(client, other_staff, odense_branch):
    response = client.get(f"/api/v1/libraries/{odense_branch.pk}/", headers=auth(other_staff))
    assert response.status_code == 200
    assert response.json()["name"] == "Vollsmose Bibliotek"
    assert response.json()["kind"] == "branch"


def test_it_shows_organisation_facts_to_a_login_without_a_person(client, outsider, odense_main):
    response = client.get("/api/v1/libraries/", headers=auth(outsider))
    assert response.status_code == 200
    assert response.json()["count"] == 1


# -- people --------------------------------------------------------------------------------------

ODENSE_MAIN = ["alice@odense.example", "bent@odense.example"]
ODENSE = ["alice@odense.example", "bent@odense.example", "birgit@odense.example"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("staff", ["alice@odense.example"]),
        ("library_leader", ODENSE_MAIN),
        ("branch_leader", ["birgit@odense.example"]),
        # Ordered by name: Carla Clausen comes after the three Odense library people.
        ("municipal_leader", [*ODENSE, "carla@odense.example"]),
        ("other_leader", ["dorthe@aarhus.example", "erik@aarhus.example"]),
        ("other_municipal_leader", ["dorthe@aarhus.example", "erik@aarhus.example",
                                    "frida@aarhus.example"]),
        ("analyst", ["gorm@kl.example"]),
        ("coordinator", ["hanne@kl.example"]),
        ("provider", ["ib@provider.example"]),
    ],
)  # fmt: skip
def test_it_lists_only_the_people_in_the_callers_scope(client, cast, request, who, expected):
    response = client.get("/api/v1/people/", headers=auth(request.getfixturevalue(who)))
    assert response.status_code == 200
    assert emails(response) == expected
    assert response.json()["count"] == len(expected)


def test_it_lists_everyone_for_an_administrator(client, cast, administrator):
    response = client.get("/api/v1/people/", headers=auth(administrator))
    assert response.json()["count"] == 11
    assert "dorthe@aarhus.example" in emails(response)


def test_it_lists_no_one_for_a_login_without_a_person(client, cast, outsider):
    response = client.get("/api/v1/people/", headers=auth(outsider))
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_it_describes_a_person(client, library_leader, staff):
    karen = make_person("Karen Krog", "karen@odense.example", library=staff.library, login=False)
    response = client.get("/api/v1/people/", headers=auth(library_leader))
    assert response.json()["results"] == [
        {
            "id": staff.pk,
            "name": "Alice Andersen",
            "email": "alice@odense.example",
            "library": "746100-01",
            "job_role": "librarian",
            "has_login": True,
        },
        {
            "id": library_leader.pk,
            "name": "Bent Bech",
            "email": "bent@odense.example",
            "library": "746100-01",
            "job_role": "library_leader",
            "has_login": True,
        },
        {
            "id": karen.pk,
            "name": "Karen Krog",
            "email": "karen@odense.example",
            "library": "746100-01",
            "job_role": "librarian",
            "has_login": False,
        },
    ]


def test_it_filters_people_by_library_code(client, cast, municipal_leader, library_leader):
    response = client.get(
        "/api/v1/people/", {"library": "746100-02"}, headers=auth(municipal_leader)
    )
    assert emails(response) == ["birgit@odense.example"]
    # A library outside the caller's scope filters down to no one rather than leaking its staff.
    response = client.get("/api/v1/people/", {"library": "746100-02"}, headers=auth(library_leader))
    assert response.status_code == 200
    assert emails(response) == []


def test_it_keeps_the_query_count_of_the_people_list_flat(
    client, cast, administrator, odense_branch, django_assert_num_queries
):
    for number in range(10):
        make_person(f"Person {number}", f"p{number}@odense.example", library=odense_branch)
    headers = auth(administrator)
    # The token with its user, the caller's person, their grants, their second factor (an
    # administrator must have one), the count, the page with each person's library joined, and
    # the audit log's line (the page names other people).
    with django_assert_num_queries(7):
        response = client.get("/api/v1/people/", headers=headers)
    assert response.json()["count"] == 21


def test_it_shows_a_library_leader_a_person_of_their_library(client, library_leader, staff):
    response = client.get(f"/api/v1/people/{staff.pk}/", headers=auth(library_leader))
    assert response.status_code == 200
    assert response.json()["email"] == "alice@odense.example"


def test_it_shows_a_municipal_leader_a_person_of_any_library_in_the_municipality(
    client, municipal_leader, branch_leader
):
    response = client.get(f"/api/v1/people/{branch_leader.pk}/", headers=auth(municipal_leader))
    assert response.status_code == 200
    assert response.json()["library"] == "746100-02"


@pytest.mark.parametrize(
    ("who", "whom"),
    [
        ("library_leader", "branch_leader"),
        ("library_leader", "other_staff"),
        ("municipal_leader", "other_staff"),
        ("other_municipal_leader", "staff"),
        ("staff", "library_leader"),
        ("analyst", "staff"),
        ("outsider", "staff"),
    ],
)
def test_it_reports_a_person_outside_the_callers_scope_as_not_found(
    client, cast, outsider, request, who, whom
):
    caller = request.getfixturevalue(who)
    person = request.getfixturevalue(whom)
    response = client.get(f"/api/v1/people/{person.pk}/", headers=auth(caller))
    # The same answer as for an id no one has, so that the person is not confirmed to exist.
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert client.get("/api/v1/people/999999/", headers=auth(caller)).json() == response.json()


def test_it_shows_anyone_their_own_person(client, other_staff):
    response = client.get(f"/api/v1/people/{other_staff.pk}/", headers=auth(other_staff))
    assert response.status_code == 200
    assert response.json()["name"] == "Dorthe Dahl"
