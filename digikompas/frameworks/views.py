from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.forms import modelformset_factory
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digikompas.orgs.access import actor_for, role_required

from . import services
from .access import (
    EDITORS,
    can_edit,
    get_competency_to_edit,
    get_domain_to_edit,
    get_framework,
    get_framework_to_edit,
    get_profile_to_edit,
    refuse_published,
    visible_frameworks,
)
from .content import FrameworkRejected, content_of, publication_problems
from .diff import compare as compare_contents
from .forms import (
    CompareForm,
    CompetencyForm,
    DomainForm,
    FrameworkDetailsForm,
    FrameworkFileForm,
    LevelForm,
    ProfileForm,
)
from .interchange import FORMATS
from .models import Competency, Descriptor, Framework, ProficiencyLevel


@login_required
def framework_list(request):
    actor = actor_for(request.user)
    frameworks = visible_frameworks(actor).annotate(competency_count=Count("competencies"))
    return render(
        request,
        "frameworks/list.html",
        {"frameworks": frameworks, "can_edit": can_edit(actor)},
    )


def _tree(framework: Framework):
    """Domains with their competencies and descriptors, in order (three queries)."""
    return framework.domains.order_by("position", "code").prefetch_related(
        Prefetch(
            "competencies",
            queryset=Competency.objects.order_by("position", "code").prefetch_related(
                Prefetch("descriptors", queryset=Descriptor.objects.order_by("level"))
            ),
        )
    )


def _profile_matrix(framework: Framework, domains):
    """Rows of (competency, [required level or None per profile]) and the profiles."""
    profiles = list(
        framework.profiles.prefetch_related("targets").order_by("job_role", "library_kind")
    )
    required = [{t.competency_id: t.level for t in p.targets.all()} for p in profiles]
    rows = [
        (competency, [levels.get(competency.pk) for levels in required])
        for domain in domains
        for competency in domain.competencies.all()
    ]
    return profiles, rows


def _framework_context(framework: Framework):
    domains = list(_tree(framework))
    levels = list(framework.levels.order_by("value"))
    for domain in domains:
        for competency in domain.competencies.all():
            texts = {d.level: d.text for d in competency.descriptors.all()}
            competency.level_descriptors = [(level, texts.get(level.value, "")) for level in levels]
    profiles, matrix = _profile_matrix(framework, domains)
    return {
        "framework": framework,
        "levels": levels,
        "domains": domains,
        "profiles": profiles,
        "matrix": matrix,
    }


@login_required
def framework_detail(request, pk):
    actor = actor_for(request.user)
    framework = get_framework(actor, pk)
    context = _framework_context(framework)
    versions = visible_frameworks(actor).filter(key=framework.key).order_by("-version")
    previous = versions.filter(version__lt=framework.version).first()
    context.update(
        {
            "can_edit": can_edit(actor),
            "editable": can_edit(actor) and framework.is_draft,
            "versions": versions,
            "previous": previous,
            "formats": FORMATS,
            "problems": (
                publication_problems(content_of(framework))
                if framework.is_draft and can_edit(actor)
                else []
            ),
        }
    )
    return render(request, "frameworks/detail.html", context)


@login_required
def framework_print(request, pk):
    framework = get_framework(actor_for(request.user), pk)
    return render(request, "frameworks/print.html", _framework_context(framework))


@require_GET
@login_required
def export(request, pk, file_format):
    return export_response(request, pk, file_format)


