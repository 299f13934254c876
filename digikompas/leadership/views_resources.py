"""The catalogue of digital resources (the toolkit's start page, for everyone logged in; analysts
curate it) and the leader's overview of the resources a municipality offers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digikompas.orgs.access import actor_for
from digikompas.orgs.models import UserGroup

from . import access, metrics
from .forms_resources import MunicipalityChoiceForm, ResourceFilterForm, ResourceForm
from .models import DigitalResource

PER_PAGE = 50


def toolkit_links(municipality) -> list[tuple[str, str]]:
    """The toolkit's pages for a municipality, as (label, address); a page whose part of the
    toolkit is not installed is left out."""
    pages = [
        (_("Resource overview"), "leadership:overview", [municipality.code]),
        (_("Licences"), "leadership:licence_list", [municipality.code]),
        (_("Selection of resources"), "leadership:selection", [municipality.code]),
        (_("Dissemination plan"), "leadership:plan", [municipality.code]),
        (_("Strategy"), "leadership:strategy", [municipality.code]),
    ]
    links = []
    for label, name, args in pages:
        try:
            links.append((label, reverse(name, args=args)))
        except NoReverseMatch:
            continue
    return links


def collaborations_link() -> str | None:
    try:
        return reverse("leadership:collaboration_list")
    except NoReverseMatch:
        return None


# -- the catalogue ------------------------------------------------------------------------------


@require_GET
@login_required
def resource_list(request):
    actor = actor_for(request.user)
    form = ResourceFilterForm(request.GET or None)
    resources = DigitalResource.objects.all()
    if form.is_bound and form.is_valid():
        resources = _filtered(resources, form.cleaned_data)
    page = Paginator(resources, PER_PAGE).get_page(request.GET.get("page"))
    names = dict(UserGroup.choices)
    for resource in page:
        resource.group_names = [names[group] for group in resource.target_groups if group in names]
    context = {
        "form": form,
        "page": page,
        "filtered": form.is_bound and form.is_filtered,
        "has_examples": any(resource.is_example for resource in page),
        "curates": access.curates(actor),
        **_toolkit(request, actor),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "leadership/resources/resource_list.html", context, status=status)


def _filtered(resources, data: dict):
    if data["type"]:
        resources = resources.filter(type=data["type"])
    if data["group"]:
        # Target groups are a JSON list of plain words; JSON containment is not available on
        # SQLite, so the quoted word is looked for in the list's text.
        resources = resources.filter(target_groups__icontains=f'"{data["group"]}"')
    if data["examples"] == "confirmed":
        resources = resources.filter(is_example=False)
    elif data["examples"] == "examples":
        resources = resources.filter(is_example=True)
    return resources


def _toolkit(request, actor) -> dict:
    """The toolkit's pages for the leader's municipalities, or for the municipality an analyst
    chose."""
    if not access.uses_toolkit(actor):
        return {"toolkit": None}
    chooser = None
    if access.reads_nationally(actor):
        municipalities = access.readable_municipalities(actor).order_by("name")
        chooser = MunicipalityChoiceForm(
            {"municipality": request.GET.get("municipality", "")}, municipalities=municipalities
        )
        chosen = chooser.cleaned_data["municipality"] if chooser.is_valid() else None
        municipalities = municipalities.filter(code=chosen) if chosen else []
    else:
        municipalities = access.readable_municipalities(actor).order_by("name")
    return {
        "toolkit": [(m, toolkit_links(m)) for m in municipalities],
        "chooser": chooser,
        "collaborations_url": collaborations_link(),
    }


@require_GET
@login_required
def resource_detail(request, pk):
    actor = actor_for(request.user)
    resource = access.get_resource(actor, pk)
    description = resource.description_en if get_language() == "en" else resource.description_da
    context = {
        "resource": resource,
        "description": description or resource.description_da or resource.description_en,
        "target_groups": [UserGroup(group).label for group in resource.target_groups],
        "curates": access.curates(actor),
    }
    return render(request, "leadership/resources/resource_detail.html", context)


def _save(form: ResourceForm) -> DigitalResource | None:
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        # Another analyst took the name between the form's check and the save.
        form.add_error("name", _("There is already a resource with this name."))
        return None


@require_http_methods(["GET", "POST"])
@login_required
def resource_create(request):
    access.require_curator(actor_for(request.user))
    form = ResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resource = _save(form)
        if resource is not None:
            messages.success(
                request, _("The resource “%(name)s” was created.") % {"name": resource.name}
            )
            return redirect("leadership:resource_detail", pk=resource.pk)
    return _form_page(request, form, resource=None)


@require_http_methods(["GET", "POST"])
@login_required
def resource_edit(request, pk):
    actor = actor_for(request.user)
    access.require_curator(actor)
    resource = access.get_resource(actor, pk)
    # Its own copy: validation writes the posted values into the form's instance, and the page
    # around a refused form shows the stored name.
    form = ResourceForm(request.POST or None, instance=DigitalResource.objects.get(pk=resource.pk))
    if request.method == "POST" and form.is_valid():
        saved = _save(form)
        if saved is not None:
            messages.success(
                request, _("The resource “%(name)s” was saved.") % {"name": saved.name}
            )
            return redirect("leadership:resource_detail", pk=saved.pk)
    return _form_page(request, form, resource=resource)


def _form_page(request, form, *, resource):
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "leadership/resources/resource_form.html",
        {"form": form, "resource": resource},
        status=status,
    )


# -- the leader's overview ----------------------------------------------------------------------


@require_GET
@login_required
def overview(request, code):
    actor = actor_for(request.user)
    municipality = access.get_municipality(actor, code)
    last = metrics.last_complete_month()
    rows = metrics.overview(municipality, last=last)
    context = {
        "municipality": municipality,
        "rows": rows,
        "first": metrics.add_months(last, -11),
        "last": last,
        "links": [
            (label, url) for label, url in toolkit_links(municipality) if url != request.path
        ],
        "has_examples": any(row.resource.is_example for row in rows),
    }
    return render(request, "leadership/resources/overview.html", context)
