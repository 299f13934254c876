"""The competence-framework pages: reading, editing a draft, publishing, versions and files.

Who may open which page is in digikompas/web/tests/test_permissions.py; these tests follow what
a user sees. The pages are read in English (the language cookie), so the expected texts are the
English source strings whether or not the Danish catalogue has them yet.
"""

import csv
import dataclasses
import io
import json
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from digikompas.frameworks import services
from digikompas.frameworks.content import content_of
from digikompas.frameworks.models import (
    Competency,
    Descriptor,
    Framework,
    FrameworkStatus,
    TargetProfile,
)
from digikompas.testing import field_error, html, message
from digikompas.testing import log_in_client as log_in

from .conftest import foreign_package, make_content

NAME = "Test framework for searching (version 1)"
DEFAULT_TITLE = "Digital resources and digital leadership in the public library"
DEFAULT_KEY = "digitale-ressourcer-og-digitalt-lederskab"
LOCKED = (
    "Test framework for searching (version 1) is published and cannot be changed. "
    "Start a new version to make changes."
)


# -- helpers -------------------------------------------------------------------------------------


@pytest.fixture
def as_analyst(client, analyst):
    log_in(client, analyst)
    return client


@pytest.fixture
def as_staff(client, staff):
    log_in(client, staff)
    return client


@pytest.fixture
def published(framework):
    return services.publish(framework=framework)


def detail_url(framework) -> str:
    return reverse("frameworks:detail", args=[framework.pk])


def problem_row(where: str, field: str, reason: str) -> str:
    """A row of the problems table (frameworks/_problems.html)."""
    return f"<tr><td>{escape(where)}</td><td>{escape(field)}</td><td>{escape(reason)}</td></tr>"


def competency_section(response, competency) -> str:
    """The part of the detail page about one competency."""
    page = html(response)
    start = page.index(f'id="competency-{competency.pk}"')
    return page[start : page.index("</li>", start)]


def form_data(response, **changes) -> dict:
    """What a browser sends back from the form on the page, with some fields changed."""
    data = {}
    for field in response.context["form"]:
        value = field.value()
        data[field.html_name] = "" if value is None else value
    data.update(changes)
    return data


def formset_data(response, **changes) -> dict:
    formset = response.context["formset"]
    data = {field.html_name: field.value() for field in formset.management_form}
    for form in formset:
        for field in form:
            value = field.value()
            data[field.html_name] = "" if value is None else value
    data.update(changes)
    return data


def upload(raw: bytes, name: str) -> dict:
    return {"file": SimpleUploadedFile(name, raw, content_type="application/octet-stream")}


