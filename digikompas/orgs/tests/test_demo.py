"""The national demo: fictitious, repeatable, loaded once, and every demo login works.

Most facts are checked on generated data without the database; only two tests run the full
loader (about a second a load), so that this file stays fast.
"""

import re
from collections import Counter
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.test import override_settings
from django.utils.translation import gettext, override

from digikompas.orgs import demo, demo_names
from digikompas.orgs.models import JobRole, Library, LibraryKind, Municipality, Person, Role
from digikompas.orgs.reference import read_municipalities

ODENSE_MAIN = "746100-01"
# A line of the login table: title, e-mail address, password.
LOGIN_LINE = re.compile(r"^  (\S.*?)\s{2,}(\S+@demo\.digikompas\.dk)\s+(\S+)$", re.MULTILINE)


def facts_from_database():
    return [
        demo.MunicipalityFacts(m.code, m.name, m.population or 0)
        for m in Municipality.objects.all()
    ]


def rows(people):
    return sorted((p.email, p.library_code, p.job_role) for p in people)


@pytest.fixture(scope="module")
def municipalities():
    return [
        demo.MunicipalityFacts(int(row["code"]), row["name"], int(row["population"]))
        for row in read_municipalities()
    ]


@pytest.fixture(scope="module")
def generated(municipalities):
    return demo.generate(municipalities)


def load_demo(*args) -> str:
    out = StringIO()
    with override_settings(DEBUG=True):  # as under `make demo`
        call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_load_demo_refuses_a_server_with_debug_off(db):
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo", stdout=StringIO())
    assert not demo.is_loaded()


def demo_totp(email) -> str:
    out = StringIO()
    call_command("demo_totp", email, stdout=out)
    return out.getvalue().strip()


# -- the generator, without the database --------------------------------------------------------


def test_it_has_about_450_libraries_in_every_municipality(generated, municipalities):
    libraries = generated.libraries
    assert 0.95 * 450 <= len(libraries) <= 1.05 * 450
    assert len({lib.code for lib in libraries}) == len(libraries)
    assert len({(lib.municipality_code, lib.name) for lib in libraries}) == len(libraries)
    assert all(re.fullmatch(r"7\d{3}00-\d{2}", lib.code) for lib in libraries)

    mains = {lib.municipality_code: lib for lib in libraries if lib.kind == LibraryKind.MAIN}
    assert len(mains) == len(municipalities) == 98
    for m in municipalities:
        assert mains[m.code].code == f"7{m.code:03d}00-01"
        assert mains[m.code].name == f"{m.name} Hovedbibliotek"
    per_municipality = Counter(lib.municipality_code for lib in libraries)
    assert per_municipality[101] > per_municipality[825] >= 1  # København, Læsø

    for lib in libraries:
        if lib.kind == LibraryKind.MOBILE:
            assert lib.name.endswith(" Bogbussen")
        if lib.kind == LibraryKind.COMBINED:
            assert " Bibliotek og Borgerservice " in lib.name
    kinds = Counter(lib.kind for lib in libraries)
    assert kinds[LibraryKind.BRANCH] > kinds[LibraryKind.COMBINED] > 0
    assert kinds[LibraryKind.MOBILE] > 0


def test_it_has_about_5000_people_with_a_realistic_mix(generated):
    people = generated.people
    assert 0.95 * 5000 <= len(people) <= 1.05 * 5000
    staff = [p for p in people if p.role is None]
    roles = Counter(p.job_role for p in staff)
    assert set(roles) == {
        JobRole.LIBRARIAN,
        JobRole.LIBRARY_ASSISTANT,
        JobRole.COMMUNICATOR,
        JobRole.DIGITAL_GUIDE,
        JobRole.STUDENT_ASSISTANT,
    }
    assert roles[JobRole.LIBRARIAN] + roles[JobRole.LIBRARY_ASSISTANT] > 0.7 * len(staff)
    for job_role in (JobRole.COMMUNICATOR, JobRole.DIGITAL_GUIDE, JobRole.STUDENT_ASSISTANT):
        assert 0.03 * len(staff) < roles[job_role] < 0.15 * len(staff)

    # Main libraries are the biggest of their municipality.
    size = Counter(p.library_code for p in people if p.library_code)
    for lib in generated.libraries:
        assert size[lib.code] >= 2
        main = f"{lib.code[:6]}-01"
        assert size[main] >= size[lib.code]
    assert size["710100-01"] > 50  # København's main library


