"""The pages of the education-offer catalogue: the list and an offer for everyone logged in;
editing offers, their competencies and providers, and catalogue files for the editors (who may
do what is decided in access.py)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digikompas.frameworks.models import Competency, Framework, ProficiencyLevel
from digikompas.orgs.access import actor_for
from digikompas.orgs.models import JobRole, Person

from . import access, importing, services
from .forms import (
    AddCompetencyForm,
    CatalogueFilterForm,
    CoveredCompetencyForm,
    OfferFileForm,
    OfferForm,
    ProviderForm,
    RejectSuggestionForm,
    level_choices,
)
from .importing import COLUMNS, REQUIRED, ImportRejected
from .models import (
    EducationOffer,
    OfferCompetency,
    OfferFormat,
    OfferKind,
    OfferLanguage,
    Provider,
    ProviderKind,
    RejectedSuggestion,
)
from .suggest import suggest_for_offer

PER_PAGE = 50
# Suggestions shown at a time; rejecting or accepting one brings up the next.
SUGGESTIONS = 5
EXPORT_FORMATS = ("csv", "xlsx")


def _default_framework() -> Framework | None:
    """The published default framework offers link to, or None when there is none yet."""
    try:
        return services.default_framework()
    except services.DefaultFrameworkMissing:
        return None


# -- the catalogue --------------------------------------------------------------------------------


@require_GET
@login_required
def catalogue(request):
    actor = actor_for(request.user)
    framework = _default_framework()
    form = CatalogueFilterForm(request.GET or None, framework=framework)
    offers = EducationOffer.objects.select_related("provider")
    if form.is_bound and form.is_valid():
        offers = _filtered(offers, form.cleaned_data, framework)
    page = Paginator(offers, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": form.is_bound and form.is_filtered,
        "has_examples": any(offer.is_example for offer in page),
        "edits": access.edits(actor),
        "curates": access.curates(actor),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "offers/catalogue.html", context, status=status)


def _filtered(offers: QuerySet, data: dict, framework: Framework | None) -> QuerySet:
    # Every word somewhere in a title or description, so "digital formidling" finds
    # "Formidling af digitale ressourcer" only if both words occur.
    for word in data["q"].split():
        offers = offers.filter(
            Q(title_da__icontains=word)
            | Q(title_en__icontains=word)
            | Q(description_da__icontains=word)
            | Q(description_en__icontains=word)
        )
    if data["kind"]:
        offers = offers.filter(kind=data["kind"])
    if data["format"]:
        offers = offers.filter(format=data["format"])
    if data["provider"]:
        offers = offers.filter(provider=data["provider"])
    if data.get("competency") and framework is not None:
        competency = framework.competencies.get(code=data["competency"])
        # By identifier: an offer linked to an older version of the competency covers it too.
        offers = offers.filter(
            Exists(
                OfferCompetency.objects.filter(
                    offer=OuterRef("pk"), competency__identifier=competency.identifier
                )
            )
        )
    if data["role"]:
        # Target roles are a JSON list of plain words; JSON containment (`__contains`) is not
        # available on SQLite, so the quoted word is looked for in the list's text. An offer
        # with no target roles is for everyone.
        offers = offers.filter(Q(target_roles=[]) | Q(target_roles__icontains=f'"{data["role"]}"'))
    if data["online"]:
        offers = offers.filter(online=True)
    return offers


@require_GET
@login_required
def offer_detail(request, pk):
    actor = actor_for(request.user)
    offer = access.get_offer(actor, pk)
    links = _covered(offer)
    context = {
        "offer": offer,
        "competencies": _with_level_names(links),
        "target_roles": [JobRole(role).label for role in offer.target_roles],
        "start_dates": [datetime.date.fromisoformat(date) for date in offer.start_dates],
        "can_edit": access.can_edit(actor, offer),
    }
    return render(request, "offers/offer_detail.html", context)


def _covered(offer: EducationOffer) -> list[OfferCompetency]:
    """The competencies the offer builds, newest framework version first, in framework order."""
    return list(
        offer.competencies.select_related("competency__framework").order_by(
            "competency__framework__key",
            "-competency__framework__version",
            "competency__domain__position",
            "competency__position",
            "competency__code",
        )
    )


def _with_level_names(links: list[OfferCompetency]) -> list[tuple[OfferCompetency, str]]:
    """Each link with the name of its level on the scale of its competency's framework."""
    frameworks = {link.competency.framework_id for link in links}
    names = {
        (level.framework_id, level.value): level.label
        for level in ProficiencyLevel.objects.filter(framework__in=frameworks)
    }
    return [
        (link, names.get((link.competency.framework_id, link.level_reached), "")) for link in links
    ]