def csv_rows(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


# -- reading -------------------------------------------------------------------------------------


def test_staff_see_published_frameworks_but_not_drafts(as_staff, default_framework, framework):
    response = as_staff.get(reverse("frameworks:list"))
    assert response.status_code == 200
    assert f'<a href="{detail_url(default_framework)}">{DEFAULT_TITLE}</a>' in html(response)
    assert "Test framework for searching" not in response.text
    assert "Import a framework" not in response.text

    response = as_staff.get(detail_url(default_framework))
    assert response.status_code == 200
    assert f"<h1>{DEFAULT_TITLE}</h1>" in response.text
    # A published version, and staff change nothing: no draft panel, no new version.
    assert "This version is a draft" not in response.text
    assert "Start a new version from this one" not in response.text

    # A draft does not exist for them, on any of its pages.
    assert as_staff.get(detail_url(framework)).status_code == 404
    assert as_staff.get(reverse("frameworks:print", args=[framework.pk])).status_code == 404
    assert as_staff.get(reverse("frameworks:export", args=[framework.pk, "csv"])).status_code == (
        404
    )


def test_staff_are_told_when_nothing_is_published_yet(as_staff, framework):
    response = as_staff.get(reverse("frameworks:list"))
    assert "No competence framework has been published yet." in response.text


def test_analysts_see_drafts_too(as_analyst, default_framework, framework):
    response = as_analyst.get(reverse("frameworks:list"))
    assert response.status_code == 200
    page = html(response)
    # Ordered by key: the default framework, then the test framework; competencies counted.
    assert (
        f'<th scope="row"><a href="{detail_url(default_framework)}">{DEFAULT_TITLE}</a></th>'
        '<td>1</td><td>Published</td><td class="text-align-right">23</td>'
    ) in page
    assert (
        f'<th scope="row"><a href="{detail_url(framework)}">Test framework for searching</a></th>'
        '<td>1</td><td><span class="badge badge-small badge-warning">Draft</span></td>'
        '<td class="text-align-right">3</td><td>–</td>'
    ) in page

    response = as_analyst.get(detail_url(framework))
    assert response.status_code == 200
    assert "This version is a draft" in response.text
    assert "The draft is complete and can be published." in response.text


def test_the_detail_page_shows_the_tree_the_descriptors_and_the_profiles(as_analyst, framework):
    response = as_analyst.get(detail_url(framework))
    page = html(response)
    assert '<tr><td>0</td><th scope="row">None</th><td>Unaware.</td></tr>' in page
    search = framework.competencies.get(code="S.1")
    section = competency_section(response, search)
    assert section.startswith(
        f'id="competency-{search.pk}"><h4>S.1 Searching eReolen</h4>'
        # No English description: the Danish one, with its line break.
        "<p>Finde &quot;de rigtige&quot; titler; også lydbøger,<br>og podcasts.</p>"
        '<p class="muted">Keywords: search</p>'
        '<details class="details"><summary class="details-summary">'
        '<span class="details-summary-text">Levels of S.1</span></summary>'
        '<div class="details-text"><dl class="descriptor-list">'
        "<dt>0 None</dt><dd>Does not know eReolen.</dd>"
        "<dt>1 Beginner</dt><dd>Searches with help.</dd>"
        "<dt>2 Practitioner</dt><dd>Searches alone, helps when easy.</dd>"
        "</dl></div></details>"
        f'<div class="button-row"><a href="/frameworks/competencies/{search.pk}/">Edit S.1</a>'
        f'<form method="post" action="/frameworks/competencies/{search.pk}/delete/">'
    )
    assert section.endswith(
        '<button type="submit" class="button-unstyled">Delete S.1</button></form></div>'
    )
    # The competence need: a column per target profile, "–" where one requires nothing.
    librarian, leader = framework.profiles.order_by("job_role")
    assert (
        f'<th scope="col"><a href="/frameworks/profiles/{librarian.pk}/">Librarian</a></th>'
        f'<th scope="col"><a href="/frameworks/profiles/{leader.pk}/">'
        "Library leader (Main library)</a></th>"
    ) in page
    assert (
        '<tr><th scope="row">S.2 Guidance</th><td class="text-align-center">2</td>'
        '<td class="text-align-center"><span aria-label="No requirement">–</span></td></tr>'
    ) in page


def test_the_detail_page_of_the_default_framework_takes_a_fixed_number_of_queries(
    client, analyst, default_framework, django_assert_num_queries
):
    log_in(client, analyst)
    # The session, the user, the caller's person and their grants (actor_for), the second-factor
    # check (RequireMFAMiddleware), the framework; the tree: domains, their competencies, their
    # descriptors; the scale; the target profiles and their required levels; the version before
    # this one; the user's name in the page header; the versions of this key. None of them per
    # domain or competency: the default framework has 6 domains and 23 competencies.
    with django_assert_num_queries(15):
        response = client.get(detail_url(default_framework))
    assert response.status_code == 200
    assert response.text.count('class="framework-competency"') == 23

    # A draft also gets the publication check (content_of: the levels, descriptors,
    # competencies, domains, required levels and profiles) and names the version it is based on.
    draft = services.new_version(framework=default_framework)
    with django_assert_num_queries(15 + 6 + 1):
        response = client.get(detail_url(draft))
    assert "The draft is complete and can be published." in response.text


def test_the_print_view_shows_every_competency_and_every_descriptor(as_analyst, default_framework):
    response = as_analyst.get(reverse("frameworks:print", args=[default_framework.pk]))
    assert response.status_code == 200
    page = html(response)
    assert f"<h1>{DEFAULT_TITLE}</h1>" in page
    content = content_of(default_framework)
    competencies = list(content.competencies)
    assert len(competencies) == 23
    for domain in content.domains:
        assert f"<h2>{escape(domain.code)} {escape(domain.title.en)}</h2>" in page
    for competency in competencies:
        assert f"<h3>{escape(competency.code)} {escape(competency.title.en)}</h3>" in page
        for level in content.levels:
            row = (
                f'<tr><th scope="row">{level.value} {escape(level.label.en)}</th>'
                f"<td>{escape(competency.descriptors[level.value].en)}</td></tr>"
            )
            assert row in page, (competency.code, level.value)


# -- editing a draft ------------------------------------------------------------------------------


def test_an_analyst_edits_a_competency(as_analyst, framework):
    search = framework.competencies.get(code="S.1")
    url = reverse("frameworks:competency_edit", args=[search.pk])
    form = as_analyst.get(url)
    assert form.status_code == 200
    # The form holds what is stored: keywords as one line, a field per level and language.
    assert form.context["form"]["keywords_da"].value() == "søgning, ereolen"
    assert form.context["form"]["descriptor_2_en"].value() == "Searches alone, helps when easy."

    data = form_data(
        form,
        title_en="Searching eReolen and eReolen Go",
        keywords_en="a, b; c",
        descriptor_1_en="Searches with a colleague.",
    )
    response = as_analyst.post(url, data, follow=True)
    assert response.redirect_chain == [(detail_url(framework), 302)]
    assert message("The competency S.1 was saved.") in html(response)

    search.refresh_from_db()
    assert search.title_en == "Searching eReolen and eReolen Go"
    assert search.keywords_en == ["a", "b", "c"]
    assert search.keywords_da == ["søgning", "ereolen"]
    assert {d.level: (d.text_da, d.text_en) for d in search.descriptors.all()} == {
        0: ("Kender ikke eReolen.", "Does not know eReolen."),
        1: ("Søger med hjælp.", "Searches with a colleague."),
        2: ("Søger selv; hjælper, når det er let.", "Searches alone, helps when easy."),
    }
    section = competency_section(response, search)
    assert "<h4>S.1 Searching eReolen and eReolen Go</h4>" in section
    assert '<p class="muted">Keywords: a, b, c</p>' in section
    assert "<dt>1 Beginner</dt><dd>Searches with a colleague.</dd>" in section


def test_an_analyst_edits_the_title_and_description(as_analyst, framework):
    url = reverse("frameworks:edit", args=[framework.pk])
    data = form_data(as_analyst.get(url), title_en="Searching, a test", description_en="")
    response = as_analyst.post(url, data, follow=True)
    assert response.redirect_chain == [(detail_url(framework), 302)]
    assert message("The title and description were saved.") in html(response)
    page = html(response)
    assert "<h1>Searching, a test</h1>" in page
    # No English description: the Danish one shows.
    assert "</p><p>Til test.</p>" in page
    framework.refresh_from_db()
    assert (framework.title_da, framework.title_en) == (
        "Testramme for søgning",
        "Searching, a test",
    )


def test_a_refused_title_edit_leaves_the_page_showing_the_stored_title(as_analyst, framework):
    url = reverse("frameworks:edit", args=[framework.pk])
    data = form_data(as_analyst.get(url), title_da="", title_en="")
    response = as_analyst.post(url, data)
    assert response.status_code == 400
    assert field_error("title_da", "Write the title in Danish, English or both.") in (response.text)
    assert f'<a href="{detail_url(framework)}" class="breadcrumbs__link">{NAME}</a>' in (
        response.text
    )


def test_line_breaks_typed_in_a_browser_survive_an_export_and_import(as_analyst, framework):
    search = framework.competencies.get(code="S.1")
    url = reverse("frameworks:competency_edit", args=[search.pk])
    # Browsers send a textarea's line breaks as CRLF.
    data = form_data(as_analyst.get(url), description_en="Line one.\r\nLine two.")
    as_analyst.post(url, data)
    search.refresh_from_db()
    assert search.description_en == "Line one.\nLine two."

    edited = content_of(framework)
    exported = as_analyst.get(reverse("frameworks:export", args=[framework.pk, "xlsx"]))
    framework.delete()
    as_analyst.post(reverse("frameworks:import"), upload(exported.content, "t.xlsx"))
    assert content_of(Framework.objects.get()) == edited


def test_a_duplicate_competency_code_is_refused(as_analyst, framework):
    search = framework.competencies.get(code="S.1")
    url = reverse("frameworks:competency_edit", args=[search.pk])
    before = content_of(framework)
    data = form_data(as_analyst.get(url), code="S.2", title_en="Another title")
    response = as_analyst.post(url, data)
    assert response.status_code == 400
    assert field_error("code", "The code S.2 is already used in this framework.") in (response.text)
    assert "Nothing was saved. Correct the fields marked below." in response.text
    assert content_of(framework) == before


def test_a_competency_cannot_take_the_code_of_a_domain(as_analyst, framework):
    search = framework.competencies.get(code="S.1")
    url = reverse("frameworks:competency_edit", args=[search.pk])
    response = as_analyst.post(url, form_data(as_analyst.get(url), code="L"))
    assert response.status_code == 400
    assert field_error("code", "The code L is already used in this framework.") in (response.text)
    assert Competency.objects.get(pk=search.pk).code == "S.1"


def test_a_domain_needs_a_title_in_some_language(as_analyst, framework):
    url = reverse("frameworks:domain_new", args=[framework.pk])
    response = as_analyst.post(
        url,
        {"code": "D", "title_da": "", "title_en": "", "description_da": "", "description_en": ""},
    )
    assert response.status_code == 400
    assert field_error("title_da", "Write the title in Danish, English or both.") in response.text
    assert "<title>Error: New domain" in response.text
    assert not framework.domains.filter(code="D").exists()


def test_an_analyst_adds_a_domain_and_a_competency_in_it(as_analyst, framework):
    url = reverse("frameworks:domain_new", args=[framework.pk])
    response = as_analyst.post(
        url,
        {
            "code": " D ",
            "title_da": "Data",
            "title_en": "Data",
            "description_da": "Om data.",
            "description_en": "",
        },
        follow=True,
    )
    assert response.redirect_chain == [(detail_url(framework), 302)]
    assert message("The domain D was saved.") in html(response)
    domain = framework.domains.get(code="D")
    # A new domain comes after the others.
    assert list(framework.domains.order_by("position").values_list("code", flat=True)) == [
        "S",
        "L",
        "D",
    ]
    assert f'<h3 id="domain-{domain.pk}">D Data</h3><p>Om data.</p>' in html(response)

    url = reverse("frameworks:competency_new", args=[framework.pk])
    form = as_analyst.get(url, {"domain": domain.pk})
    assert form.context["form"]["domain"].value() == str(domain.pk)
    data = form_data(
        form,
        code="D.1",
        title_da="Datadrevet drift",
        title_en="Data-driven operation",
        keywords_da="data; statistik",
        descriptor_0_da="Bruger ikke data.",
        descriptor_1_da="Læser tal.",
        descriptor_2_da="Styrer efter data.",
        descriptor_2_en="Steers by data.",
    )
    response = as_analyst.post(url, data, follow=True)
    assert message("The competency D.1 was saved.") in html(response)
    competency = Competency.objects.get(framework=framework, code="D.1")
    assert competency.domain == domain
    assert competency.keywords_da == ["data", "statistik"]
    section = competency_section(response, competency)
    assert "<h4>D.1 Data-driven operation</h4>" in section
    assert "<dt>0 None</dt><dd>Bruger ikke data.</dd>" in section
    assert "<dt>2 Practitioner</dt><dd>Steers by data.</dd>" in section
    # Every level is described, so the draft can still be published.
    assert "The draft is complete and can be published." in response.text


def test_a_competency_needs_a_domain_to_go_in(as_analyst, db):
    empty = services.create_framework(content=make_content(domains=(), profiles=()))
    response = as_analyst.get(reverse("frameworks:competency_new", args=[empty.pk]), follow=True)
    assert response.redirect_chain == [(detail_url(empty), 302)]
    assert message("Add a domain before you add competencies.", "error") in html(response)


def test_deleting_a_domain_deletes_its_competencies(as_analyst, framework):
    domain = framework.domains.get(code="S")
    url = reverse("frameworks:domain_delete", args=[domain.pk])
    response = as_analyst.post(url, follow=True)
    assert response.redirect_chain == [(detail_url(framework), 302)]
    assert message("The domain S and its competencies were deleted.") in html(response)
    assert list(framework.domains.values_list("code", flat=True)) == ["L"]
    assert list(framework.competencies.values_list("code", flat=True)) == ["L.1"]
    assert not Descriptor.objects.filter(competency__code__startswith="S.").exists()
    assert "Searching eReolen" not in response.text


def test_deleting_a_competency(as_analyst, framework):
    guide = framework.competencies.get(code="S.2")
    response = as_analyst.post(
        reverse("frameworks:competency_delete", args=[guide.pk]), follow=True
    )
    assert message("The competency S.2 was deleted.") in html(response)
    assert list(framework.competencies.values_list("code", flat=True)) == ["S.1", "L.1"]
    assert "S.2 Guidance" not in response.text
    # The librarians' requirement in S.2 went with it.
    librarian = framework.profiles.get(job_role="librarian")
    assert librarian.targets.count() == 2


def test_an_analyst_adds_a_target_profile_with_levels(as_analyst, framework):
    search, _guide, lead = framework.competencies.order_by("domain__position", "position")
    url = reverse("frameworks:profile_new", args=[framework.pk])
    form = as_analyst.get(url)
    assert form.status_code == 200
    data = form_data(
        form,
        job_role="digital_guide",
        library_kind="branch",
        note_en="Guides help citizens.",
        **{f"level_{search.pk}": "2", f"level_{lead.pk}": "1"},
    )
    response = as_analyst.post(url, data, follow=True)
    assert response.redirect_chain == [(detail_url(framework), 302)]
    assert message("The target profile Digital guide (Branch) was saved.") in html(response)

    profile = framework.profiles.get(job_role="digital_guide")
    assert profile.library_kind == "branch"
    assert profile.note_en == "Guides help citizens."
    assert {t.competency.code: t.level for t in profile.targets.all()} == {"S.1": 2, "L.1": 1}
    # The profile is the first column of the competence need (ordered by job role).
    page = html(response)
    assert f'<a href="/frameworks/profiles/{profile.pk}/">Digital guide (Branch)</a>' in page
    assert (
        '<tr><th scope="row">S.2 Guidance</th><td class="text-align-center">'
        '<span aria-label="No requirement">–</span></td><td class="text-align-center">2</td>'
    ) in page


def test_an_analyst_changes_a_required_level(as_analyst, framework):
    librarian = framework.profiles.get(job_role="librarian")
    guide = framework.competencies.get(code="S.2")
    url = reverse("frameworks:profile_edit", args=[librarian.pk])
    form = as_analyst.get(url)
    assert form.context["form"][f"level_{guide.pk}"].value() == "2"
    response = as_analyst.post(url, form_data(form, **{f"level_{guide.pk}": ""}), follow=True)
    assert message("The target profile Librarian was saved.") in html(response)
    assert {t.competency.code: t.level for t in librarian.targets.all()} == {"S.1": 2, "L.1": 0}


def test_a_second_target_profile_for_the_same_role_and_kind_is_refused(as_analyst, framework):
    url = reverse("frameworks:profile_new", args=[framework.pk])
    data = form_data(as_analyst.get(url), job_role="librarian", library_kind="")
    response = as_analyst.post(url, data)
    assert response.status_code == 400
    error = "The framework already has a target profile for this job role and kind of library."
    assert field_error("job_role", error) in response.text
    assert framework.profiles.count() == 2

    # The same role in one kind of library is another profile.
    data = form_data(as_analyst.get(url), job_role="librarian", library_kind="mobile")
    assert as_analyst.post(url, data).status_code == 302
    assert framework.profiles.count() == 3


def test_deleting_a_target_profile(as_analyst, framework):
    leader = framework.profiles.get(job_role="library_leader")
    response = as_analyst.post(reverse("frameworks:profile_delete", args=[leader.pk]), follow=True)
    assert message("The target profile Library leader (Main library) was deleted.") in html(
        response
    )
    assert list(framework.profiles.values_list("job_role", flat=True)) == ["librarian"]


def test_an_analyst_edits_the_labels_of_the_scale(as_analyst, framework):
    url = reverse("frameworks:scale", args=[framework.pk])
    form = as_analyst.get(url)
    assert form.status_code == 200
    data = formset_data(form, **{"form-1-label_en": "Novice", "form-1-description_en": "New."})
    response = as_analyst.post(url, data, follow=True)
    assert response.redirect_chain == [(detail_url(framework), 302)]
    assert message("The scale was saved.") in html(response)
    assert '<tr><td>1</td><th scope="row">Novice</th><td>New.</td></tr>' in html(response)
    assert [(level.value, level.label_da, level.label_en) for level in framework.levels.all()] == [
        (0, "Intet", "None"),
        (1, "Begynder", "Novice"),
        (2, "Øvet", "Practitioner"),
    ]


def test_a_level_without_a_label_is_refused_with_a_message_about_the_label(as_analyst, framework):
    url = reverse("frameworks:scale", args=[framework.pk])
    data = formset_data(as_analyst.get(url), **{"form-1-label_da": "", "form-1-label_en": ""})
    response = as_analyst.post(url, data)
    assert response.status_code == 400
    assert field_error("form-1-label_da", "Write the label in Danish, English or both.") in (
        response.text
    )


def test_the_scale_form_does_not_add_levels(as_analyst, framework):
    url = reverse("frameworks:scale", args=[framework.pk])
    data = formset_data(
        as_analyst.get(url),
        **{"form-TOTAL_FORMS": "4", "form-3-label_da": "Ekspert", "form-3-label_en": "Expert"},
    )
    response = as_analyst.post(url, data)
    assert response.status_code in (302, 400)
    assert framework.levels.count() == 3


# -- a published version never changes -----------------------------------------------------------

EDIT_PAGES = [
    ("frameworks:edit", "framework"),
    ("frameworks:scale", "framework"),
    ("frameworks:domain_new", "framework"),
    ("frameworks:domain_edit", "domain"),
    ("frameworks:competency_new", "framework"),
    ("frameworks:competency_edit", "competency"),
    ("frameworks:profile_new", "framework"),
    ("frameworks:profile_edit", "profile"),
]
ACTIONS = [
    ("frameworks:publish", "framework"),
    ("frameworks:delete", "framework"),
    ("frameworks:domain_delete", "domain"),
    ("frameworks:competency_delete", "competency"),
    ("frameworks:profile_delete", "profile"),
]
# What an edit would send, had the page let it through.
CHANGES = {
    "code": "X",
    "domain": "",
    "title_da": "Ændret",
    "title_en": "Changed",
    "label_da": "Ændret",
    "job_role": "digital_guide",
    "library_kind": "",
}


def _part(framework, kind):
    return {
        "framework": framework,
        "domain": framework.domains.get(code="S"),
        "competency": framework.competencies.get(code="S.1"),
        "profile": framework.profiles.get(job_role="librarian"),
    }[kind]


@pytest.mark.parametrize(
    ("name", "kind", "method"),
    [(name, kind, method) for name, kind in EDIT_PAGES for method in ("get", "post")]
    + [(name, kind, "post") for name, kind in ACTIONS],
)
def test_a_published_version_cannot_be_changed(as_analyst, published, name, kind, method):
    before = content_of(published)
    url = reverse(name, args=[_part(published, kind).pk])
    send = getattr(as_analyst, method)
    response = send(url, CHANGES, follow=True) if method == "post" else send(url, follow=True)
    assert response.redirect_chain == [(detail_url(published), 302)]
    assert message(LOCKED, "error") in html(response)
    published.refresh_from_db()
    assert published.status == FrameworkStatus.PUBLISHED
    assert content_of(published) == before


# -- publishing, versions, deleting ---------------------------------------------------------------


def test_a_complete_draft_is_published(as_analyst, framework):
    moment = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        response = as_analyst.post(reverse("frameworks:publish", args=[framework.pk]), follow=True)
    assert response.redirect_chain == [(detail_url(framework), 302)]
    assert message(f"{NAME} is published.") in html(response)
    framework.refresh_from_db()
    assert framework.status == FrameworkStatus.PUBLISHED
    assert framework.published_at == moment
    assert "Version 1 · Published March 14, 2026" in html(response)
    assert "Start a new version from this one" in response.text
    assert "This version is a draft" not in response.text


def test_an_incomplete_draft_is_not_published_and_the_page_says_why(as_analyst, framework):
    lead = framework.competencies.get(code="L.1")
    url = reverse("frameworks:competency_edit", args=[lead.pk])
    # The analyst empties the descriptor of level 2.
    data = form_data(as_analyst.get(url), descriptor_2_da="", descriptor_2_en="")
    as_analyst.post(url, data)
    assert not lead.descriptors.filter(level=2).exists()

    response = as_analyst.post(reverse("frameworks:publish", args=[framework.pk]), follow=True)
    assert response.redirect_chain == [(detail_url(framework), 302)]
    page = html(response)
    assert message(f"{NAME} cannot be published yet: see what is missing below.", "error") in page
    assert "There is 1 problem, listed in the table below." in page
    assert problem_row("competency L.1", "descriptors", "No descriptor for level 2.") in page
    assert '<dt>2 Practitioner</dt><dd><span class="muted">No descriptor yet.</span></dd>' in (
        competency_section(response, lead)
    )
    framework.refresh_from_db()
    assert framework.status == FrameworkStatus.DRAFT
    assert framework.published_at is None


def test_a_new_version_starts_as_a_draft_copy(as_analyst, published):
    response = as_analyst.post(reverse("frameworks:new_version", args=[published.pk]), follow=True)
    draft = Framework.objects.get(key="testramme", version=2)
    assert response.redirect_chain == [(detail_url(draft), 302)]
    assert message(
        "A new draft, Test framework for searching (version 2), was started as a copy of version 1."
    ) in html(response)
    assert draft.status == FrameworkStatus.DRAFT
    assert draft.based_on == published
    page = html(response)
    assert "Version 2 · <strong>Draft</strong> · based on version 1" in page
    compare = f"/frameworks/compare/?old={published.pk}&amp;new={draft.pk}"
    assert f'<a href="{compare}">What changed since version 1</a>' in page
    assert (
        "<h2>Versions</h2><ul><li>Version 2 (this page) – Draft</li>"
        f'<li><a href="{detail_url(published)}">Version 1</a> – Published</li></ul>'
    ) in page
    # The same content under a new identifier, so the two versions compare as identical.
    original = content_of(published)
    assert content_of(draft) == dataclasses.replace(original, identifier=draft.identifier)
    assert draft.identifier != published.identifier


def test_an_analyst_deletes_a_draft(as_analyst, framework):
    response = as_analyst.post(reverse("frameworks:delete", args=[framework.pk]), follow=True)
    assert response.redirect_chain == [(reverse("frameworks:list"), 302)]
    assert message(f"The draft {NAME} was deleted.") in html(response)
    assert not Framework.objects.exists()
    assert not Competency.objects.exists()
    assert not TargetProfile.objects.exists()


# -- comparing versions ---------------------------------------------------------------------------


@pytest.fixture
def second_version(published):
    """Version 2: S.1 retitled in English with a new level-2 descriptor, S.2 gone, L.2 new."""
    draft = services.new_version(framework=published)
    search = draft.competencies.get(code="S.1")
    search.title_en = "Searching eReolen and eReolen Go"
    services.save_competency(
        competency=search,
        descriptors={2: ("Søger selv og hjælper kolleger.", "Searches alone, helps colleagues.")},
    )
    services.delete_competency(competency=draft.competencies.get(code="S.2"))
    services.save_competency(
        competency=Competency(domain=draft.domains.get(code="L"), code="L.2", title_da="Strategi"),
        descriptors={},
    )
    return draft


def test_the_comparison_shows_what_was_added_removed_and_changed(
    as_analyst, published, second_version
):
    response = as_analyst.get(
        reverse("frameworks:compare"), {"old": published.pk, "new": second_version.pk}
    )
    assert response.status_code == 200
    page = html(response)
    assert (
        '<h2 id="changes">From Test framework for searching (version 1) to '
        "Test framework for searching (version 2)</h2>"
    ) in page
    # Added, removed, changed competencies, and the profile that lost its requirement in S.2.
    assert '<p role="status">4 changes.</p>' in page
    assert '<p>Added:</p><ul><li class="diff-new">L.2 Strategi</li></ul>' in page
    assert '<p>Removed:</p><ul><li class="diff-old">S.2 Guidance</li></ul>' in page
    assert "<h4>S.1 Searching eReolen and eReolen Go</h4>" in page
    assert (
        '<tr><th scope="row">title (English)</th><td class="diff-old">Searching eReolen</td>'
        '<td class="diff-new">Searching eReolen and eReolen Go</td></tr>'
    ) in page
    assert (
        '<tr><th scope="row">descriptor, level 2 (English)</th>'
        '<td class="diff-old">Searches alone, helps when easy.</td>'
        '<td class="diff-new">Searches alone, helps colleagues.</td></tr>'
    ) in page
    assert "<h3>Target profiles</h3><h4>Librarian</h4>" in page
    assert (
        '<tr><th scope="row">required level, S.2</th><td class="diff-old">2</td>'
        '<td class="diff-new">–</td></tr>'
    ) in page


def test_two_identical_versions_compare_as_identical(as_analyst, published):
    copy = services.new_version(framework=published)
    response = as_analyst.get(reverse("frameworks:compare"), {"old": published.pk, "new": copy.pk})
    assert response.status_code == 200
    assert '<p role="status">The two versions are identical.</p>' in response.text


@pytest.mark.parametrize(
    "query",
    [{"old": "abc", "new": "1"}, {"old": "999", "new": "1"}, {"old": "1"}],
    ids=["not-a-number", "no-such-version", "one-missing"],
)
def test_the_comparison_refuses_invalid_parameters(as_analyst, published, query):
    response = as_analyst.get(reverse("frameworks:compare"), query)
    assert response.status_code == 400
    assert "<title>Error: Compare two versions" in response.text
    assert 'id="changes"' not in response.text


def test_staff_cannot_compare_a_draft(as_staff, published, second_version):
    response = as_staff.get(
        reverse("frameworks:compare"), {"old": published.pk, "new": second_version.pk}
    )
    assert response.status_code == 400
    error = "Select a valid choice. That choice is not one of the available choices."
    assert field_error("new", error) in response.text
    assert "Strategi" not in response.text


# -- files ----------------------------------------------------------------------------------------


def test_a_framework_downloads_as_csv(as_staff, published):
    response = as_staff.get(reverse("frameworks:export", args=[published.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="testramme-v1.csv"'
    rows = csv_rows(response.content)
    assert rows[0][:6] == ["type", "code", "parent", "level", "identifier", "title_da"]
    assert rows[1][:2] == ["framework", "testramme"]
    assert rows[6][:3] == ["competency", "S.1", "S"]


def test_a_framework_downloads_as_excel(as_staff, published):
    response = as_staff.get(reverse("frameworks:export", args=[published.pk, "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="testramme-v1.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]][:2] == ["framework", "testramme"]


def test_a_framework_downloads_as_a_case_package(as_staff, published):
    response = as_staff.get(reverse("frameworks:export", args=[published.pk, "case"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="testramme-v1-case.json"'
    package = json.loads(response.content)
    assert package["CFDocument"]["identifier"] == str(published.identifier)
    assert package["CFDocument"]["adoptionStatus"] == "Adopted"
    assert [item["humanCodingScheme"] for item in package["CFItems"]] == [
        "S",
        "S.1",
        "S.2",
        "L",
        "L.1",
    ]


def test_an_unknown_file_format_is_not_found(as_staff, published):
    response = as_staff.get(reverse("frameworks:export", args=[published.pk, "pdf"]))
    assert response.status_code == 404


def test_an_exported_csv_file_imports_as_a_new_draft(as_analyst, default_framework):
    exported = as_analyst.get(reverse("frameworks:export", args=[default_framework.pk, "csv"]))
    original = content_of(default_framework)
    default_framework.delete()

    response = as_analyst.post(
        reverse("frameworks:import"), upload(exported.content, f"{DEFAULT_KEY}-v1.csv"),
        follow=True,
    )  # fmt: skip
    imported = Framework.objects.get()
    assert response.redirect_chain == [(detail_url(imported), 302)]
    assert message(f"{DEFAULT_TITLE} (version 1) was imported as a draft.") in html(response)
    assert imported.status == FrameworkStatus.DRAFT
    assert content_of(imported) == original


def test_a_csv_file_with_another_key_imports_beside_the_original(as_analyst, framework):
    exported = as_analyst.get(reverse("frameworks:export", args=[framework.pk, "csv"]))
    rows = csv_rows(exported.content)
    identifier = rows[0].index("identifier")
    # Another key, and no identifier for the framework: it is derived from the new key.
    rows[1][1], rows[1][identifier] = "anden-ramme", ""

    response = as_analyst.post(
        reverse("frameworks:import"), upload(csv_bytes(rows), "anden.csv"), follow=True
    )
    copy = Framework.objects.get(key="anden-ramme")
    assert response.redirect_chain == [(detail_url(copy), 302)]
    assert message(f"{NAME} was imported as a draft.") in html(response)
    assert Framework.objects.count() == 2
    assert content_of(copy).domains == content_of(framework).domains


def test_importing_a_framework_that_is_already_here_imports_nothing(as_analyst, framework):
    exported = as_analyst.get(reverse("frameworks:export", args=[framework.pk, "case"]))
    response = as_analyst.post(reverse("frameworks:import"), upload(exported.content, "t.json"))
    assert response.status_code == 400
    assert problem_row(
        "framework", "identifier", f"This framework is already here as {NAME}."
    ) in html(response)
    assert Framework.objects.count() == 1


def test_the_notes_of_a_foreign_case_package_are_shown(as_analyst, db):
    response = as_analyst.post(
        reverse("frameworks:import"), upload(foreign_package(), "skills.json"), follow=True
    )
    imported = Framework.objects.get()
    assert response.redirect_chain == [(detail_url(imported), 302)]
    # The import, then what the file held that was not kept, each in a message of its own.
    page = html(response)
    shown = [
        message("Digital Skills (version 1) was imported as a draft."),
        message("These associations were not kept (type and number): isRelatedTo 1.", "warning"),
        message(
            "The package has no rubric: add a scale and descriptors before publishing.", "warning"
        ),
    ]
    assert "".join(shown) in page
    assert imported.key == "digital-skills"
    assert list(imported.competencies.values_list("code", "title_en")) == [("A.1", "Searching")]


def test_a_broken_file_shows_every_problem_and_imports_nothing(as_analyst, framework):
    exported = as_analyst.get(reverse("frameworks:export", args=[framework.pk, "csv"]))
    framework.delete()
    rows = csv_rows(exported.content)
    first_s1 = [row[1] for row in rows].index("S.1") + 1
    rows += [
        ["level", "", "", "x", "", "Ekspert", "Expert"],
        ["competency", "S.1", "L", "", "", "Igen", "Again"],
        ["descriptor", "", "L.2", "1", "", "", "", "Mester.", ""],
        ["required", "", "X.9", "1", "", "", "", "", "", "", "", "librarian", ""],
    ]
    response = as_analyst.post(reverse("frameworks:import"), upload(csv_bytes(rows), "t.csv"))
    assert response.status_code == 400
    page = html(response)
    assert "<title>Error: Import a framework" in page
    assert "Nothing was imported. Correct the file and upload it again." in page
    n = len(rows)
    problems = re.findall(r"<tr><td>.*?</td></tr>", page[page.index('id="problems"') :])
    assert problems == [
        problem_row(f"row {n - 3}", "level", "“x” is not a whole number."),
        problem_row(f"row {n - 2}", "code", f"The code S.1 is in row {first_s1} already."),
        problem_row(f"row {n - 1}", "parent", PROBLEM_NO_L2),
        problem_row(f"row {n}", "parent", PROBLEM_NO_X9),
    ]
    assert "There are 4 problems, listed in the table below." in page
    assert not Framework.objects.exists()


PROBLEM_NO_L2 = "No competency with the code “L.2” comes before this row."
PROBLEM_NO_X9 = "No competency with the code “X.9” comes before this row."


def file_error(message):
    """The error shown under the file field of the import form."""
    return f'<span class="form-error-message" id="id_file_error">{message}</span>'


def test_a_file_of_another_type_is_refused(as_analyst, db):
    response = as_analyst.post(reverse("frameworks:import"), upload(b"%PDF-1.7", "ramme.pdf"))
    assert response.status_code == 400
    assert file_error(
        "Upload a CASE package (.json), a CSV file (.csv) or an Excel file (.xlsx)."
    ) in html(response)
    assert not Framework.objects.exists()


def test_a_file_over_the_limit_is_refused(as_analyst, framework, settings):
    exported = as_analyst.get(reverse("frameworks:export", args=[framework.pk, "csv"]))
    framework.delete()
    settings.IMPORT_MAX_BYTES = 1000
    response = as_analyst.post(reverse("frameworks:import"), upload(exported.content, "t.csv"))
    assert response.status_code == 400
    size = f"{len(exported.content) / 1024:.1f}\xa0KB"
    reason = f"The file is {size}; the largest file you can import is 1000\xa0bytes."
    assert file_error(reason) in html(response)
    assert not Framework.objects.exists()


def test_a_case_package_with_an_invalid_key_is_refused(as_analyst, db):
    package = json.loads(foreign_package())
    package["CFDocument"]["extensions"] = {"digikompas": {"key": 'min "ramme"/2\n'}}
    raw = json.dumps(package).encode()
    response = as_analyst.post(reverse("frameworks:import"), upload(raw, "skills.json"))
    assert response.status_code == 400
    assert not Framework.objects.exists()


def test_the_import_form_asks_for_a_file(as_analyst, db):
    response = as_analyst.post(reverse("frameworks:import"), {})
    assert response.status_code == 400
    assert field_error("file", "This field is required.") in response.text