def test_it_gives_fictitious_danish_names_and_unique_demo_addresses(generated):
    assert len(demo_names.FEMALE_FIRST_NAMES) + len(demo_names.MALE_FIRST_NAMES) >= 60
    assert len(demo_names.SURNAMES) >= 40
    emails = [p.email for p in generated.people]
    assert len({e.lower() for e in emails}) == len(emails)
    logins = {login.email for login in demo.DEMO_LOGINS}
    assert logins <= set(emails)
    generated_address = re.compile(r"[a-z]+\.[a-z]+\.\d+@[a-z-]+\.demo\.digikompas\.dk")
    assert all(generated_address.fullmatch(e) for e in set(emails) - logins)
    assert any(e.endswith("@koebenhavn.demo.digikompas.dk") for e in emails)
    assert any(e.endswith("@lyngby-taarbaek.demo.digikompas.dk") for e in emails)
    assert demo.ascii_fold("Søren Kjær Østergaard Åen") == "soeren kjaer oestergaard aaen"


def test_every_library_has_one_leader_and_every_municipality_one_head(generated):
    leaders = Counter(p.library_code for p in generated.people if p.role == Role.LIBRARY_LEADER)
    assert leaders == Counter(lib.code for lib in generated.libraries)
    assert all(
        p.job_role == JobRole.LIBRARY_LEADER
        for p in generated.people
        if p.role == Role.LIBRARY_LEADER
    )
    heads = [p for p in generated.people if p.role == Role.MUNICIPAL_LEADER]
    assert sorted(p.municipality_code for p in heads) == sorted(
        {lib.municipality_code for lib in generated.libraries}
    )
    assert all(p.job_role == JobRole.HEAD_OF_LIBRARIES and p.library_code is None for p in heads)
    national = [p for p in generated.people if p.municipality_code is None]
    assert sorted(p.role for p in national) == sorted(
        [Role.ANALYST, Role.EDUCATION_COORDINATOR, Role.EDUCATION_PROVIDER, Role.ADMINISTRATOR]
    )
    assert all(p.job_role == JobRole.OTHER and p.library_code is None for p in national)


def test_the_demo_logins_are_people_of_odense_and_the_nation(generated):
    by_email = {p.email: p for p in generated.people}
    staff = by_email["medarbejder@demo.digikompas.dk"]
    assert (staff.library_code, staff.job_role, staff.role) == (
        ODENSE_MAIN,
        JobRole.LIBRARIAN,
        None,
    )
    leader = by_email["biblioteksleder@demo.digikompas.dk"]
    assert (leader.library_code, leader.role) == (ODENSE_MAIN, Role.LIBRARY_LEADER)
    head = by_email["kommuneleder@demo.digikompas.dk"]
    assert (head.municipality_code, head.role) == (461, Role.MUNICIPAL_LEADER)
    assert by_email["analytiker@demo.digikompas.dk"].role == Role.ANALYST
    assert by_email["administrator@demo.digikompas.dk"].role == Role.ADMINISTRATOR


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(generated, municipalities):
    again = demo.generate(list(reversed(municipalities)), seed=2026)
    assert rows(again.people) == rows(generated.people)
    assert [p.name for p in again.people] == [p.name for p in generated.people]
    assert again.libraries == generated.libraries

    other = demo.generate(municipalities, seed=7)
    assert rows(other.people) != rows(generated.people)
    assert [lib.name for lib in other.libraries] != [lib.name for lib in generated.libraries]


# -- the commands, with the database ------------------------------------------------------------


