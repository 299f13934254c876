import dataclasses
import uuid

import pytest
from django.utils import translation

from digikompas.frameworks import services
from digikompas.frameworks.content import (
    FrameworkRejected,
    Text,
    content_of,
    publication_problems,
)
from digikompas.frameworks.diff import compare
from digikompas.frameworks.models import Competency, Framework, FrameworkStatus

from .conftest import make_content


def test_it_stores_content_exactly(framework, content):
    assert content_of(framework) == content
    assert framework.version == 1
    assert framework.status == FrameworkStatus.DRAFT


def test_it_numbers_versions_per_key(db):
    first = services.create_framework(content=make_content())
    second = services.create_framework(content=make_content())
    other = services.create_framework(content=make_content(key="anden"))
    assert (first.version, second.version, other.version) == (1, 2, 1)


def test_it_refuses_a_framework_that_is_already_here(framework, content):
    with pytest.raises(FrameworkRejected) as rejected:
        services.create_framework(content=content)
    assert str(rejected.value.problems[0]) == (
        f"framework, identifier: This framework is already here as {framework}."
    )
    assert Framework.objects.count() == 1


def test_it_reports_every_problem_and_stores_nothing(db, content):
    search, guide = content.domains[0].competencies
    broken_domain = dataclasses.replace(
        content.domains[0],
        competencies=(search, dataclasses.replace(guide, code="S.1", title=Text())),
    )
    broken = dataclasses.replace(content, domains=(broken_domain, *content.domains[1:]))
    with pytest.raises(FrameworkRejected) as rejected:
        services.create_framework(content=broken)
    assert [str(p) for p in rejected.value.problems] == [
        "competency S.1, code: The code S.1 is used twice (also by competency S.1).",
        "competency S.1, title: The title is missing.",
    ]
    assert not Framework.objects.exists()


def test_a_published_version_cannot_change(framework):
    services.publish(framework=framework)
    competency = framework.competencies.get(code="S.1")
    competency.title_da = "Nyt navn"
    with pytest.raises(services.FrameworkLocked):
        services.save_competency(competency=competency, descriptors={})
    with pytest.raises(services.FrameworkLocked):
        services.delete_draft(framework=framework)
    with pytest.raises(services.FrameworkLocked):
        services.publish(framework=framework)
    assert Competency.objects.get(pk=competency.pk).title_da == "Søgning i eReolen"


def test_publishing_needs_a_descriptor_for_every_level(framework):
    competency = framework.competencies.get(code="L.1")
    competency.descriptors.filter(level=2).delete()
    with pytest.raises(FrameworkRejected) as rejected:
        services.publish(framework=framework)
    assert [str(p) for p in rejected.value.problems] == [
        "competency L.1, descriptors: No descriptor for level 2."
    ]
    framework.refresh_from_db()
    assert framework.is_draft


def test_a_new_version_starts_as_a_copy(framework, content):
    services.publish(framework=framework)
    draft = services.new_version(framework=framework)
    assert (draft.version, draft.status, draft.based_on) == (2, "draft", framework)
    assert draft.identifier != framework.identifier
    copied = content_of(draft)
    assert copied == dataclasses.replace(content, identifier=draft.identifier)
    assert not compare(content, copied)


def test_the_comparison_shows_what_was_added_removed_and_changed(framework, content):
    services.publish(framework=framework)
    draft = services.new_version(framework=framework)
    competency = draft.competencies.get(code="S.1")
    competency.title_en = "Searching eReolen and eReolen Go!"
    services.save_competency(
        competency=competency,
        descriptors={2: ("Søger selv og hjælper kolleger.", "Searches alone, helps colleagues.")},
    )
    services.delete_competency(competency=draft.competencies.get(code="S.2"))
    leadership = draft.domains.get(code="L")
    services.save_competency(
        competency=Competency(domain=leadership, code="L.2", title_da="Strategi"),
        descriptors={},
    )
    with translation.override("en"):
        diff = compare(content, content_of(draft), language="en")
    assert [(c.code, c.title) for c in diff.competencies_added] == [("L.2", "Strategi")]
    assert [(c.code, c.title) for c in diff.competencies_removed] == [("S.2", "Guidance")]
    [changed] = diff.competencies_changed
    assert changed.code == "S.1"
    assert [(c.field, c.old, c.new) for c in changed.changes] == [
        ("title (English)", "Searching eReolen", "Searching eReolen and eReolen Go!"),
        (
            "descriptor, level 2 (Danish)",
            "Søger selv; hjælper, når det er let.",
            "Søger selv og hjælper kolleger.",
        ),
        (
            "descriptor, level 2 (English)",
            "Searches alone, helps when easy.",
            "Searches alone, helps colleagues.",
        ),
    ]
    # The librarian profile required level 2 in S.2, which is gone.
    [profile] = diff.profiles_changed
    assert [(c.field, c.old, c.new) for c in profile.changes] == [("required level, S.2", "2", "")]


def test_the_default_framework_is_complete(default_framework):
    content = content_of(default_framework)
    assert default_framework.is_published
    assert content.title.da == "Digitale ressourcer og digitalt lederskab på folkebiblioteket"
    assert [level.value for level in content.levels] == [0, 1, 2, 3, 4]
    competencies = list(content.competencies)
    assert len(content.domains) == 6
    assert len(competencies) >= 20
    # Every competency, level and text in both languages; every profile covers everything.
    for competency in competencies:
        assert competency.title.da
        assert competency.title.en
        assert competency.keywords.da
        assert competency.keywords.en
        for level in range(5):
            assert competency.descriptors[level].da
            assert competency.descriptors[level].en
    assert {p.job_role for p in content.profiles} >= {"librarian", "library_leader"}
    for profile in content.profiles:
        assert set(profile.levels) == {c.identifier for c in competencies}
    assert publication_problems(content) == []


def test_loading_the_default_framework_twice_keeps_one(default_framework):
    framework, created = services.load_default_framework()
    assert (framework, created) == (default_framework, False)
    assert Framework.objects.count() == 1


def test_find_framework_by_key_version_number_and_identifier(default_framework):
    draft = services.new_version(framework=default_framework)
    key = default_framework.key
    assert services.find_framework(key) == default_framework  # latest published
    assert services.find_framework(f"{key}:2") == draft
    assert services.find_framework(str(draft.pk)) == draft
    assert services.find_framework(str(draft.identifier)) == draft
    with pytest.raises(Framework.DoesNotExist, match="No framework is called nope:3"):
        services.find_framework("nope:3")
    with pytest.raises(Framework.DoesNotExist):
        services.find_framework(str(uuid.uuid4()))
