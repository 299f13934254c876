"""The licence pages: a municipality's licences and those of its collaborations, with what each
costs this licence year and how that was computed; the national list for analysts; creating,
editing and deleting a licence (its municipality's municipal leader, or for a collaboration's
licence the leader of the coordinating municipality). Who may do what is decided in access.py."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digikompas.orgs.access import actor_for

from . import access
from .costsplit import SplitError
from .forms_licences import (
    BAND_KEY,
    LicenceFilterForm,
    LicenceForm,
    PricingModelForm,
    band_formset,
)
from .models import Collaboration, Licence, PricingModel
from .pricing import PricingError, day_text, licence_cost, municipality_share

PER_PAGE = 50


@dataclass
class LicenceRow:
    """A licence with what it costs this licence year and, for a collaboration's licence, the
    municipality's share; `problem` says why a cost could not be computed."""

    licence: Licence
    cost: object | None = None
    share: object | None = None
    share_rule: str = ""
    problem: str = ""
    can_change: bool = False

    @property
    def terms(self) -> list[str]:
        return terms_text(self.licence)


def terms_text(licence: Licence) -> list[str]:
    terms = licence.terms or {}
    out = []
    if terms.get("concurrent_users"):
        out.append(_("%(count)s concurrent users") % {"count": terms["concurrent_users"]})
    if terms.get("on_site_only"):
        out.append(_("On site only"))
    if terms.get("remote_access"):
        out.append(_("Remote access"))
    if licence.pricing_model == PricingModel.PER_LOAN and licence.monthly_quota:
        out.append(_("%(quota)d loans per borrower a month") % {"quota": licence.monthly_quota})
    return out


def _row(licence: Licence, municipality, actor) -> LicenceRow:
    row = LicenceRow(licence=licence, can_change=access.can_change_licence(actor, licence))
    try:
        row.cost = licence_cost(licence)
        if licence.collaboration_id is not None and municipality is not None:
            row.share, row.share_rule = municipality_share(
                licence, municipality, licence.starts_on, licence.ends_on
            )
    except (PricingError, SplitError) as error:
        row.problem = str(error)
    return row


def _in_force(licence: Licence, today: datetime.date) -> bool:
    return licence.starts_on <= today <= licence.ends_on


# -- lists --------------------------------------------------------------------------------------


@require_GET
@login_required
def licence_list(request, code):
    actor = actor_for(request.user)
    municipality = access.get_municipality(actor, code)
    licences = (
        Licence.objects.filter(
            Q(municipality=municipality) | Q(collaboration__memberships__municipality=municipality)
        )
        .select_related("resource", "municipality", "collaboration")
        .distinct()
        .order_by("resource__name", "-starts_on", "pk")
    )
    today = datetime.date.today()
    rows = [_row(licence, municipality, actor) for licence in licences]
    context = {
        "municipality": municipality,
        "in_force": [row for row in rows if _in_force(row.licence, today)],
        "other_periods": [row for row in rows if not _in_force(row.licence, today)],
        "can_create": access.manages(actor, municipality),
        "national": access.reads_nationally(actor),
        "has_examples": any(row.licence.is_example for row in rows),
    }
    return render(request, "leadership/licences/licence_list.html", context)


@require_GET
@login_required
def licence_overview(request):
    """Analysts: every licence in the country, filtered. Leaders go to their municipality's
    licences."""
    actor = actor_for(request.user)
    access.require_toolkit(actor)
    if not access.reads_nationally(actor):
        mine = access.readable_municipalities(actor).order_by("name").first()
        if mine is None:
            raise PermissionDenied
        return redirect("leadership:licence_list", code=mine.code)
    form = LicenceFilterForm(request.GET or None)
    licences = Licence.objects.select_related("resource", "municipality", "collaboration")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["municipality"]:
            licences = licences.filter(
                Q(municipality=data["municipality"])
                | Q(collaboration__memberships__municipality=data["municipality"])
            ).distinct()
        if data["resource"]:
            licences = licences.filter(resource=data["resource"])
        if data["pricing_model"]:
            licences = licences.filter(pricing_model=data["pricing_model"])
        if data["renewal_decision"]:
            licences = licences.filter(renewal_decision=data["renewal_decision"])
        if data["holder"] == "municipality":
            licences = licences.filter(municipality__isnull=False)
        elif data["holder"] == "collaboration":
            licences = licences.filter(collaboration__isnull=False)
        if data["in_force"]:
            today = datetime.date.today()
            licences = licences.filter(starts_on__lte=today, ends_on__gte=today)
    licences = licences.order_by("resource__name", "-starts_on", "pk")
    page = Paginator(licences, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": [_row(licence, None, actor) for licence in page],
        "filtered": form.is_bound and form.is_filtered,
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "leadership/licences/licence_overview.html", context, status=status)


