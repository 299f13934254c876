"""The dissemination plan: a municipality's annual plan (årshjul), its campaigns with their
activities and effect, and the weekly priority list of a library's staff.

Everyone who reads a municipality's plan (its staff, its leaders, analysts) sees the annual plan
and the campaigns; its municipal leader changes every campaign, a library leader those of their
library (leadership.access). An activity is marked done by its owner or whoever changes its
campaign."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digikompas.orgs.access import actor_for
from digikompas.orgs.models import Municipality

from . import access, plan
from .forms_plan import ActivityForm, CampaignForm, PlanFilterForm
from .models import Activity, Campaign, Channel, Status


def _reads_some_plan(actor) -> None:
    """403 for someone who reads no municipality's plan at all (not staff, leader or analyst)."""
    ids = access.readable_municipality_ids(actor)
    if ids is not None and not ids:
        raise PermissionDenied


def _plan_municipality(actor, code: int) -> Municipality:
    _reads_some_plan(actor)
    try:
        return access.readable_municipalities(actor).get(code=code)
    except Municipality.DoesNotExist:
        raise Http404 from None


def _campaign(actor, pk: int) -> Campaign:
    _reads_some_plan(actor)
    return access.get_campaign(actor, pk)


def _campaign_to_change(actor, pk: int) -> Campaign:
    campaign = _campaign(actor, pk)
    if not access.can_change_campaign(actor, campaign):
        raise PermissionDenied
    return campaign


def _activity(actor, pk: int) -> Activity:
    _reads_some_plan(actor)
    try:
        return (
            Activity.objects.filter(campaign__in=access.readable_campaigns(actor))
            .select_related("campaign__municipality", "campaign__resource", "owner")
            .get(pk=pk)
        )
    except Activity.DoesNotExist:
        raise Http404 from None


# -- the annual plan ------------------------------------------------------------------------------


@require_GET
@login_required
def annual_plan(request, code):
    actor = actor_for(request.user)
    municipality = _plan_municipality(actor, code)
    form = PlanFilterForm(request.GET or None, municipality=municipality)
    today = timezone.localdate()
    chosen, year = plan.PlanFilter(), today.year
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        year = data["year"] or today.year
        chosen = plan.PlanFilter(
            library=data["library"] if data["library"] != "" else None,
            resource=data["resource"].pk if data["resource"] else None,
            target_group=data["target_group"],
            channel=data["channel"],
            status=data["status"],
        )
    elif form.is_bound:
        context = {"municipality": municipality, "form": form, "year": year, "annual": None}
        return render(request, "leadership/plan/annual_plan.html", context, status=400)
    annual = plan.annual_plan(municipality=municipality, year=year, chosen=chosen)
    context = {
        "municipality": municipality,
        "form": form,
        "year": year,
        "annual": annual,
        "filtered": chosen != plan.PlanFilter(),
        "plans": access.plans_for(actor, municipality),
        "this_month": today.replace(day=1) if today.year == year else None,
    }
    return render(request, "leadership/plan/annual_plan.html", context)


# -- campaigns ------------------------------------------------------------------------------------