# -- writing offers -------------------------------------------------------------------------------


def _save_offer(form: OfferForm) -> EducationOffer | None:
    """The offer of a valid form, saved; None (and an error on the form) when another offer took
    its title between the form's check and the save."""
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        form.add_error("title_da", _("This provider already has an offer with this title."))
        return None


# -- offers ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def offer_create(request):
    actor = actor_for(request.user)
    access.require_editor(actor)
    providers = access.editable_providers(actor)
    initial = {}
    chosen = request.GET.get("provider", "")
    if chosen.isdigit() and providers.filter(pk=chosen).exists():
        initial["provider"] = int(chosen)
    elif len(ids := list(providers.values_list("pk", flat=True)[:2])) == 1:
        initial["provider"] = ids[0]
    form = OfferForm(request.POST or None, providers=providers, initial=initial)
    if request.method == "POST" and form.is_valid():
        offer = _save_offer(form)
        if offer is not None:
            messages.success(
                request,
                _("The offer “%(title)s” was created. Now choose the competencies it builds.")
                % {"title": offer.title},
            )
            return redirect("offers:offer_competencies", pk=offer.pk)
    return _offer_form_page(request, form, offer=None)


@require_http_methods(["GET", "POST"])
@login_required
def offer_edit(request, pk):
    actor = actor_for(request.user)
    offer = access.get_offer_to_edit(actor, pk)
    # The form gets its own copy: validation writes the posted values into its instance, and the
    # page around a refused form shows the stored title.
    form = OfferForm(
        request.POST or None,
        instance=EducationOffer.objects.get(pk=offer.pk),
        providers=access.editable_providers(actor),
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_offer(form)
        if saved is not None:
            messages.success(
                request, _("The offer “%(title)s” was saved.") % {"title": saved.title}
            )
            return redirect("offers:offer_detail", pk=saved.pk)
    return _offer_form_page(request, form, offer=offer)


def _offer_form_page(request, form, *, offer):
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "offers/offer_form.html", {"form": form, "offer": offer}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def offer_delete(request, pk):
    offer = access.get_offer_to_edit(actor_for(request.user), pk)
    if request.method == "POST":
        title = offer.title
        offer.delete()
        messages.success(request, _("The offer “%(title)s” was deleted.") % {"title": title})
        return redirect("offers:catalogue")
    return render(request, "offers/offer_delete.html", {"offer": offer})


# -- the competencies of an offer -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def offer_competencies(request, pk):
    """What the offer covers, with forms to change a level or remove a competency, to add one,
    and to accept or reject the competencies suggested from the offer's text. Every form posts
    here with an `action`; each write can be sent twice without harm."""
    actor = actor_for(request.user)
    offer = access.get_offer_to_edit(actor, pk)
    framework = _default_framework()
    if request.method == "GET":
        return _competencies_page(request, offer, framework)
    action = request.POST.get("action")
    if action not in _COMPETENCY_ACTIONS:
        return HttpResponseBadRequest()
    if action in ("add", "accept", "reject") and framework is None:
        messages.error(request, str(services.DefaultFrameworkMissing()))
        return redirect("offers:offer_competencies", pk=offer.pk)
    return _COMPETENCY_ACTIONS[action](request, actor=actor, offer=offer, framework=framework)


def _add(request, *, actor, offer, framework):
    form = AddCompetencyForm(request.POST, framework=framework, levels=level_choices(framework))
    if not form.is_valid():
        return _competencies_page(request, offer, framework, add_form=form)
    competency, level = form.cleaned_data["competency"], form.cleaned_data["level"]
    services.cover_competency(offer=offer, competency=competency, level=level)
    return _done(
        request,
        offer,
        _("%(code)s is now covered at level %(level)s.")
        % {"code": competency.code, "level": level},
    )


def _accept(request, *, actor, offer, framework):
    form = AddCompetencyForm(request.POST, framework=framework, levels=level_choices(framework))
    if not form.is_valid():
        return _refused(request, offer, form)
    competency, level = form.cleaned_data["competency"], form.cleaned_data["level"]
    services.cover_competency(offer=offer, competency=competency, level=level)
    return _done(
        request,
        offer,
        _("The suggestion %(code)s was accepted at level %(level)s.")
        % {"code": competency.code, "level": level},
    )


def _reject_suggestion(request, *, actor, offer, framework):
    form = RejectSuggestionForm(request.POST, framework=framework)
    if not form.is_valid():
        return _refused(request, offer, form)
    competency = form.cleaned_data["competency"]
    services.reject_suggestion(offer=offer, competency=competency, person=actor.person)
    return _done(
        request,
        offer,
        _("The suggestion %(code)s was rejected and will not be suggested again.")
        % {"code": competency.code},
    )


def _change_level(request, *, actor, offer, framework):
    form = CoveredCompetencyForm(request.POST, offer=offer, levels=level_choices(None))
    if not form.is_valid():
        return _refused(request, offer, form)
    link = form.cleaned_data["link"]
    link.level_reached = form.cleaned_data["level"]
    link.save(update_fields=["level_reached"])
    return _done(
        request,
        offer,
        _("%(code)s is now covered at level %(level)s.")
        % {"code": link.competency.code, "level": link.level_reached},
    )


def _remove(request, *, actor, offer, framework):
    form = CoveredCompetencyForm(request.POST, offer=offer)
    if form.is_valid():
        link = form.cleaned_data["link"]
        link.delete()
        return _done(
            request,
            offer,
            _("%(code)s was removed from the offer.") % {"code": link.competency.code},
        )
    # Removed already (another tab, a second click): what was asked for is done.
    return _done(request, offer, _("The competency was already removed from the offer."))


_COMPETENCY_ACTIONS = {
    "add": _add,
    "accept": _accept,
    "reject": _reject_suggestion,
    "level": _change_level,
    "remove": _remove,
}


def _done(request, offer, text: str):
    messages.success(request, text)
    return redirect("offers:offer_competencies", pk=offer.pk)


def _refused(request, offer, form):
    """A button's form that cannot be used (a level out of range, a link removed meanwhile):
    say so above the page instead of saving."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("offers:offer_competencies", pk=offer.pk)


def _competencies_page(request, offer, framework, *, add_form=None):
    links = _covered(offer)
    context = {
        "offer": offer,
        "framework": framework,
        "covered": _with_level_names(links),
        "levels": level_choices(framework),
        "missing_framework": None if framework else str(services.DefaultFrameworkMissing()),
    }
    if framework is not None:
        context["add_form"] = add_form or AddCompetencyForm(
            framework=framework, levels=level_choices(framework), initial={"level": 2}
        )
        context["suggestions"] = _suggestions(offer, framework, links)
    status = 400 if add_form is not None and add_form.errors else 200
    return render(request, "offers/offer_competencies.html", context, status=status)


def _suggestions(offer, framework, links) -> list[tuple[Competency, object]]:
    """The competencies suggested from the offer's text, best first, without those it covers or
    that were rejected for it (in any version of the framework: by identifier)."""
    skip = {link.competency.identifier for link in links}
    skip.update(
        RejectedSuggestion.objects.filter(offer=offer).values_list(
            "competency__identifier", flat=True
        )
    )
    by_code = {c.code: c for c in framework.competencies.all()}
    result = []
    for suggestion in suggest_for_offer(offer, framework, top=SUGGESTIONS + len(skip)):
        competency = by_code[suggestion.competency_key]
        if competency.identifier not in skip:
            result.append((competency, suggestion))
    return result[:SUGGESTIONS]


# -- providers ------------------------------------------------------------------------------------


@require_GET
@login_required
def provider_list(request):
    actor = actor_for(request.user)
    access.require_editor(actor)
    providers = (
        access.editable_providers(actor)
        .annotate(offer_count=Count("offers"))
        .prefetch_related(Prefetch("maintainers", queryset=Person.objects.order_by("name")))
        .order_by("name")
    )
    context = {"providers": providers, "curates": access.curates(actor)}
    return render(request, "offers/provider_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def provider_create(request):
    access.require_curator(actor_for(request.user))
    return _provider_form(request, provider=None)


@require_http_methods(["GET", "POST"])
@login_required
def provider_edit(request, pk):
    provider = access.get_provider_to_edit(actor_for(request.user), pk)
    return _provider_form(request, provider=provider)


def _provider_form(request, *, provider):
    # The form gets its own copy, so that a refused name does not show as the page's heading.
    instance = None if provider is None else Provider.objects.get(pk=provider.pk)
    form = ProviderForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = form.save()
        except IntegrityError:
            # Another provider took the name between the form's check and the save.
            form.add_error("name", _("There is already a provider with this name."))
        else:
            messages.success(request, _("The provider %(name)s was saved.") % {"name": saved.name})
            return redirect("offers:provider_list")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "offers/provider_form.html", {"form": form, "provider": provider}, status=status
    )


# -- catalogue files ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def offer_import(request):
    actor = actor_for(request.user)
    scope = access.import_scope(actor)
    form = OfferFileForm(request.POST or None, request.FILES or None)
    rejected = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_offers(
                content=upload.read(), filename=upload.name, allowed_providers=scope
            )
        except ImportRejected as error:
            rejected = error
        except services.DefaultFrameworkMissing as error:
            rejected = ImportRejected(file_errors=[str(error)])
        else:
            messages.success(
                request,
                _(
                    "%(filename)s was imported: %(created)s created, %(updated)s updated, "
                    "%(unchanged)s unchanged."
                )
                % {
                    "filename": upload.name,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect("offers:catalogue")
    context = {
        "form": form,
        "rejected": rejected,
        "providers": None if scope is None else access.editable_providers(actor).order_by("name"),
        "columns": [(aliases, column in REQUIRED) for column, aliases in COLUMNS.items()],
        "choices": [
            ("provider_kind", ProviderKind),
            ("kind", OfferKind),
            ("format", OfferFormat),
            ("language", OfferLanguage),
            ("target_roles", JobRole),
        ],
        "max_rows": importing.MAX_ROWS,
        "missing_framework": (
            str(services.DefaultFrameworkMissing()) if _default_framework() is None else None
        ),
    }
    status = 400 if rejected or form.errors else 200
    return render(request, "offers/import.html", context, status=status)


@require_GET
@login_required
def offer_export(request):
    """The offers the actor may change as a catalogue file (`?format=csv|xlsx`); with
    `?template=yes`, the header row alone, to fill in and import."""
    actor = actor_for(request.user)
    access.require_editor(actor)
    file_format = request.GET.get("format", "xlsx")
    if file_format not in EXPORT_FORMATS:
        raise Http404
    template = request.GET.get("template") == "yes"
    offers = EducationOffer.objects.none() if template else access.editable_offers(actor)
    data, filename, content_type = services.export_offers(file_format=file_format, offers=offers)
    if template:
        filename = f"offers-template.{file_format}"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
