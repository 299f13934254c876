"""The pages of materials and the toolbox, the experience harvest and idea bank, and
evaluations (who may do what is decided in access.py; what is stored, in uploads.py and
harvest.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digikompas.orgs.access import actor_for
from digikompas.privacy import audit

from . import access, harvest, uploads
from .forms_harvest import (
    EvaluationForm,
    ExperienceForm,
    IdeaFilterForm,
    MaterialForm,
    NewExperienceForm,
    ToolboxFilterForm,
)
from .models import Evaluation, ExperienceLog, Material, MaterialKind, Module

MATERIALS_PER_PAGE = 50
TOOLS_PER_PAGE = 50
IDEAS_PER_PAGE = 25


def _with_modules(materials: QuerySet[Material]) -> QuerySet[Material]:
    modules = Module.objects.select_related("programme").order_by(
        "-programme__starts_on", "position", "pk"
    )
    return materials.prefetch_related(Prefetch("modules", queryset=modules))


def _refused(request, *, heading: str, reason: str, module: Module | None = None):
    """A 403 page that says why, for a person who may come back when the reason is gone."""
    context = {"heading": heading, "reason": reason, "module": module}
    return render(request, "pilot/harvest/refused.html", context, status=403)


def _form_status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


# -- materials ------------------------------------------------------------------------------------


@require_GET
@login_required
def material_list(request):
    access.require_coordinator(actor_for(request.user))
    materials = _with_modules(Material.objects.order_by("title_da", "pk"))
    page = Paginator(materials, MATERIALS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "pilot/harvest/material_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@login_required
def material_create(request):
    actor = actor_for(request.user)
    access.require_coordinator(actor)
    return _material_form(request, actor=actor, material=None)


@require_http_methods(["GET", "POST"])
@login_required
def material_edit(request, pk):
    actor = actor_for(request.user)
    material = access.get_material_to_edit(actor, pk)
    return _material_form(request, actor=actor, material=material)


def _material_form(request, *, actor, material):
    # The form gets its own copy, so that a refused title does not show as the page's heading.
    instance = Material() if material is None else Material.objects.get(pk=material.pk)
    form = MaterialForm(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = uploads.save_material(
                material=form.save(commit=False),
                modules=list(form.cleaned_data["modules"]),
                checked=form.checked,
                by=actor.person,
            )
        except ValidationError as error:
            # What the form could not see (e.g. the stored file's name): above the form.
            form.add_error(None, error.messages)
        else:
            messages.success(
                request, _("The material “%(title)s” was saved.") % {"title": saved.title}
            )
            return redirect("pilot:material_list")
    context = {"form": form, "material": material}
    return render(request, "pilot/harvest/material_form.html", context, status=_form_status(form))


@require_http_methods(["GET", "POST"])
@login_required
def material_delete(request, pk):
    material = access.get_material_to_edit(actor_for(request.user), pk)
    if request.method == "POST":
        title = material.title
        uploads.delete_material(material=material)
        messages.success(request, _("The material “%(title)s” was deleted.") % {"title": title})
        return redirect("pilot:material_list")
    modules = _with_modules(Material.objects.filter(pk=material.pk)).get().modules.all()
    return render(
        request, "pilot/harvest/material_delete.html", {"material": material, "modules": modules}
    )


@require_GET
@login_required
def material_download(request, pk):
    """The material's file as an attachment under its original name, or a redirect to its link.
    The stored type and nosniff keep a browser from treating a file as a page of this site."""
    material = access.get_material(actor_for(request.user), pk)
    if material.kind == MaterialKind.LINK:
        if not material.url.lower().startswith(("http://", "https://")):
            raise Http404
        return HttpResponseRedirect(material.url)
    try:
        handle = material.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=material.file_name or material.file.name.rsplit("/", 1)[-1],
        content_type=material.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it after all: no scripts, no requests, no access to this origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# -- the toolbox ----------------------------------------------------------------------------------


@require_GET
@login_required
def toolbox(request):
    form = ToolboxFilterForm(request.GET or None)
    tools = Material.objects.filter(is_tool=True)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        for word in data["q"].split():
            tools = tools.filter(
                Q(title_da__icontains=word)
                | Q(title_en__icontains=word)
                | Q(description_da__icontains=word)
                | Q(description_en__icontains=word)
            )
        if data["programme"]:
            tools = tools.filter(
                pk__in=Material.objects.filter(modules__programme=data["programme"]).values("pk")
            )
        if data["module"]:
            tools = tools.filter(
                pk__in=Material.objects.filter(modules=data["module"]).values("pk")
            )
    tools = _with_modules(tools.order_by("title_da", "pk"))
    page = Paginator(tools, TOOLS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filtered": form.is_bound and form.is_filtered}
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "pilot/harvest/toolbox.html", context, status=status)


# -- experiences ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def experience_create(request, pk):
    actor = actor_for(request.user)
    module = access.get_module(actor, pk)
    if not access.completed(actor, module):
        return _refused(
            request,
            module=module,
            heading=_("Share an experience"),
            reason=_(
                "You can share experiences from the module “%(module)s” when you have completed "
                "it: when you have attended one of its sessions and the facilitator has "
                "registered your attendance."
            )
            % {"module": module.title},
        )
    form = NewExperienceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            log, _created = harvest.log_experience(
                module=module,
                person=actor.person,
                values=form.cleaned_data,
                submission_key=form.cleaned_data["submission_key"],
            )
        except harvest.HarvestError as error:
            form.add_error(None, str(error))
        else:
            # The same message for a repeated post: to the person, it is the same result.
            messages.success(
                request,
                _("Thank you. Your experience “%(title)s” is now in the idea bank.")
                % {"title": log.title},
            )
            return redirect("pilot:experience_mine")
    context = {"form": form, "module": module, "experience": None}
    return render(request, "pilot/harvest/experience_form.html", context, status=_form_status(form))


@require_GET
@login_required
def experience_mine(request):
    actor = actor_for(request.user)
    experiences = harvest.own_experiences(actor).order_by("-created_at", "-pk")
    page = Paginator(experiences, IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "pilot/harvest/experience_mine.html", {"page": page})


@require_http_methods(["GET", "POST"])
@login_required
def experience_edit(request, pk):
    actor = actor_for(request.user)
    experience = harvest.get_own_experience(actor, pk)
    form = ExperienceForm(
        request.POST or None, instance=ExperienceLog.objects.get(pk=experience.pk)
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(
            request, _("Your experience “%(title)s” was saved.") % {"title": saved.title}
        )
        return redirect("pilot:experience_mine")
    context = {"form": form, "module": experience.module, "experience": experience}
    return render(request, "pilot/harvest/experience_form.html", context, status=_form_status(form))


@require_http_methods(["GET", "POST"])
@login_required
def experience_delete(request, pk):
    experience = harvest.get_own_experience(actor_for(request.user), pk)
    if request.method == "POST":
        title = experience.title
        experience.delete()
        messages.success(request, _("Your experience “%(title)s” was deleted.") % {"title": title})
        return redirect("pilot:experience_mine")
    return render(request, "pilot/harvest/experience_delete.html", {"experience": experience})


# -- the idea bank --------------------------------------------------------------------------------


@require_GET
@login_required
def idea_bank(request):
    actor = actor_for(request.user)
    form = IdeaFilterForm(request.GET or None)
    logs = harvest.ideas()
    if form.is_bound and form.is_valid():
        logs = harvest.filter_ideas(logs, form.cleaned_data)
    page = Paginator(logs, IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "filtered": form.is_bound and form.is_filtered,
        "exports": access.exports_ideas(actor),
        "export_query": filters.urlencode(),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "pilot/harvest/idea_bank.html", context, status=status)


@require_GET
@login_required
def idea_bank_export(request, format):
    """The idea bank with the page's filters as a CSV file or an Excel workbook."""
    actor = actor_for(request.user)
    if not access.exports_ideas(actor):
        raise PermissionDenied
    if format not in harvest.EXPORT_FORMATS:
        raise Http404
    form = IdeaFilterForm(request.GET or None)
    logs = harvest.ideas()
    if form.is_bound:
        if not form.is_valid():
            return HttpResponse(
                _("Some filters could not be used: %(errors)s")
                % {"errors": "; ".join(e for errors in form.errors.values() for e in errors)},
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        logs = harvest.filter_ideas(logs, form.cleaned_data)
    data, filename, content_type = harvest.export_ideas(logs=logs, file_format=format)
    audit.record(request, audit.Action.EXPORTED_RESULTS, detail=filename)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- evaluations ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def evaluate(request, pk):
    """A participant's evaluation of a session they attended. Given once: it cannot be changed
    afterwards (see harvest.give_evaluation), so the page then shows what was given."""
    actor = actor_for(request.user)
    enrolment = access.get_enrolment(actor, pk)
    heading = _("Evaluate the session")
    module = enrolment.session.module
    if actor.person is None or enrolment.person_id != actor.person.pk:
        return _refused(
            request,
            module=module,
            heading=heading,
            reason=_("Only the participant can evaluate their session."),
        )
    given = Evaluation.objects.filter(enrolment=enrolment).first()
    if given is not None:
        if request.method == "POST":
            messages.info(
                request,
                _("You have already evaluated this session. An evaluation cannot be changed."),
            )
            return redirect("pilot:evaluate", pk=enrolment.pk)
        return render(
            request,
            "pilot/harvest/evaluation_given.html",
            {"enrolment": enrolment, "evaluation": given},
        )
    refusal = harvest.evaluation_refusal(enrolment)
    if refusal:
        return _refused(request, module=module, heading=heading, reason=refusal)
    minimum = settings.ANONYMITY_MINIMUM
    form = EvaluationForm(request.POST or None, minimum=minimum)
    if request.method == "POST" and form.is_valid():
        try:
            _evaluation, created = harvest.give_evaluation(
                enrolment=enrolment,
                satisfaction=form.cleaned_data["satisfaction"],
                usefulness=form.cleaned_data["usefulness"],
                comment=form.cleaned_data["comment"],
            )
        except harvest.HarvestError as error:
            return _refused(request, module=module, heading=heading, reason=str(error))
        if created:
            messages.success(request, _("Thank you for your evaluation."))
        else:
            messages.info(
                request,
                _("You have already evaluated this session. An evaluation cannot be changed."),
            )
        return redirect("pilot:evaluate", pk=enrolment.pk)
    context = {"form": form, "enrolment": enrolment, "minimum": minimum}
    return render(request, "pilot/harvest/evaluation_form.html", context, status=_form_status(form))


@require_GET
@login_required
def evaluation_summary(request, pk):
    """The module's evaluations for coordinators (every session) and for the facilitators of
    its sessions (their own sessions, and the module as a whole)."""
    actor = actor_for(request.user)
    module = access.get_module(actor, pk)
    sessions = None
    if not access.coordinates(actor):
        sessions = [s for s in module.sessions.all() if access.facilitates(actor, s)]
        if not sessions:
            raise PermissionDenied
    summary = harvest.summarise(module, minimum=settings.ANONYMITY_MINIMUM, sessions=sessions)
    audit.record(request, audit.Action.VIEWED_RESULTS, obj=module)
    context = {"module": module, "summary": summary, "all_sessions": sessions is None}
    return render(request, "pilot/harvest/evaluation_summary.html", context)