# -- writing licences ---------------------------------------------------------------------------


def _back(licence: Licence) -> str:
    if licence.collaboration_id is not None:
        return reverse("leadership:collaboration_detail", args=[licence.collaboration_id])
    return reverse("leadership:licence_list", args=[licence.municipality.code])


@require_http_methods(["GET", "POST"])
@login_required
def licence_create(request, code):
    """A new licence of the municipality, or of a collaboration it coordinates: first the
    pricing model, then the form of that model."""
    actor = actor_for(request.user)
    municipality = access.get_municipality(actor, code)
    access.require_manager(actor, municipality)
    collaborations = [
        c
        for c in Collaboration.objects.filter(coordinator=municipality).order_by("name")
        if access.can_change_collaboration(actor, c)
    ]
    model = (request.POST if request.method == "POST" else request.GET).get("pricing_model")
    if model not in PricingModel.values:
        chooser = PricingModelForm(request.GET if "pricing_model" in request.GET else None)
        return render(
            request,
            "leadership/licences/licence_model.html",
            {"municipality": municipality, "form": chooser},
            status=400 if chooser.is_bound else 200,
        )
    initial = {}
    if request.method == "GET" and request.GET.get("collaboration") in {
        str(c.pk) for c in collaborations
    }:
        initial["holder"] = request.GET["collaboration"]
    form = LicenceForm(
        request.POST or None,
        model=model,
        municipality=municipality,
        collaborations=collaborations,
        initial=initial,
    )
    return _licence_form(request, form, municipality=municipality, licence=None)


@require_http_methods(["GET", "POST"])
@login_required
def licence_edit(request, pk):
    actor = actor_for(request.user)
    licence = access.get_licence(actor, pk)
    if not access.can_change_licence(actor, licence):
        raise PermissionDenied
    model = request.POST.get("pricing_model") or request.GET.get("pricing_model")
    if model not in PricingModel.values:
        model = licence.pricing_model
    form = LicenceForm(
        request.POST or None,
        # Its own copy: validation writes the posted values into the instance, and the page
        # around a refused form names the stored licence.
        instance=Licence.objects.get(pk=licence.pk),
        model=model,
        municipality=licence.municipality,
        collaborations=[],
    )
    return _licence_form(request, form, municipality=licence.municipality, licence=licence)


def _licence_form(request, form: LicenceForm, *, municipality, licence):
    model = form.model
    bands = None
    if model in BAND_KEY:
        bands = band_formset(
            request.POST or None,
            licence=licence if licence is not None and licence.pricing_model == model else None,
            model=model,
        )
        form.bands = bands
    if request.method == "POST":
        bands_valid = bands is None or bands.is_valid()
        if form.is_valid() and bands_valid:
            with transaction.atomic():
                saved = form.save()
            if licence is None:
                text = _("The licence for %(resource)s was created.")
            else:
                text = _("The licence for %(resource)s was saved.")
            messages.success(request, text % {"resource": saved.resource.name})
            return redirect(_back(saved))
    context = {
        "form": form,
        "bands": bands,
        "licence": licence,
        "municipality": municipality if licence is None else None,
        "crumb_municipality": licence.municipality if licence is not None else municipality,
        "crumb_collaboration": licence.collaboration if licence is not None else None,
        "model": model,
        "model_label": PricingModel(model).label,
        "models": PricingModel.choices,
        "errors": form.is_bound
        and (bool(form.errors) or (bands is not None and not bands.is_valid())),
        "back": _back(licence) if licence is not None else None,
    }
    status = 400 if context["errors"] else 200
    return render(request, "leadership/licences/licence_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def licence_delete(request, pk):
    actor = actor_for(request.user)
    licence = access.get_licence(actor, pk)
    if not access.can_change_licence(actor, licence):
        raise PermissionDenied
    back = _back(licence)
    if request.method == "POST":
        name = licence.resource.name
        licence.delete()
        messages.success(
            request, _("The licence for %(resource)s was deleted.") % {"resource": name}
        )
        return redirect(back)
    context = {
        "licence": licence,
        "back": back,
        "invoices": licence.invoices.count(),
        "period": f"{day_text(licence.starts_on)}–{day_text(licence.ends_on)}",
    }
    return render(request, "leadership/licences/licence_delete.html", context)
