from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digikompas.orgs.access import actor_for, get_person, role_required
from digikompas.orgs.models import Role

from . import audit, erasure, export
from .forms import AuditFilterForm, EraseForm
from .models import Action, AuditEvent

EVENTS_PER_PAGE = 50


def _download(request, *, person, user) -> HttpResponse:
    """The person's data as a JSON file, and the audit event that says it was taken."""
    data = export.person_data(person=person, user=user)
    audit.record(
        request,
        Action.EXPORTED_PERSON_DATA,
        obj=person if person is not None else user,
    )
    response = HttpResponse(export.dumps(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename(data)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def my_data(request):
    """What digikompas stores about the person who is logged in, and the download of it."""
    actor = actor_for(request.user)
    return render(request, "privacy/my_data.html", {"person": actor.person})


@require_GET
@login_required
def my_data_download(request):
    return _download(request, person=actor_for(request.user).person, user=request.user)


@require_GET
@role_required(Role.ADMINISTRATOR)
def person_data_download(request, pk):
    person = get_person(actor_for(request.user), pk)
    return _download(request, person=person, user=person.user)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def person_erase(request, pk):
    """The confirmation page naming what goes, and the erasure itself."""
    person = get_person(actor_for(request.user), pk)
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        name, library_id = person.name, person.library_id
        try:
            erasure.erase(person=person, by=request.user, request=request)
        except erasure.ErasureRefused as error:
            messages.error(request, str(error))
            return redirect("orgs:person_detail", pk=person.pk)
        messages.success(request, _("%(name)s has been erased.") % {"name": name})
        if library_id is not None:
            return redirect("orgs:library_people", pk=library_id)
        return redirect("home")
    context = {
        "person": person,
        "form": form,
        "lines": erasure.plan(person),
        "is_self": person.user_id == request.user.pk,
    }
    return render(
        request, "privacy/erase_confirm.html", context, status=400 if form.is_bound else 200
    )


@require_GET
@role_required(Role.ANALYST, Role.ADMINISTRATOR)
def audit_log(request):
    """Who viewed or exported personal data or small-group results, newest first."""
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.all()
    if form.is_bound and form.is_valid():
        events = form.filter(events)
    page = Paginator(events.order_by("-at", "-pk"), EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "filtered": form.is_bound and form.is_filtered,
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "privacy/audit_log.html", context, status=status)
