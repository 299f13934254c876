"""The pages of the offer catalogue: finding offers, reading one, editing offers, their
competencies and providers, and importing and exporting catalogue files.

Who may open which page is also in digikompas/web/tests/test_permissions.py; these tests follow
what a user sees. The pages are read in English (the language cookie), so the expected texts are
the English source strings whether or not the Danish catalogue has them yet.
"""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from digikompas.frameworks.models import Competency
from digikompas.offers.importing import COLUMNS
from digikompas.offers.models import (
    EducationOffer,
    OfferCompetency,
    OfferFormat,
    OfferKind,
    Provider,
    ProviderKind,
    RejectedSuggestion,
)
from digikompas.testing import assert_accessible, field_error, html, message
from digikompas.testing import log_in_client as log_in

CATALOGUE = reverse("offers:catalogue")
HEADER = "provider,title_da,kind,format,online,place,competencies"


# -- helpers -------------------------------------------------------------------------------------


def titles(response) -> list[str]:
    return [offer.title for offer in response.context["page"]]


def make_offer(provider, title_da, **fields) -> EducationOffer:
    values = {"kind": OfferKind.CONTINUING, "format": OfferFormat.COURSE, "online": True}
    offer = EducationOffer(provider=provider, title_da=title_da, **{**values, **fields})
    offer.full_clean()
    offer.save()
    return offer


def cover(offer, framework, code, level) -> OfferCompetency:
    competency = Competency.objects.get(framework=framework, code=code)
    return OfferCompetency.objects.create(offer=offer, competency=competency, level_reached=level)


def offer_data(provider, **changes) -> dict:
    """What the offer form sends for a valid course in Odense (checkboxes left out are off)."""
    data = {
        "provider": provider.pk,
        "title_da": "Digital formidling",
        "title_en": "Digital dissemination",
        "description_da": "",
        "description_en": "",
        "kind": "continuing",
        "format": "course",
        "ects": "",
        "hours": "",
        "duration": "",
        "price_dkk": "",
        "language": "da",
        "place": "Odense",
        "start_dates": "",
        "link": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def upload(text: str, name: str = "offers.csv") -> dict:
    return {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")}


@pytest.fixture
def komponent(provider):
    """A provider maintained by Ib, the person with the education provider role."""
    komponent = Provider.objects.create(name="Komponent", kind=ProviderKind.OTHER)
    komponent.maintainers.add(provider)
    return komponent


@pytest.fixture
def infomedia(db):
    """A provider nobody in the cast maintains."""
    return Provider.objects.create(name="Infomedia", kind=ProviderKind.VENDOR)


@pytest.fixture
def course(komponent):
    return make_offer(
        komponent,
        "Digital formidling",
        title_en="Digital dissemination",
        description_da="Kursus i formidling af eReolen og Filmstriben.",
        online=False,
        place="Odense",
        ects="7.5",
        hours=20,
        price_dkk=4500,
        target_roles=["librarian", "library_assistant"],
        start_dates=["2026-09-01", "2026-02-01"],
        link="https://www.komponent.dk/formidling",
    )


@pytest.fixture
def webinar(infomedia):
    return make_offer(
        infomedia,
        "Søgning i Infomedia",
        description_da="Webinar om søgning i avisdatabasen Infomedia.",
        format=OfferFormat.WEBINAR,
        price_dkk=0,
        hours=1,
    )


# -- the catalogue -------------------------------------------------------------------------------


def test_staff_see_every_offer_with_its_details(client, staff, course, webinar):
    response = log_in(client, staff).get(CATALOGUE)
    assert response.status_code == 200
    page = html(response)
    assert "<h1>Education offers</h1>" in page
    assert "<strong>2 offers</strong>" in page
    detail = reverse("offers:offer_detail", args=[course.pk])
    assert (
        f'<tr><th scope="row"><a href="{detail}">Digital dissemination</a></th>'
        "<td>Komponent</td><td>Continuing education</td><td>Course</td>"
        "<td>7.5 ECTS · 20 hours</td><td>–</td>"
        '<td class="text-align-right">4,500 kr.</td><td>Odense</td></tr>'
    ) in page
    # No English title: the Danish one. Free, and online only.
    assert (
        '<td>1 hour</td><td>–</td><td class="text-align-right">Free</td><td>Online</td></tr>'
    ) in page
    # Staff change nothing, so they are offered nothing to change.
    for link in ("New offer", "Import", "Export", "Providers"):
        assert f">{link}</a>" not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=DISSEMINATION", ["Digital dissemination"]),  # the English title, any case
        ("q=avisdatabasen", ["Søgning i Infomedia"]),  # the Danish description
        ("q=digital+kursus", ["Digital dissemination"]),  # every word, anywhere
        ("kind=further", ["Leadership"]),
        ("format=webinar", ["Søgning i Infomedia"]),
        ("role=library_leader", ["Leadership", "Søgning i Infomedia"]),  # or for everyone
        ("online=yes", ["Leadership", "Søgning i Infomedia"]),
        ("competency=D3.1", ["Digital dissemination"]),
        ("role=librarian&online=yes", ["Søgning i Infomedia"]),
    ],
)
def test_the_filters_narrow_the_list(
    client, staff, default_framework, course, webinar, komponent, query, expected
):
    leadership = make_offer(
        komponent, "Ledelse", title_en="Leadership", kind=OfferKind.FURTHER,
        target_roles=["library_leader"],
    )  # fmt: skip
    cover(course, default_framework, "D3.1", 3)
    cover(leadership, default_framework, "D6.1", 3)
    response = log_in(client, staff).get(f"{CATALOGUE}?{query}")
    assert response.status_code == 200
    assert sorted(titles(response)) == expected