def export_response(request, pk, file_format) -> HttpResponse:
    """A framework version as a file download (the web page and the API)."""
    framework = get_framework(actor_for(request.user), pk)
    if file_format not in FORMATS:
        raise Http404
    data, filename, content_type = services.export_framework(
        framework=framework, file_format=file_format
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def compare(request):
    """Two versions side by side: what was added, removed and changed."""
    actor = actor_for(request.user)
    frameworks = visible_frameworks(actor).order_by("key", "version")
    form = CompareForm(request.GET or None, frameworks=frameworks)
    diff = None
    if form.is_valid():
        old, new = form.cleaned_data["old"], form.cleaned_data["new"]
        diff = compare_contents(content_of(old), content_of(new), language=get_language())
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "frameworks/compare.html", {"form": form, "diff": diff}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*EDITORS)
def import_framework(request):
    form = FrameworkFileForm()
    rejected = None
    status = 200
    if request.method == "POST":
        form = FrameworkFileForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                framework, notes = services.import_framework(
                    raw=upload.read(), filename=upload.name
                )
            except FrameworkRejected as error:
                rejected = error
                status = 400
            else:
                messages.success(
                    request,
                    _("%(framework)s was imported as a draft.") % {"framework": framework},
                )
                for note in notes:
                    messages.warning(request, note)
                return redirect("frameworks:detail", pk=framework.pk)
        else:
            status = 400
    return render(
        request, "frameworks/import.html", {"form": form, "rejected": rejected}, status=status
    )


# -- changing versions --------------------------------------------------------------------------


@require_POST
@role_required(*EDITORS)
def new_version(request, pk):
    framework = get_framework(actor_for(request.user), pk)
    draft = services.new_version(framework=framework)
    messages.success(
        request,
        _("A new draft, %(framework)s, was started as a copy of version %(number)s.")
        % {"framework": draft, "number": framework.version},
    )
    return redirect("frameworks:detail", pk=draft.pk)


@require_POST
@role_required(*EDITORS)
@refuse_published
def publish(request, pk):
    framework = get_framework_to_edit(actor_for(request.user), pk)
    try:
        services.publish(framework=framework)
    except FrameworkRejected:
        messages.error(
            request,
            _("%(framework)s cannot be published yet: see what is missing below.")
            % {"framework": framework},
        )
    else:
        messages.success(request, _("%(framework)s is published.") % {"framework": framework})
    return redirect("frameworks:detail", pk=framework.pk)


@require_POST
@role_required(*EDITORS)
@refuse_published
def delete_draft(request, pk):
    framework = get_framework_to_edit(actor_for(request.user), pk)
    name = str(framework)
    services.delete_draft(framework=framework)
    messages.success(request, _("The draft %(framework)s was deleted.") % {"framework": name})
    return redirect("frameworks:list")


# -- editing a draft ----------------------------------------------------------------------------


def _edit_page(request, form, *, framework, title, template="frameworks/form.html", **extra):
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {"form": form, "framework": framework, "title": title, **extra}
    return render(request, template, context, status=status)


def _saved(request, framework, message):
    messages.success(request, message)
    return redirect("frameworks:detail", pk=framework.pk)


