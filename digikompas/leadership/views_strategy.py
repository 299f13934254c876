"""The local strategy (goals → indicators → progress) and the leader's dashboard.

The strategy page is read by the toolkit's users of the municipality (its leaders, analysts);
its municipal leader writes goals, indicators and measurements. The dashboard is for leaders:
staff have their weekly list (leadership:week) and get 403 here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digikompas.orgs.access import actor_for
from digikompas.orgs.models import Library, Municipality

from . import access, plan, strategy
from .forms_strategy import GoalForm, IndicatorForm, MeasurementForm
from .models import Indicator, StrategyGoal


@require_GET
@login_required
def strategy_page(request, code):
    actor = actor_for(request.user)
    municipality = access.get_municipality(actor, code)
    context = {
        "municipality": municipality,
        "goals": strategy.goals_of(municipality),
        "manages": access.manages(actor, municipality),
    }
    return render(request, "leadership/strategy/strategy.html", context)


# -- goals ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def goal_create(request, code):
    actor = actor_for(request.user)
    municipality = access.get_municipality(actor, code)
    strategy.require_strategist(actor, municipality)
    return _goal_form(request, municipality, goal=None)


@require_http_methods(["GET", "POST"])
@login_required
def goal_edit(request, pk):
    actor = actor_for(request.user)
    goal = strategy.get_goal(actor, pk)
    strategy.require_strategist(actor, goal.municipality)
    return _goal_form(request, goal.municipality, goal=goal)


def _goal_form(request, municipality, *, goal):
    instance = None if goal is None else StrategyGoal.objects.get(pk=goal.pk)
    form = GoalForm(request.POST or None, instance=instance, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        text = (
            _("The goal “%(title)s” was added. Now say how it is measured: add an indicator.")
            if goal is None
            else _("The goal “%(title)s” was saved.")
        )
        messages.success(request, text % {"title": saved.title})
        return redirect("leadership:strategy", code=municipality.code)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "municipality": municipality, "goal": goal}
    return render(request, "leadership/strategy/goal_form.html", context, status=status)


# -- indicators -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def indicator_create(request, pk):
    actor = actor_for(request.user)
    goal = strategy.get_goal(actor, pk)
    strategy.require_strategist(actor, goal.municipality)
    return _indicator_form(request, goal, indicator=None)


@require_http_methods(["GET", "POST"])
@login_required
def indicator_edit(request, pk):
    actor = actor_for(request.user)
    indicator = strategy.get_indicator(actor, pk)
    strategy.require_strategist(actor, indicator.goal.municipality)
    return _indicator_form(request, indicator.goal, indicator=indicator)


def _indicator_form(request, goal, *, indicator):
    instance = None if indicator is None else Indicator.objects.get(pk=indicator.pk)
    form = IndicatorForm(request.POST or None, instance=instance, goal=goal)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        text = (
            _("The indicator “%(name)s” was added.")
            if indicator is None
            else _("The indicator “%(name)s” was saved.")
        )
        messages.success(request, text % {"name": saved.name})
        return redirect("leadership:strategy", code=goal.municipality.code)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "goal": goal, "municipality": goal.municipality}
    context["indicator"] = indicator
    return render(request, "leadership/strategy/indicator_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def measurement_create(request, pk):
    actor = actor_for(request.user)
    indicator = strategy.get_indicator(actor, pk)
    municipality = indicator.goal.municipality
    strategy.require_strategist(actor, municipality)
    form = MeasurementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        strategy.add_measurement(indicator=indicator, **form.cleaned_data)
        messages.success(
            request,
            _("The measurement of “%(name)s” on %(day)s was saved.")
            % {"name": indicator.name, "day": form.cleaned_data["measured_on"].isoformat()},
        )
        return redirect("leadership:strategy", code=municipality.code)
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "indicator": indicator,
        "municipality": municipality,
        "measurements": indicator.measurements.order_by("-measured_on")[:10],
    }
    return render(request, "leadership/strategy/measurement_form.html", context, status=status)


# -- the leader's dashboard -----------------------------------------------------------------------


@require_GET
@login_required
def dashboard(request):
    """For each municipality and library the leader leads: the strategy's progress, the week's
    priorities, the campaigns under way and the unit's gaps; and the leader's own
    digital-leadership self-assessment."""
    actor = actor_for(request.user)
    if not actor.has_role(*access.LEADERS):
        raise PermissionDenied
    today = timezone.localdate()
    listed = plan.week(actor, monday=today, today=today)
    gaps = {(g.unit.grouping, g.unit.key): g for g in strategy.unit_gaps(actor)}
    campaigns = access.readable_campaigns(actor).select_related("resource", "library")
    sections = []
    municipalities = Municipality.objects.filter(pk__in=actor.led_municipality_ids)
    for municipality in municipalities.order_by("name"):
        sections.append(
            {
                "name": municipality.name,
                "municipality": municipality,
                "library": None,
                "goals": strategy.goals_of(municipality, today=today),
                "under_way": plan.campaigns_under_way(
                    campaigns.filter(municipality=municipality), today=today
                ),
                "priorities": _priorities(listed, municipality=municipality),
                "gaps": gaps.get(("municipality", municipality.pk)),
            }
        )
    libraries = Library.objects.filter(pk__in=actor.led_library_ids).select_related("municipality")
    for library in libraries.order_by("name"):
        municipality = library.municipality
        sections.append(
            {
                "name": library.name,
                "municipality": municipality,
                "library": library,
                "goals": strategy.goals_of(municipality, today=today),
                "under_way": plan.campaigns_under_way(
                    campaigns.filter(
                        Q(library=library) | Q(library__isnull=True), municipality=municipality
                    ),
                    today=today,
                ),
                "priorities": _priorities(listed, library=library),
                "gaps": gaps.get(("library", library.pk)),
            }
        )
    context = {
        "sections": sections,
        "week": listed,
        "self": strategy.self_assessment(actor),
        "today": today,
    }
    return render(request, "leadership/strategy/dashboard.html", context)


def _priorities(listed: plan.Week, *, municipality=None, library=None) -> list:
    """The open activities of the week list (overdue first) that belong to the unit: every
    campaign of a municipality; a library's own and its municipality's shared campaigns."""

    def belongs(campaign) -> bool:
        if municipality is not None:
            return campaign.municipality_id == municipality.pk
        if campaign.library_id is None:
            return campaign.municipality_id == library.municipality_id
        return campaign.library_id == library.pk

    return [
        activity
        for activity in (*listed.overdue, *listed.due)
        if activity.status in plan.OPEN and belongs(activity.campaign)
    ]