def test_the_filter_form_keeps_what_was_chosen(client, staff, course):
    page = html(log_in(client, staff).get(f"{CATALOGUE}?q=formidling&online=yes&kind=basic"))
    assert 'name="q" value="formidling"' in page
    online = re.search(r'<input type="checkbox" name="online"[^>]*>', page).group()
    assert 'value="yes"' in online
    assert " checked" in online
    assert '<option value="basic" selected>Basic education</option>' in page
    assert f'<a href="{CATALOGUE}">Clear the filters</a>' in page


def test_a_filter_that_cannot_be_used_is_marked(client, staff, course):
    response = log_in(client, staff).get(f"{CATALOGUE}?kind=sometimes")
    assert response.status_code == 400
    page = html(response)
    assert "Some filters could not be used; they are marked below." in page
    assert (
        field_error("kind", "Select a valid choice. sometimes is not one of the available choices.")
        in page
    )
    assert titles(response) == ["Digital dissemination"]


def test_the_provider_filter(client, staff, course, webinar, infomedia):
    response = log_in(client, staff).get(f"{CATALOGUE}?provider={infomedia.pk}")
    assert titles(response) == ["Søgning i Infomedia"]


def test_without_the_default_framework_there_is_no_competency_filter(client, staff, course):
    response = log_in(client, staff).get(f"{CATALOGUE}?competency=D3.1")
    assert response.status_code == 200
    assert 'name="competency"' not in response.text
    assert titles(response) == ["Digital dissemination"]


def test_no_match_says_so_and_offers_to_clear_the_filters(client, staff, course):
    response = log_in(client, staff).get(f"{CATALOGUE}?q=kvantefysik")
    page = html(response)
    assert "<strong>0 offers</strong>" in page
    assert (f'No offers match these filters. <a href="{CATALOGUE}">Clear the filters</a>') in page
    assert "<table" not in page


def test_an_empty_catalogue_says_so(client, staff):
    response = log_in(client, staff).get(CATALOGUE)
    assert "There are no offers in the catalogue yet." in response.text


def test_example_offers_are_tagged_and_explained(client, staff, course, komponent):
    make_offer(komponent, "Eksempelkursus", title_en="Example course", is_example=True)
    response = log_in(client, staff).get(CATALOGUE)
    page = html(response)
    assert ('Example course</a><span class="badge badge-info">Example data</span></th>') in page
    assert "Digital dissemination</a></th>" in page  # not tagged
    assert "Offers marked “Example data” show what an offer can look like" in page

    response = client.get(f"{CATALOGUE}?q=formidling")
    assert "Example data" not in response.text


def test_the_list_has_pages_of_fifty_that_keep_the_filters(client, staff, komponent):
    EducationOffer.objects.bulk_create(
        EducationOffer(
            provider=komponent, title_da=f"Kursus {n:02}", kind="continuing", format="course",
            online=True,
        )
        for n in range(1, 52)
    )  # fmt: skip
    response = log_in(client, staff).get(f"{CATALOGUE}?q=kursus")
    assert len(titles(response)) == 50
    page = html(response)
    assert "<strong>51 offers</strong> · page 1 of 2" in page
    assert 'href="?q=kursus&amp;page=2">Next page</a>' in page
    response = client.get(f"{CATALOGUE}?q=kursus&page=2")
    assert titles(response) == ["Kursus 51"]