def test_load_demo_loads_once_and_reports_the_logins_the_second_time(
    reference_data, django_assert_max_num_queries
):
    first = load_demo()
    generated = demo.generate(facts_from_database())
    people = len(generated.people)
    assert "Loaded the national demo (seed 2026)" in first
    assert "All libraries and people of the demo are FICTITIOUS" in first
    assert (
        f"98 municipalities, 450 libraries, {people:,} people, 548 leaders "
        "(450 library leaders, 98 municipal leaders)"
    ) in first
    # The database holds exactly the generated data, with one leader per library and municipality.
    written = Person.objects.values_list("email", "library__code", "job_role")
    assert sorted(written) == rows(generated.people)
    leaders = Library.objects.annotate(
        n=Count("grants", filter=Q(grants__role=Role.LIBRARY_LEADER))
    )
    assert sorted({lib.n for lib in leaders}) == [1]
    heads = Municipality.objects.annotate(
        n=Count("grants", filter=Q(grants__role=Role.MUNICIPAL_LEADER))
    )
    assert sorted({m.n for m in heads}) == [1]

    # Loaded already: a handful of counting queries, nothing written.
    with django_assert_max_num_queries(10):
        second = load_demo()
    assert "The demo is loaded already; nothing changed" in second
    assert LOGIN_LINE.findall(second) == LOGIN_LINE.findall(first)
    assert len(LOGIN_LINE.findall(second)) == 7
    assert "python manage.py demo_totp analytiker@demo.digikompas.dk" in second
    assert (Person.objects.count(), Library.objects.count()) == (people, 450)

    reset = load_demo("--reset", "--seed", "7")
    assert "Loaded the national demo (seed 7)" in reset
    other = demo.generate(facts_from_database(), seed=7)
    assert sorted(Person.objects.values_list("email", "library__code", "job_role")) == rows(
        other.people
    )
    assert Library.objects.count() == 450
    assert Authenticator.objects.count() == 2


def test_load_demo_refuses_a_database_whose_libraries_are_in_the_way(odense_main):
    with pytest.raises(CommandError) as raised:
        load_demo()
    assert str(raised.value) == (
        "The library Odense Hovedbibliotek (746100-01) is in the way of the demo; the demo is "
        "meant for a database without libraries of its own."
    )
    assert list(Library.objects.all()) == [odense_main]
    assert not Person.objects.exists()


def _expected_on_start_page(login: demo.DemoLogin) -> tuple[str, str]:
    """The person's name and how the start page names their role (the page is in Danish)."""
    person = Person.objects.select_related("library").get(email=login.email)
    with override("da"):
        if login.role is None:
            role = gettext("Staff member at %(library)s") % {"library": person.library.name}
        else:
            role = str(Role(login.role).label)
    return person.name, role


def test_each_demo_login_logs_in_with_the_printed_password(client, reference_data):
    logins = LOGIN_LINE.findall(load_demo())
    assert len(logins) == 7
    by_email = {login.email: login for login in demo.DEMO_LOGINS}
    for _title, email, password in logins:
        login = by_email[email]
        expected_name, expected_role = _expected_on_start_page(login)
        # Frozen time: the code printed by demo_totp is the one allauth checks a moment later.
        with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
            response = client.post("/accounts/login/", {"login": email, "password": password})
            if login.totp_secret:
                assert Authenticator.objects.filter(user__email=email).exists()
                assert response.url == "/accounts/2fa/authenticate/"
                response = client.post(response.url, {"code": demo_totp(email)})
            assert response.status_code == 302
            assert response.url == "/"
            page = client.get("/")
        assert page.status_code == 200
        assert expected_name in page.text
        assert expected_role in page.text
        client.post("/accounts/logout/")


def test_demo_totp_refuses_addresses_outside_the_demo(analyst):
    with pytest.raises(CommandError) as raised:
        demo_totp(analyst.email)
    assert str(raised.value) == (
        "gorm@kl.example is not a demo login; demo_totp only prints codes for addresses "
        "ending in @demo.digikompas.dk."
    )


def test_demo_totp_refuses_a_demo_address_without_a_second_factor(db):
    with pytest.raises(CommandError) as raised:
        demo_totp("medarbejder@demo.digikompas.dk")
    assert str(raised.value).startswith(
        "medarbejder@demo.digikompas.dk has no authenticator app set up"
    )
