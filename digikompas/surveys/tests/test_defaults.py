import io

import pytest
from django.core.management import call_command
from django.utils import translation

from digikompas.frameworks.models import Framework
from digikompas.surveys.defaults import COMPETENCE_SURVEY_KEY, load_default_surveys
from digikompas.surveys.models import BarrierCategory, BarrierKind, Item, ItemKind, Survey


@pytest.fixture
def shipped(default_framework):
    load_default_surveys(framework=default_framework)
    return {survey.key: survey for survey in Survey.objects.all()}


def test_the_three_surveys_are_shipped(shipped):
    assert set(shipped) == {COMPETENCE_SURVEY_KEY, "barrierer", "digitalt-lederskab"}
    assert [s.purpose for s in Survey.objects.order_by("key")] == [
        "barriers",
        "leadership",
        "competence",
    ]


def test_the_competence_survey_rates_every_competency_of_the_framework(shipped, default_framework):
    survey = shipped[COMPETENCE_SURVEY_KEY]
    items = list(survey.items.order_by("section__position", "position"))
    competencies = list(default_framework.competencies.order_by("domain__position", "position"))
    assert [i.competency for i in items] == competencies
    assert {i.kind for i in items} == {ItemKind.COMPETENCY}
    assert survey.sections.count() == default_framework.domains.count()
    first = items[0]
    assert (first.code, first.text_da) == ("d1-1", f"D1.1 {competencies[0].title_da}")


def test_staff_and_leaders_get_the_same_barrier_items(shipped):
    barrier_items = shipped["barrierer"].items.filter(kind=ItemKind.AGREEMENT)
    # Every category, leadership and structural, has statements to agree or disagree with.
    assert {i.barrier.code for i in barrier_items} == set(
        BarrierCategory.objects.values_list("code", flat=True)
    )
    assert {c.kind for c in BarrierCategory.objects.all()} == {
        BarrierKind.LEADERSHIP,
        BarrierKind.STRUCTURAL,
    }


def test_every_text_is_in_danish_and_english(shipped):
    for item in Item.objects.all():
        assert item.text_da, item.code
        assert item.text_en, item.code
        for option in item.options:
            assert option["da"], (item.code, option)
            assert option["en"], (item.code, option)
    with translation.override("en"):
        assert shipped["barrierer"].title.startswith("Barriers")


def test_the_leadership_self_assessment_rates_the_leadership_competencies(shipped):
    codes = set(
        shipped["digitalt-lederskab"]
        .items.filter(kind=ItemKind.COMPETENCY)
        .values_list("competency__code", flat=True)
    )
    assert codes == {f"D6.{n}" for n in range(1, 7)}


def test_the_command_loads_everything_once(db):
    call_command("load_default_surveys", stdout=io.StringIO())
    out = io.StringIO()
    with translation.override("en"):
        call_command("load_default_surveys", stdout=out)
    assert out.getvalue() == "The shipped surveys are already loaded.\n"
    assert Framework.objects.count() == 1
    assert Survey.objects.count() == 3