def test_editors_get_the_links_to_change_the_catalogue(client, analyst, provider, komponent):
    for person in (analyst, provider):
        page = html(log_in(client, person).get(CATALOGUE))
        assert f'<a class="button button-secondary" href="{reverse("offers:offer_create")}">' in (
            page
        )
        assert f'href="{reverse("offers:import")}">Import</a>' in page
        assert f'href="{reverse("offers:export")}?format=xlsx">Export</a>' in page
        assert f'href="{reverse("offers:provider_list")}">Providers</a>' in page


def test_a_provider_who_maintains_nothing_gets_no_editing_links(client, provider):
    page = html(log_in(client, provider).get(CATALOGUE))
    assert ">New offer</a>" not in page
    assert log_in(client, provider).get(reverse("offers:offer_create")).status_code == 403


def test_the_catalogue_reads_the_same_number_of_queries_for_any_number_of_offers(
    client, staff, default_framework, komponent, infomedia, django_assert_num_queries
):
    for n in range(30):
        make_offer(komponent if n % 2 else infomedia, f"Kursus {n}")
    log_in(client, staff)
    # session, user, person, grants, the default framework, its competencies (the filter),
    # count, the page of offers with their providers, the user's name in the header, the
    # providers (the filter).
    with django_assert_num_queries(10):
        response = client.get(CATALOGUE)
    assert len(titles(response)) == 30


# -- an offer ------------------------------------------------------------------------------------


def test_the_offer_page_shows_everything_about_the_offer(client, staff, default_framework, course):
    cover(course, default_framework, "D3.1", 3)
    cover(course, default_framework, "D1.1", 2)
    response = log_in(client, staff).get(reverse("offers:offer_detail", args=[course.pk]))
    assert response.status_code == 200
    page = html(response)
    assert "<h1>Digital dissemination</h1>" in page
    assert "<p>Kursus i formidling af eReolen og Filmstriben.</p>" in page
    assert "<dt>For</dt><dd>Librarian, Library assistant</dd>" in page
    assert "<dt>Start dates</dt><dd>Feb. 1, 2026, Sept. 1, 2026</dd>" in page
    assert "<dt>Price</dt><dd>4,500 kr.</dd>" in page
    assert (
        '<a href="https://www.komponent.dk/formidling" rel="noopener external">'
        "Read more about the offer at Komponent</a>"
    ) in page
    assert (
        '<tr><td>D1.1</td><th scope="row">Overview of national and local resources</th>'
        "<td>2 Practitioner</td></tr>"
        '<tr><td>D3.1</td><th scope="row">Audience-based dissemination</th>'
        "<td>3 Proficient</td></tr>"
    ) in page
    assert "Example data" not in page
    # Staff read; only the offer's editors get the links to change it.
    assert "Edit the offer" not in page
    assert "Delete the offer" not in page


def test_an_example_offer_says_so(client, staff, komponent):
    offer = make_offer(komponent, "Eksempel", is_example=True)
    page = html(log_in(client, staff).get(reverse("offers:offer_detail", args=[offer.pk])))
    assert '<span class="badge badge-info">Example data</span>' in page
    assert "This offer is example data" in page
    assert "<dt>For</dt><dd>Everyone</dd>" in page
    assert "<dt>Start dates</dt><dd>Not given</dd>" in page
    assert "No competencies have been chosen for this offer yet." in page


def test_the_offers_editors_see_the_links_to_change_it(client, provider, analyst, course, webinar):
    for person in (provider, analyst):
        page = log_in(client, person).get(reverse("offers:offer_detail", args=[course.pk])).text
        assert f'href="{reverse("offers:offer_edit", args=[course.pk])}"' in page
        assert f'href="{reverse("offers:offer_delete", args=[course.pk])}"' in page
        assert f'href="{reverse("offers:offer_competencies", args=[course.pk])}"' in page
    # Ib maintains Komponent, not Infomedia.
    page = log_in(client, provider).get(reverse("offers:offer_detail", args=[webinar.pk])).text
    assert "Edit the offer" not in page


def test_an_unknown_offer_is_not_found(client, staff):
    assert log_in(client, staff).get(reverse("offers:offer_detail", args=[999])).status_code == 404


# -- creating and editing offers -----------------------------------------------------------------


