"""The shipped barrier categories and surveys.

The barrier survey and the digital-leadership self-assessment are written out in
data/default_surveys.json; the competence survey is generated from a published framework: one
page per domain, one self-rating per competency, with the competency's level descriptors as help.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from digikompas.frameworks.models import Competency, Framework

from .models import BarrierCategory, Item, ItemKind, Purpose, Section, Survey

DATA_FILE = Path(__file__).parent / "data" / "default_surveys.json"
COMPETENCE_SURVEY_KEY = "kompetencer"


def _texts(values: dict | None, name: str) -> dict[str, str]:
    values = values or {}
    return {f"{name}_da": values.get("da", ""), f"{name}_en": values.get("en", "")}


@transaction.atomic
def load_barrier_categories(data: dict) -> None:
    for position, category in enumerate(data["barrier_categories"]):
        BarrierCategory.objects.update_or_create(
            code=category["code"],
            defaults={
                "kind": category["kind"],
                "position": position,
                **_texts(category["title"], "title"),
                **_texts(category.get("description"), "description"),
            },
        )


def _create_survey(spec: dict, *, framework: Framework | None) -> Survey:
    survey = Survey.objects.create(
        key=spec["key"],
        purpose=spec["purpose"],
        framework=framework,
        **_texts(spec["title"], "title"),
        **_texts(spec.get("intro"), "intro"),
    )
    barriers = {b.code: b for b in BarrierCategory.objects.all()}
    competencies = (
        {c.code: c for c in framework.competencies.all()} if framework is not None else {}
    )
    by_code: dict[str, Item] = {}
    for s_position, section_spec in enumerate(spec["sections"], start=1):
        section = Section.objects.create(
            survey=survey,
            position=s_position,
            **_texts(section_spec["title"], "title"),
            **_texts(section_spec.get("intro"), "intro"),
        )
        for i_position, item_spec in enumerate(section_spec["items"], start=1):
            show_if = item_spec.get("show_if")
            item = Item.objects.create(
                section=section,
                survey=survey,
                position=i_position,
                code=item_spec["code"],
                kind=item_spec["kind"],
                required=item_spec.get("required", True),
                competency=competencies.get(item_spec.get("competency", "")),
                barrier=barriers.get(item_spec.get("barrier", "")),
                options=item_spec.get("options", []),
                minimum=item_spec.get("minimum"),
                maximum=item_spec.get("maximum"),
                show_if_item=by_code[show_if["item"]] if show_if else None,
                show_if_values=[str(v) for v in show_if["values"]] if show_if else [],
                **_texts(item_spec["text"], "text"),
                **_texts(item_spec.get("help"), "help"),
            )
            by_code[item.code] = item
    return survey


def competency_item_code(competency: Competency) -> str:
    return slugify(competency.code.replace(".", "-"))


@transaction.atomic
def create_competence_survey(*, framework: Framework, key: str = COMPETENCE_SURVEY_KEY) -> Survey:
    """The staff competence survey of a published framework."""
    survey = Survey.objects.create(
        key=key,
        purpose=Purpose.COMPETENCE,
        framework=framework,
        title_da="Kortlægning af kompetencer i digitale ressourcer",
        title_en="Mapping of competencies in digital resources",
        intro_da=(
            "Vurdér for hver kompetence, hvilket niveau der passer bedst på dig i dag. Læs "
            "beskrivelserne af niveauerne: de siger, hvad en person på niveauet gør. Der er "
            "ingen rigtige eller forkerte svar, og svarene vises kun for grupper på mindst fem."
        ),
        intro_en=(
            "For each competency, rate the level that fits you best today. Read the "
            "descriptions of the levels: they say what a person at that level does. There are "
            "no right or wrong answers, and answers are only shown for groups of at least five."
        ),
    )
    for s_position, domain in enumerate(framework.domains.order_by("position", "code"), start=1):
        section = Section.objects.create(
            survey=survey,
            position=s_position,
            title_da=f"{domain.code} {domain.title_da}",
            title_en=f"{domain.code} {domain.title_en}",
            intro_da=domain.description_da,
            intro_en=domain.description_en,
        )
        Item.objects.bulk_create(
            Item(
                section=section,
                survey=survey,
                position=i_position,
                code=competency_item_code(competency),
                kind=ItemKind.COMPETENCY,
                competency=competency,
                text_da=f"{competency.code} {competency.title_da}",
                text_en=f"{competency.code} {competency.title_en}",
                help_da=competency.description_da,
                help_en=competency.description_en,
            )
            for i_position, competency in enumerate(
                domain.competencies.order_by("position", "code"), start=1
            )
        )
    return survey


def load_default_surveys(*, framework: Framework) -> list[Survey]:
    """Barrier categories and the three shipped surveys (those not here yet) on a published
    framework; returns the surveys created now."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    created = []
    with transaction.atomic():
        load_barrier_categories(data)
        if not Survey.objects.filter(key=COMPETENCE_SURVEY_KEY).exists():
            created.append(create_competence_survey(framework=framework))
        for spec in data["surveys"]:
            if not Survey.objects.filter(key=spec["key"]).exists():
                created.append(_create_survey(spec, framework=framework))
    return created
