"""The data the load runs against, made with the product's own services: the national demo of
libraries and people, the shipped framework and competence survey, and one open round sent to
everyone (one invitation each). Needs Django set up against the throwaway cluster."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

#: A survey plan the load generator can answer without the database: per page, its items.


@dataclass(frozen=True)
class PlanItem:
    code: str
    kind: str
    values: tuple  # the answers to choose from (levels, points, option values); () for free ones
    minimum: int | None = None
    maximum: int | None = None
    show_if: str | None = None
    show_if_values: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True)
class Plan:
    round_id: int
    anonymous: bool
    pages: tuple[tuple[PlanItem, ...], ...]
    tokens: tuple[str, ...]


def create(*, anonymous: bool) -> Plan:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from digikompas.frameworks.services import load_default_framework
    from digikompas.orgs import demo
    from digikompas.surveys import services
    from digikompas.surveys.defaults import COMPETENCE_SURVEY_KEY, load_default_surveys
    from digikompas.surveys.models import AnonymityMode, Survey

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    demo.load()
    load_default_surveys(framework=load_default_framework()[0])
    survey = Survey.objects.get(key=COMPETENCE_SURVEY_KEY)
    now = timezone.now()
    round = services.create_round(
        survey=survey,
        title="Load test",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=14),
        anonymity=AnonymityMode.ANONYMOUS if anonymous else AnonymityMode.CONFIDENTIAL,
    )
    services.invite(round=round)
    with transaction.atomic():
        # The invitations count as sent; the worker started for the import fault must not
        # print thousands of e-mails.
        round.invitations.update(sent_at=now)
        DBTaskResult.objects.filter(task_path__endswith="send_invitations").delete()
    tokens = list(round.invitations.order_by("?").values_list("token", flat=True))
    return Plan(round.pk, anonymous, _pages(survey), tuple(tokens))


def _pages(survey) -> tuple[tuple[PlanItem, ...], ...]:
    from digikompas.surveys import services
    from digikompas.surveys.answers import levels_of
    from digikompas.surveys.models import AGREEMENT_SCALE, ItemKind

    pages: dict[int, list[PlanItem]] = {}
    for item in services.items_of(survey):
        if item.kind == ItemKind.COMPETENCY:
            values = tuple(levels_of(item))
        elif item.kind == ItemKind.AGREEMENT:
            values = tuple(value for value, _label in AGREEMENT_SCALE)
        else:
            values = tuple(option["value"] for option in item.options)
        pages.setdefault(item.section.position, []).append(
            PlanItem(
                code=item.code,
                kind=item.kind,
                values=values,
                minimum=item.minimum,
                maximum=item.maximum,
                show_if=item.show_if_item.code if item.show_if_item_id else None,
                show_if_values=tuple(item.show_if_values),
                required=item.required,
            )
        )
    return tuple(tuple(pages[position]) for position in sorted(pages))


def answers_for(plan: Plan, rng: random.Random) -> list[dict[str, object]]:
    """One respondent's answers, page by page (item code → typed value), to the items shown."""
    given: dict[str, object] = {}
    pages = []
    for page in plan.pages:
        answers = {}
        for item in page:
            if item.show_if is not None:
                shown = given.get(item.show_if)
                shown = shown if isinstance(shown, list) else [shown]
                if not any(str(v) in item.show_if_values for v in shown if v is not None):
                    continue
            if item.kind == "multiple":
                value = sorted(rng.sample(item.values, rng.randint(1, len(item.values))))
                value = [v for v in item.values if v in value]
            elif item.kind == "number":
                value = rng.randint(item.minimum or 0, item.maximum or 1000)
            elif item.kind == "text":
                value = f"Svar {rng.randrange(10**9)}"
            else:
                value = rng.choice(item.values)
            answers[item.code] = value
            given[item.code] = value
        pages.append(answers)
    return pages


def form_data(answers: dict[str, object]) -> list[tuple[str, str]]:
    """The page's answers as the questionnaire form posts them (prefix "q-")."""
    fields = []
    for code, value in answers.items():
        for one in value if isinstance(value, list) else [value]:
            fields.append((f"q-{code}", str(one)))
    return fields