@require_GET
@login_required
def campaign_detail(request, pk):
    actor = actor_for(request.user)
    campaign = _campaign(actor, pk)
    activities = campaign.activities.select_related("owner").order_by("due_on", "priority", "pk")
    changes = access.can_change_campaign(actor, campaign)
    rows = [(a, changes or plan.can_mark_done(actor, a)) for a in activities]
    context = {
        "campaign": campaign,
        "activities": rows,
        "changes": changes,
        "campaign_channels": [Channel(c).label for c in campaign.channels if c in Channel.values],
        "effect": plan.campaign_effect(campaign),
        "Status": Status,
    }
    return render(request, "leadership/plan/campaign_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def campaign_create(request, code):
    actor = actor_for(request.user)
    municipality = _plan_municipality(actor, code)
    if not access.plans_for(actor, municipality):
        raise PermissionDenied
    return _campaign_form(request, actor, municipality, campaign=None)


@require_http_methods(["GET", "POST"])
@login_required
def campaign_edit(request, pk):
    actor = actor_for(request.user)
    campaign = _campaign_to_change(actor, pk)
    return _campaign_form(request, actor, campaign.municipality, campaign=campaign)


def _campaign_form(request, actor, municipality, *, campaign):
    instance = None if campaign is None else Campaign.objects.get(pk=campaign.pk)
    form = CampaignForm(
        request.POST or None, instance=instance, municipality=municipality, actor=actor
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        text = (
            _("The campaign “%(title)s” was created. Now plan its activities.")
            if campaign is None
            else _("The campaign “%(title)s” was saved.")
        )
        messages.success(request, text % {"title": saved.title})
        return redirect("leadership:campaign_detail", pk=saved.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "municipality": municipality, "campaign": campaign}
    return render(request, "leadership/plan/campaign_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def campaign_delete(request, pk):
    actor = actor_for(request.user)
    campaign = _campaign_to_change(actor, pk)
    if request.method == "POST":
        municipality, title = campaign.municipality, campaign.title
        year = campaign.starts_on.year
        plan.delete_campaign(campaign=campaign)
        messages.success(request, _("The campaign “%(title)s” was deleted.") % {"title": title})
        return redirect(f"{reverse('leadership:plan', args=[municipality.code])}?year={year}")
    return render(request, "leadership/plan/campaign_delete.html", {"campaign": campaign})


# -- activities -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def activity_create(request, pk):
    actor = actor_for(request.user)
    campaign = _campaign_to_change(actor, pk)
    return _activity_form(request, campaign, activity=None)


@require_http_methods(["GET", "POST"])
@login_required
def activity_edit(request, pk):
    actor = actor_for(request.user)
    activity = _activity(actor, pk)
    if not access.can_change_campaign(actor, activity.campaign):
        raise PermissionDenied
    return _activity_form(request, activity.campaign, activity=activity)


def _activity_form(request, campaign, *, activity):
    instance = None if activity is None else Activity.objects.get(pk=activity.pk)
    form = ActivityForm(request.POST or None, instance=instance, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        text = (
            _("The activity “%(title)s” was added.")
            if activity is None
            else _("The activity “%(title)s” was saved.")
        )
        messages.success(request, text % {"title": saved.title})
        return redirect("leadership:campaign_detail", pk=campaign.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "campaign": campaign, "activity": activity}
    return render(request, "leadership/plan/activity_form.html", context, status=status)


@require_POST
@login_required
def activity_done(request, pk):
    actor = actor_for(request.user)
    activity = _activity(actor, pk)
    if not plan.can_mark_done(actor, activity):
        raise PermissionDenied
    plan.set_activity_status(activity=activity, status=Status.DONE)
    messages.success(request, _("“%(title)s” is marked done.") % {"title": activity.title})
    # Back to the page the button was on: the week list or the campaign.
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("leadership:campaign_detail", pk=activity.campaign_id)


# -- the week -------------------------------------------------------------------------------------


@require_GET
@login_required
def week(request):
    actor = actor_for(request.user)
    if not plan.has_week(actor):
        raise PermissionDenied
    today = timezone.localdate()
    monday = today
    if request.GET.get("week"):
        try:
            monday = datetime.date.fromisoformat(request.GET["week"])
        except ValueError:
            messages.error(
                request,
                _("“%(value)s” is not a date; showing this week.") % {"value": request.GET["week"]},
            )
    listed = plan.week(actor, monday=monday, today=today)
    rows = [
        (a, a.status in plan.OPEN and plan.can_mark_done(actor, a))
        for a in (*listed.overdue, *listed.due)
    ]
    marks = {a.pk: can for a, can in rows}
    context = {
        "week": listed,
        "overdue": [(a, marks[a.pk]) for a in listed.overdue],
        "due": [(a, marks[a.pk]) for a in listed.due],
        "iso_week": listed.monday.isocalendar().week,
        "today": today,
        "Status": Status,
    }
    return render(request, "leadership/plan/week.html", context)