@require_http_methods(["GET", "POST"])
@role_required(*EDITORS)
@refuse_published
def edit_details(request, pk):
    framework = get_framework_to_edit(actor_for(request.user), pk)
    # The form gets its own copy: validation writes the posted values into its instance, and
    # the page around a refused form shows the stored title.
    form = FrameworkDetailsForm(request.POST or None, instance=Framework.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        framework = services.save_framework_details(framework=form.save(commit=False))
        return _saved(request, framework, _("The title and description were saved."))
    return _edit_page(request, form, framework=framework, title=_("Title and description"))


# Labels only: the number of levels is the scale's shape, which only a new file changes.
LevelFormSet = modelformset_factory(ProficiencyLevel, form=LevelForm, extra=0, edit_only=True)


@require_http_methods(["GET", "POST"])
@role_required(*EDITORS)
@refuse_published
def edit_scale(request, pk):
    framework = get_framework_to_edit(actor_for(request.user), pk)
    formset = LevelFormSet(request.POST or None, queryset=framework.levels.order_by("value"))
    if request.method == "POST" and formset.is_valid():
        for level in formset.save(commit=False):
            services.save_level(level=level)
        return _saved(request, framework, _("The scale was saved."))
    status = 400 if formset.is_bound and not formset.is_valid() else 200
    return render(
        request,
        "frameworks/scale_form.html",
        {"formset": formset, "framework": framework},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@role_required(*EDITORS)
@refuse_published
def domain_form(request, pk=None, domain_pk=None):
    actor = actor_for(request.user)
    if domain_pk is None:
        framework, domain = get_framework_to_edit(actor, pk), None
        title = _("New domain")
    else:
        domain = get_domain_to_edit(actor, domain_pk)
        framework = domain.framework
        title = _("Domain %(code)s") % {"code": domain.code}
    form = DomainForm(request.POST or None, instance=domain, framework=framework)
    if request.method == "POST" and form.is_valid():
        domain = services.save_domain(domain=form.save())
        return _saved(
            request, framework, _("The domain %(code)s was saved.") % {"code": domain.code}
        )
    return _edit_page(request, form, framework=framework, title=title, item=domain)


@require_POST
@role_required(*EDITORS)
@refuse_published
def domain_delete(request, domain_pk):
    domain = get_domain_to_edit(actor_for(request.user), domain_pk)
    services.delete_domain(domain=domain)
    return _saved(
        request,
        domain.framework,
        _("The domain %(code)s and its competencies were deleted.") % {"code": domain.code},
    )


@require_http_methods(["GET", "POST"])
@role_required(*EDITORS)
@refuse_published
def competency_form(request, pk=None, competency_pk=None):
    actor = actor_for(request.user)
    if competency_pk is None:
        framework, competency = get_framework_to_edit(actor, pk), None
        title = _("New competency")
        initial = {"domain": request.GET.get("domain")}
    else:
        competency = get_competency_to_edit(actor, competency_pk)
        framework = competency.framework
        title = _("Competency %(code)s") % {"code": competency.code}
        initial = None
    if not framework.domains.exists():
        messages.error(request, _("Add a domain before you add competencies."))
        return redirect("frameworks:detail", pk=framework.pk)
    form = CompetencyForm(
        request.POST or None, instance=competency, framework=framework, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        competency = services.save_competency(
            competency=form.save(), descriptors=form.descriptors()
        )
        return _saved(
            request, framework, _("The competency %(code)s was saved.") % {"code": competency.code}
        )
    return _edit_page(
        request,
        form,
        framework=framework,
        title=title,
        item=competency,
        template="frameworks/competency_form.html",
    )


@require_POST
@role_required(*EDITORS)
@refuse_published
def competency_delete(request, competency_pk):
    competency = get_competency_to_edit(actor_for(request.user), competency_pk)
    services.delete_competency(competency=competency)
    return _saved(
        request,
        competency.framework,
        _("The competency %(code)s was deleted.") % {"code": competency.code},
    )


@require_http_methods(["GET", "POST"])
@role_required(*EDITORS)
@refuse_published
def profile_form(request, pk=None, profile_pk=None):
    actor = actor_for(request.user)
    if profile_pk is None:
        framework, profile = get_framework_to_edit(actor, pk), None
        title = _("New target profile")
    else:
        profile = get_profile_to_edit(actor, profile_pk)
        framework = profile.framework
        title = _("Target profile: %(name)s") % {"name": profile.name}
    form = ProfileForm(request.POST or None, instance=profile, framework=framework)
    if request.method == "POST" and form.is_valid():
        profile = services.save_profile(profile=form.save(), levels=form.levels())
        return _saved(
            request, framework, _("The target profile %(name)s was saved.") % {"name": profile.name}
        )
    return _edit_page(
        request,
        form,
        framework=framework,
        title=title,
        item=profile,
        template="frameworks/profile_form.html",
    )


@require_POST
@role_required(*EDITORS)
@refuse_published
def profile_delete(request, profile_pk):
    profile = get_profile_to_edit(actor_for(request.user), profile_pk)
    services.delete_profile(profile=profile)
    return _saved(
        request,
        profile.framework,
        _("The target profile %(name)s was deleted.") % {"name": profile.name},
    )
