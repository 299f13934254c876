"""Surveys and their rounds: analysts preview questionnaires, start rounds and send them; leaders
follow the response rates of their own units. Who sees what is decided in .access."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digikompas.orgs.access import actor_for, role_required
from digikompas.orgs.models import JobRole

from . import access, services
from .forms_rounds import RoundForm
from .models import AGREEMENT_SCALE, ItemKind, Round, Survey


class RoundStatus(models.TextChoices):
    UPCOMING = "upcoming", gettext_lazy("Upcoming")
    OPEN = "open", pgettext_lazy("round status", "Open")
    CLOSED = "closed", pgettext_lazy("round status", "Closed")


def status_of(round: Round, now: datetime.datetime | None = None) -> RoundStatus:
    now = now or timezone.now()
    if now < round.opens_at:
        return RoundStatus.UPCOMING
    return RoundStatus.OPEN if round.is_open(now) else RoundStatus.CLOSED


def _with_status(rounds):
    now = timezone.now()
    for round in rounds:
        round.status = status_of(round, now)
        round.rate = services.Rate(round, round.invited, round.answered)
    return rounds


@require_GET
@login_required
def survey_list(request):
    """Analysts: every survey with its rounds. Leaders: the rounds that reach their units."""
    actor = actor_for(request.user)
    access.require_reader(actor)
    rounds = access.with_rates(actor, access.visible_rounds(actor)).order_by("-opens_at", "pk")
    context = {"runs_rounds": access.runs_rounds(actor), "minimum": settings.ANONYMITY_MINIMUM}
    if access.runs_rounds(actor):
        # Two queries: the surveys with their item counts, and every round with its counts.
        surveys = list(
            Survey.objects.annotate(item_count=Count("items"))
            .prefetch_related(Prefetch("rounds", queryset=rounds))
            .order_by("title_da")
        )
        for survey in surveys:
            _with_status(survey.rounds.all())
        context["surveys"] = surveys
    else:
        context["rounds"] = _with_status(list(rounds.select_related("survey")))
    return render(request, "surveys/list.html", context)


def _option_labels(item) -> list[str]:
    return [item.option_label(option["value"]) for option in item.options]


@require_GET
@role_required(*access.ANALYSTS)
def survey_detail(request, pk):
    """A read-only preview of the questionnaire, page by page."""
    actor = actor_for(request.user)
    survey = access.get_survey(actor, pk)
    # services.items_of, and the barrier categories the preview names.
    items = list(
        survey.items.select_related("section", "show_if_item", "competency", "barrier")
        .prefetch_related("competency__framework__levels")
        .order_by("section__position", "position")
    )
    sections = list(survey.sections.order_by("position"))
    by_section = {section.pk: [] for section in sections}
    for item in items:
        item.option_labels = _option_labels(item)
        if item.kind == ItemKind.COMPETENCY:
            item.scale = [
                (level.value, level.label) for level in item.competency.framework.levels.all()
            ]
        elif item.kind == ItemKind.AGREEMENT:
            item.scale = list(AGREEMENT_SCALE)
        if item.show_if_item_id:
            item.show_if_labels = [item.show_if_item.option_label(v) for v in item.show_if_values]
        by_section[item.section_id].append(item)
    for section in sections:
        section.preview_items = by_section[section.pk]
    rounds = _with_status(list(access.with_rates(actor, survey.rounds.order_by("-opens_at", "pk"))))
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "sections": sections,
            "item_count": len(items),
            "rounds": rounds,
            "minimum": settings.ANONYMITY_MINIMUM,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*access.ANALYSTS)
def round_new(request, pk):
    actor = actor_for(request.user)
    survey = access.get_survey(actor, pk)
    form = RoundForm(request.POST or None, survey=survey)
    if form.is_bound and form.is_valid():
        try:
            round = services.create_round(**form.round_arguments(), created_by=actor.person)
        except services.SurveyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "The round %(round)s was created. Check its population below, then send "
                    "the invitations."
                )
                % {"round": round.title},
            )
            return redirect("surveys:round_detail", pk=round.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "surveys/round_form.html", {"form": form, "survey": survey}, status=status
    )


@require_GET
@login_required
def round_detail(request, pk):
    """A round's dates, population and progress; a leader sees only their own units."""
    actor = actor_for(request.user)
    round = access.get_round(actor, pk)
    runs_rounds = access.runs_rounds(actor)
    progress = access.progress(actor, round, by=request.GET.get("by", ""))
    population = services.population(round)
    if not runs_rounds:
        population = population.filter(library__in=access.led_libraries(actor))
    job_roles = dict(JobRole.choices)
    context = {
        "round": round,
        "status": status_of(round),
        "runs_rounds": runs_rounds,
        "progress": progress,
        "groupings": access.groupings(actor),
        "population_size": population.count(),
        "minimum": settings.ANONYMITY_MINIMUM,
        "job_roles": [job_roles.get(role, role) for role in round.job_roles],
    }
    if runs_rounds:
        context["municipalities"] = list(round.municipalities.order_by("name"))
        context["libraries"] = list(round.libraries.order_by("code"))
    return render(request, "surveys/round_detail.html", context)


def invited_message(count: int) -> str:
    return ngettext(
        "%(count)s person was invited; the e-mail is being sent.",
        "%(count)s people were invited; the e-mails are being sent.",
        count,
    ) % {"count": count}


@require_POST
@role_required(*access.ANALYSTS)
def round_invite(request, pk):
    round = access.get_round_to_run(actor_for(request.user), pk)
    try:
        invited = services.invite(round=round)
    except services.RoundClosed as closed:
        messages.error(request, str(closed))
    else:
        if invited:
            messages.success(request, invited_message(invited))
        else:
            messages.info(
                request, _("Everyone in the population has been invited already; no one is new.")
            )
    return redirect("surveys:round_detail", pk=round.pk)


@require_POST
@role_required(*access.ANALYSTS)
def round_remind(request, pk):
    round = access.get_round_to_run(actor_for(request.user), pk)
    try:
        waiting = services.remind(round=round)
    except services.RoundClosed as closed:
        messages.error(request, str(closed))
    else:
        if waiting:
            messages.success(
                request,
                ngettext(
                    "Reminders are being sent to %(count)s person who has not answered.",
                    "Reminders are being sent to %(count)s people who have not answered.",
                    waiting,
                )
                % {"count": waiting},
            )
        else:
            messages.info(request, _("There is no one to remind: no invitation is unanswered."))
    return redirect("surveys:round_detail", pk=round.pk)