def test_a_provider_creates_an_offer_and_goes_on_to_its_competencies(client, provider, komponent):
    log_in(client, provider)
    response = client.get(f"{reverse('offers:offer_create')}?provider={komponent.pk}")
    assert response.status_code == 200
    assert response.context["form"]["provider"].value() == komponent.pk
    response = client.post(
        reverse("offers:offer_create"),
        offer_data(
            komponent,
            target_roles=["librarian", "digital_guide"],
            start_dates="2026-09-01\n2026-02-01, 2026-09-01",
            ects="7.5",
            online="on",
        ),
    )
    offer = EducationOffer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("offers:offer_competencies", args=[offer.pk])
    assert (offer.provider, offer.title_da, offer.place, offer.online) == (
        komponent,
        "Digital formidling",
        "Odense",
        True,
    )
    assert offer.target_roles == ["librarian", "digital_guide"]
    assert offer.start_dates == ["2026-02-01", "2026-09-01"]
    assert str(offer.ects) == "7.5"
    page = html(client.get(response["Location"]))
    assert (
        message(
            "The offer “Digital dissemination” was created. Now choose the competencies it builds."
        )
        in page
    )


def test_a_provider_can_only_choose_their_own_providers(client, provider, komponent, infomedia):
    log_in(client, provider)
    response = client.get(reverse("offers:offer_create"))
    # Ib maintains one provider: it is chosen already, and the only choice.
    assert response.context["form"]["provider"].value() == komponent.pk
    assert list(response.context["form"].fields["provider"].queryset) == [komponent]
    response = client.post(reverse("offers:offer_create"), offer_data(infomedia))
    assert response.status_code == 400
    assert field_error(
        "provider", "Select a valid choice. That choice is not one of the available choices."
    ) in html(response)
    assert not EducationOffer.objects.exists()


def test_staff_may_not_create_offers(client, staff, komponent):
    log_in(client, staff)
    assert client.get(reverse("offers:offer_create")).status_code == 403
    assert client.post(reverse("offers:offer_create"), offer_data(komponent)).status_code == 403
    assert not EducationOffer.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        (
            {"start_dates": "2026-09-01, 1/2/2026"},
            "start_dates",
            "“1/2/2026” is not a date written as YYYY-MM-DD.",
        ),
        ({"start_dates": "2026-02-30"}, "start_dates",
         "“2026-02-30” is not a date written as YYYY-MM-DD."),
        ({"title_da": "Ledelse"}, "title_da",
         "This provider already has an offer with this title."),
        ({"title_da": ""}, "title_da", "The offer needs a Danish title."),
        ({"place": ""}, "place", "Give the place of the offer or mark it as online."),
        ({"ects": "-1"}, "ects", "Ensure this value is greater than or equal to 0."),
        ({"link": "www"}, "link", "Enter a valid URL."),
        ({"target_roles": ["wizard"]}, "target_roles",
         "Select a valid choice. wizard is not one of the available choices."),
    ],
)  # fmt: skip
def test_the_form_says_which_field_is_wrong(client, analyst, komponent, changes, field, error):
    make_offer(komponent, "Ledelse")
    log_in(client, analyst)
    response = client.post(reverse("offers:offer_create"), offer_data(komponent, **changes))
    assert response.status_code == 400
    page = html(response)
    assert field_error(field, error) in page
    assert "The offer was not saved. Correct the fields marked below." in page
    assert f'<a href="#id_{field}">' in page  # the summary links to the field
    assert EducationOffer.objects.count() == 1


def test_a_provider_edits_their_own_offer(client, provider, course):
    log_in(client, provider)
    url = reverse("offers:offer_edit", args=[course.pk])
    response = client.get(url)
    assert response.status_code == 200
    # The stored start dates, one a line, and the target roles ticked.
    assert ">\n2026-02-01\n2026-09-01</textarea>" in response.text
    assert 'value="librarian" class="form-checkbox" id="id_target_roles_0" checked' in (
        response.text
    )
    response = client.post(
        url, offer_data(course.provider, title_en="Digital dissemination 2", price_dkk="5000")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("offers:offer_detail", args=[course.pk])
    course.refresh_from_db()
    assert (course.title_en, course.price_dkk, course.target_roles) == (
        "Digital dissemination 2",
        5000,
        [],
    )
    assert message("The offer “Digital dissemination 2” was saved.") in html(
        client.get(response["Location"])
    )


def test_a_refused_edit_keeps_the_stored_title_around_the_form(client, provider, course):
    log_in(client, provider)
    url = reverse("offers:offer_edit", args=[course.pk])
    response = client.post(url, offer_data(course.provider, title_en="Nyt navn", place=""))
    assert response.status_code == 400
    assert "<h1>Edit Digital dissemination</h1>" in html(response)
    course.refresh_from_db()
    assert course.title_en == "Digital dissemination"


def test_another_providers_offer_is_not_found(client, provider, komponent, webinar):
    log_in(client, provider)
    for name in ("offer_edit", "offer_delete", "offer_competencies"):
        url = reverse(f"offers:{name}", args=[webinar.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"action": "remove"}).status_code == 404, name
    assert EducationOffer.objects.filter(pk=webinar.pk).exists()


def test_an_offer_is_deleted_after_a_confirmation(client, provider, default_framework, course):
    cover(course, default_framework, "D3.1", 3)
    log_in(client, provider)
    url = reverse("offers:offer_delete", args=[course.pk])
    response = client.get(url)
    assert "<h1>Delete Digital dissemination</h1>" in html(response)
    assert EducationOffer.objects.exists()
    response = client.post(url)
    assert response["Location"] == CATALOGUE
    assert not EducationOffer.objects.exists()
    assert not OfferCompetency.objects.exists()
    assert message("The offer “Digital dissemination” was deleted.") in html(client.get(CATALOGUE))


def test_staff_may_not_delete_offers(client, staff, course):
    log_in(client, staff)
    assert client.post(reverse("offers:offer_delete", args=[course.pk])).status_code == 403
    assert EducationOffer.objects.exists()


# -- the competencies of an offer ----------------------------------------------------------------


def competencies_url(offer) -> str:
    return reverse("offers:offer_competencies", args=[offer.pk])


@pytest.fixture
def searching(komponent):
    """Ib's webinar about searching Infomedia: its words suggest D2.1 first."""
    return make_offer(
        komponent,
        "Søgning i Infomedia",
        description_da="Webinar om søgning i avisdatabasen Infomedia.",
        format=OfferFormat.WEBINAR,
    )


def suggested(response) -> list[str]:
    return [competency.code for competency, _suggestion in response.context["suggestions"]]


def test_suggestions_show_their_score_and_the_words_that_matched(
    client, provider, default_framework, searching
):
    response = log_in(client, provider).get(competencies_url(searching))
    assert response.status_code == 200
    assert suggested(response) == ["D2.1", "D2.3", "D5.3", "D1.1", "D3.2"]
    page = html(response)
    assert (
        '<th scope="row">D2.1 Search strategies across platforms</th>'
        '<td class="text-align-right">6.9</td><td>søgning, infomedia</td>'
    ) in page
    assert "The offer builds no competency yet." in page


def test_accepting_a_suggestion_covers_it_once(client, provider, default_framework, searching):
    log_in(client, provider)
    data = {"action": "accept", "competency": "D2.1", "level": "3"}
    response = client.post(competencies_url(searching), data)
    assert response.status_code == 302
    response = client.post(competencies_url(searching), data)  # a second click
    assert response.status_code == 302
    link = OfferCompetency.objects.get()
    assert (link.offer, link.competency.code, link.level_reached) == (searching, "D2.1", 3)
    response = client.get(competencies_url(searching))
    page = html(response)
    assert message("The suggestion D2.1 was accepted at level 3.") in page
    # Covered now: listed with its level, and no longer suggested.
    assert '<th scope="row">D2.1 Search strategies across platforms</th>' in page
    assert '<option value="3" selected>3 Proficient</option>' in page
    assert "D2.1" not in suggested(response)
    assert suggested(response)[:1] == ["D2.3"]


def test_a_rejected_suggestion_is_not_suggested_again(
    client, provider, default_framework, searching
):
    log_in(client, provider)
    for _click in range(2):
        response = client.post(
            competencies_url(searching), {"action": "reject", "competency": "D2.1"}
        )
        assert response.status_code == 302
    rejected = RejectedSuggestion.objects.get()
    assert (rejected.competency.code, rejected.rejected_by) == ("D2.1", provider)
    assert not OfferCompetency.objects.exists()
    response = client.get(competencies_url(searching))
    assert message("The suggestion D2.1 was rejected and will not be suggested again.") in html(
        response
    )
    # Only five competencies match the offer's words at all: four are left.
    assert suggested(response) == ["D2.3", "D5.3", "D1.1", "D3.2"]


def test_a_level_out_of_the_scale_is_refused(client, provider, default_framework, searching):
    log_in(client, provider)
    response = client.post(
        competencies_url(searching), {"action": "accept", "competency": "D2.1", "level": "7"}
    )
    assert response.status_code == 302
    assert not OfferCompetency.objects.exists()
    assert message(
        "Select a valid choice. 7 is not one of the available choices.", "error"
    ) in html(client.get(competencies_url(searching)))


def test_a_covered_competency_gets_a_new_level_or_is_removed(
    client, provider, default_framework, course
):
    link = cover(course, default_framework, "D3.1", 3)
    log_in(client, provider)
    url = competencies_url(course)
    response = client.post(url, {"action": "level", "link": link.pk, "level": "4"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.level_reached == 4
    assert message("D3.1 is now covered at level 4.") in html(client.get(url))

    for expected in (
        "D3.1 was removed from the offer.",
        "The competency was already removed from the offer.",
    ):
        response = client.post(url, {"action": "remove", "link": link.pk})
        assert response.status_code == 302
        assert message(expected) in html(client.get(url))
    assert not OfferCompetency.objects.exists()


def test_a_competency_is_added_by_hand(client, provider, default_framework, course):
    log_in(client, provider)
    url = competencies_url(course)
    response = client.post(url, {"action": "add", "competency": "D6.1", "level": "1"})
    assert response.status_code == 302
    assert [(link.competency.code, link.level_reached) for link in course.competencies.all()] == [
        ("D6.1", 1)
    ]
    response = client.post(url, {"action": "add", "competency": "D9.9", "level": "1"})
    assert response.status_code == 400
    assert field_error(
        "competency", "Select a valid choice. That choice is not one of the available choices."
    ) in html(response)


def test_an_unknown_action_is_a_bad_request(client, provider, default_framework, course):
    response = log_in(client, provider).post(competencies_url(course), {"action": "publish"})
    assert response.status_code == 400


def test_without_the_default_framework_the_page_says_why(client, provider, course):
    response = log_in(client, provider).get(competencies_url(course))
    assert response.status_code == 200
    assert (
        "The default competence framework is not published, so offers cannot be linked to its "
        "competencies."
    ) in response.text
    assert "Suggested competencies" not in response.text
    response = client.post(
        competencies_url(course), {"action": "accept", "competency": "D2.1", "level": "2"}
    )
    assert response.status_code == 302
    assert not OfferCompetency.objects.exists()


# -- providers -----------------------------------------------------------------------------------


def test_analysts_see_every_provider_with_its_offers_and_maintainers(
    client, analyst, provider, course, webinar, komponent, infomedia
):
    page = html(log_in(client, analyst).get(reverse("offers:provider_list")))
    assert (
        '<tr><th scope="row">Infomedia</th><td>Vendor</td>'
        f'<td class="text-align-right"><a href="{CATALOGUE}?provider={infomedia.pk}">1'
        '<span class="sr-only"> offers of Infomedia</span></a></td>'
        '<td><span class="muted">Nobody</span></td>'
    ) in page
    assert "<td>Ib Iversen</td>" in page
    assert f'href="{reverse("offers:provider_edit", args=[komponent.pk])}"' in page
    assert ">New provider</a>" in page


def test_a_provider_sees_their_own_providers_only(client, provider, komponent, infomedia):
    response = log_in(client, provider).get(reverse("offers:provider_list"))
    assert list(response.context["providers"]) == [komponent]
    assert ">New provider</a>" not in response.text
    assert client.get(reverse("offers:provider_create")).status_code == 403
    assert client.get(reverse("offers:provider_edit", args=[komponent.pk])).status_code == 403


def test_an_analyst_creates_a_provider_with_maintainers(client, analyst, provider, staff):
    log_in(client, analyst)
    response = client.get(reverse("offers:provider_create"))
    # Only people with the education provider role can maintain a provider.
    assert list(response.context["form"].fields["maintainers"].queryset) == [provider]
    response = client.post(
        reverse("offers:provider_create"),
        {"name": "Komponent", "kind": "other", "website": "", "note": "",
         "maintainers": [provider.pk]},
    )  # fmt: skip
    assert response["Location"] == reverse("offers:provider_list")
    komponent = Provider.objects.get()
    assert list(komponent.maintainers.all()) == [provider]
    assert message("The provider Komponent was saved.") in html(client.get(response["Location"]))
    response = client.post(
        reverse("offers:provider_create"),
        {"name": "Dansk Bibliotek", "kind": "other", "maintainers": [staff.pk]},
    )
    assert response.status_code == 400
    assert not Provider.objects.filter(name="Dansk Bibliotek").exists()


def test_a_provider_name_is_taken_whatever_its_case(client, analyst, komponent, infomedia):
    log_in(client, analyst)
    response = client.post(
        reverse("offers:provider_create"), {"name": "KOMPONENT", "kind": "other"}
    )
    assert response.status_code == 400
    assert field_error("name", "There is already a provider with this name.") in html(response)
    response = client.post(
        reverse("offers:provider_edit", args=[infomedia.pk]), {"name": "komponent", "kind": "other"}
    )
    assert response.status_code == 400
    assert field_error("name", "There is already a provider with this name.") in html(response)
    # Its own name, in another case, is fine.
    response = client.post(
        reverse("offers:provider_edit", args=[infomedia.pk]),
        {"name": "INFOMEDIA", "kind": "vendor"},
    )
    assert response.status_code == 302
    infomedia.refresh_from_db()
    assert infomedia.name == "INFOMEDIA"


# -- importing and exporting ---------------------------------------------------------------------

IMPORT = reverse("offers:import")
EXPORT = reverse("offers:export")


def test_an_analyst_imports_a_file_and_sees_the_counts(client, analyst, default_framework):
    log_in(client, analyst)
    assert client.get(IMPORT).status_code == 200
    text = (
        f"{HEADER}\n"
        "Komponent,Digital formidling,continuing,course,no,Odense,D3.1:3\n"
        "Infomedia,Søgning i Infomedia,continuing,webinar,yes,,D2.1:2\n"
    )
    response = client.post(IMPORT, upload(text))
    assert response["Location"] == CATALOGUE
    assert message("offers.csv was imported: 2 created, 0 updated, 0 unchanged.") in html(
        client.get(CATALOGUE)
    )
    assert EducationOffer.objects.count() == 2
    response = client.post(IMPORT, upload(text))
    assert message("offers.csv was imported: 0 created, 0 updated, 2 unchanged.") in html(
        client.get(CATALOGUE)
    )


def test_every_problem_is_listed_with_its_row_and_column_and_nothing_is_written(
    client, analyst, default_framework
):
    log_in(client, analyst)
    text = (
        f"{HEADER}\n"
        "Komponent,Digital formidling,continuing,course,no,Odense,D3.1:3\n"
        "Komponent,Ledelse,sometimes,course,maybe,Odense,D9.9:2\n"
        ",Webinar,continuing,webinar,yes,,\n"
    )
    response = client.post(IMPORT, upload(text))
    assert response.status_code == 400
    page = html(response)
    assert "Nothing was imported." in page
    assert "The file has 4 problems, shown in the table below." in page
    framework = escape(str(default_framework))
    assert (
        "<tbody>"
        "<tr><td>3</td><td>kind</td><td>Unknown value “sometimes”. Use one of: basic, further, "
        "continuing.</td></tr>"
        "<tr><td>3</td><td>online</td><td>Write “yes” or “no”, not “maybe”.</td></tr>"
        f"<tr><td>3</td><td>competencies</td><td>There is no competency D9.9 in {framework}."
        "</td></tr>"
        "<tr><td>4</td><td>provider</td><td>The provider is missing.</td></tr>"
    ) in page
    assert not EducationOffer.objects.exists()
    assert not Provider.objects.exists()


def test_a_file_of_another_type_is_refused(client, analyst, default_framework):
    response = log_in(client, analyst).post(IMPORT, upload("x", name="offers.pdf"))
    assert response.status_code == 400
    assert field_error(
        "file", "Upload the offer catalogue as a CSV file (.csv) or an Excel file (.xlsx)."
    ) in html(response)


def test_a_provider_imports_only_their_own_offers(
    client, provider, default_framework, komponent, infomedia
):
    log_in(client, provider)
    own = "komponent,Digital formidling,continuing,course,no,Odense,D3.1:3\n"
    response = client.post(IMPORT, upload(f"{HEADER}\n{own}"))
    assert response.status_code == 302
    assert EducationOffer.objects.get().provider == komponent

    other = "Infomedia,Søgning i Infomedia,continuing,webinar,yes,,D2.1:2\n"
    new = "Nyt Firma,Kursus,continuing,course,yes,,\n"
    response = client.post(
        IMPORT, upload(f"{HEADER}\n{own.replace('Odense', 'Aarhus')}{other}{new}")
    )
    assert response.status_code == 400
    page = html(response)
    assert (
        "<tr><td>3</td><td>provider</td><td>You do not maintain the provider “Infomedia”.</td></tr>"
        "<tr><td>4</td><td>provider</td><td>You do not maintain the provider “Nyt Firma”.</td></tr>"
    ) in page
    # Nothing was written, not even the row of Ib's own provider.
    assert EducationOffer.objects.get().place == "Odense"
    assert Provider.objects.count() == 2


def test_staff_may_neither_import_nor_export(client, staff):
    log_in(client, staff)
    assert client.get(IMPORT).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_the_export_downloads_as_csv_and_excel_and_parses_back(
    client, analyst, default_framework, course, webinar
):
    cover(course, default_framework, "D3.1", 3)
    log_in(client, analyst)
    response = client.get(f"{EXPORT}?format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="offers.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(COLUMNS)
    assert [(row[0], row[2], row[-1]) for row in rows[1:]] == [
        ("Infomedia", "Søgning i Infomedia", ""),
        ("Komponent", "Digital formidling", "D3.1:3"),
    ]

    response = client.get(EXPORT)  # Excel unless asked otherwise
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="offers.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(COLUMNS)
    assert [row[2] for row in values[1:]] == ["Søgning i Infomedia", "Digital formidling"]


def test_a_provider_exports_their_own_offers_and_a_template(client, provider, course, webinar):
    log_in(client, provider)
    response = client.get(f"{EXPORT}?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert [row[2] for row in rows[1:]] == ["Digital formidling"]
    response = client.get(f"{EXPORT}?format=xlsx&template=yes")
    assert response["Content-Disposition"] == 'attachment; filename="offers-template.xlsx"'
    values = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert values == [tuple(COLUMNS)]


def test_an_unknown_export_format_is_not_found(client, analyst):
    assert log_in(client, analyst).get(f"{EXPORT}?format=pdf").status_code == 404


def test_an_exported_workbook_imports_back_unchanged(client, analyst, default_framework, course):
    cover(course, default_framework, "D3.1", 3)
    log_in(client, analyst)
    content = client.get(EXPORT).content
    response = client.post(
        IMPORT,
        {
            "file": SimpleUploadedFile(
                "offers.xlsx", content, content_type="application/octet-stream"
            )
        },
    )
    assert response.status_code == 302
    assert message("offers.xlsx was imported: 0 created, 0 updated, 1 unchanged.") in html(
        client.get(CATALOGUE)
    )


# -- in Chromium ---------------------------------------------------------------------------------


@pytest.mark.browser
def test_every_page_passes_axe_core(page, provider, analyst, default_framework, komponent):
    """Ib keeps Komponent's offers up to date; the analyst keeps the providers. Each page, also
    with its errors showing, passes axe-core (WCAG 2.1 AA)."""
    offer = make_offer(
        komponent, "Søgning i Infomedia", description_da="Webinar om søgning i Infomedia.",
        is_example=True, start_dates=["2026-03-05"], target_roles=["librarian"],
        link="https://www.komponent.dk",
    )  # fmt: skip
    cover(offer, default_framework, "D1.1", 2)
    log_in_browser(page, provider)
    for url in (
        CATALOGUE,
        f"{CATALOGUE}?q=ingenting",
        reverse("offers:offer_detail", args=[offer.pk]),
        reverse("offers:offer_competencies", args=[offer.pk]),
        reverse("offers:offer_edit", args=[offer.pk]),
        reverse("offers:offer_delete", args=[offer.pk]),
        reverse("offers:provider_list"),
        IMPORT,
    ):
        page.goto(url)
        assert_accessible(page)

    page.goto(reverse("offers:offer_create"))
    page.fill("#id_title_da", "Søgning i Infomedia")
    page.fill("#id_start_dates", "5/3/2026")
    page.get_by_role("button", name="Gem").click()
    assert page.locator("#id_start_dates_error").is_visible()
    assert_accessible(page)

    page.goto(reverse("offers:offer_competencies", args=[offer.pk]))
    page.locator("#accept-level-{}".format(suggested_pk(default_framework, "D2.1"))).select_option(
        "3"
    )
    page.locator("form", has=page.locator('input[value="D2.1"]')).first.locator("button").click()
    page.wait_for_load_state()
    assert offer.competencies.filter(competency__code="D2.1", level_reached=3).exists()
    assert_accessible(page)

    page.goto(IMPORT)
    page.set_input_files(
        "#id_file",
        files=[{"name": "offers.csv", "mimeType": "text/csv",
                "buffer": f"{HEADER}\nInfomedia,Webinar,continuing,webinar,yes,,\n".encode()}],
    )  # fmt: skip
    page.get_by_role("button", name="Importér").click()
    assert page.locator("#import-errors").is_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    log_in_browser(page, analyst)
    for url in (reverse("offers:provider_list"), reverse("offers:provider_create")):
        page.goto(url)
        assert_accessible(page)
    page.fill("#id_name", "KOMPONENT")
    page.get_by_role("button", name="Gem").click()
    assert page.locator("#id_name_error").is_visible()
    assert_accessible(page)


def suggested_pk(framework, code) -> int:
    return Competency.objects.get(framework=framework, code=code).pk


def log_in_browser(page, person):
    from digikompas.testing import log_in as log_in_page

    log_in_page(page, person.email, totp_secret=getattr(person, "totp_secret", None))
    page.wait_for_url(lambda url: url.endswith("/") and "/accounts/" not in url)
