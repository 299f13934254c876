from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from digikompas.orgs import importing, services
from digikompas.orgs.access import (
    PEOPLE_MANAGERS,
    actor_for,
    can_manage_person,
    get_library_for_people,
    get_person,
    managed_libraries,
    role_required,
)
from digikompas.orgs.forms import StaffListForm
from digikompas.orgs.models import JobRole, Municipality, Region
from digikompas.privacy import audit


@login_required
def municipality_list(request):
    """The 98 municipalities by region. Organisation facts are public to every user."""
    municipalities = Municipality.objects.annotate(library_count=Count("libraries")).order_by(
        "name"
    )
    regions = Region.objects.prefetch_related(Prefetch("municipalities", queryset=municipalities))
    return render(request, "orgs/municipality_list.html", {"regions": regions})


@login_required
def municipality_detail(request, code):
    municipality = get_object_or_404(Municipality.objects.select_related("region"), code=code)
    actor = actor_for(request.user)
    libraries = municipality.libraries.annotate(staff_count=Count("people")).order_by("name")
    managed_ids = set(
        managed_libraries(actor).filter(municipality=municipality).values_list("pk", flat=True)
    )
    return render(
        request,
        "orgs/municipality_detail.html",
        {"municipality": municipality, "libraries": libraries, "managed_ids": managed_ids},
    )


@login_required
def library_people(request, pk):
    """The staff of one library, for the leaders and administrators whose scope covers it."""
    actor = actor_for(request.user)
    library = get_library_for_people(actor, pk)
    people = library.people.select_related("user").order_by("name")
    audit.record(request, audit.Action.VIEWED_STAFF_LIST, obj=library)
    return render(request, "orgs/library_people.html", {"library": library, "people": people})


@login_required
def person_detail(request, pk):
    actor = actor_for(request.user)
    person = get_person(actor, pk)
    can_manage = can_manage_person(actor, person)
    grants = person.grants.select_related("library", "municipality")
    if person != actor.person:
        audit.record(request, audit.Action.VIEWED_PERSON, obj=person)
    return render(
        request,
        "orgs/person_detail.html",
        {"person": person, "grants": grants, "can_manage": can_manage},
    )


# A leader's own libraries are listed with their codes; an administrator's would be hundreds.
_LIBRARIES_LISTED = 30


@require_http_methods(["GET", "POST"])
@role_required(*PEOPLE_MANAGERS)
def import_people(request):
    """Upload a staff list; show what was imported or every problem to correct.

    The result is rendered on the same page rather than after a redirect: the import is
    idempotent, so posting the same file again changes nothing.
    """
    actor = actor_for(request.user)
    form = StaffListForm()
    result = rejected = None
    status = 200
    if request.method == "POST":
        form = StaffListForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.import_people(
                    actor=actor, content=upload.read(), filename=upload.name
                )
            except importing.ImportRejected as error:
                rejected = error
                status = 400
            else:
                form = StaffListForm()
        else:
            status = 400
    libraries = list(managed_libraries(actor).order_by("code")[: _LIBRARIES_LISTED + 1])
    context = {
        "form": form,
        "result": result,
        "rejected": rejected,
        "columns": importing.COLUMNS,
        "job_roles": JobRole,
        "libraries": libraries[:_LIBRARIES_LISTED],
        "more_libraries": len(libraries) > _LIBRARIES_LISTED,
    }
    return render(request, "orgs/import_people.html", context, status=status)


@require_GET
@role_required(*PEOPLE_MANAGERS)
def import_template(request):
    """A CSV with the header row and one example row, in the user's language."""
    library = managed_libraries(actor_for(request.user)).order_by("code").first()
    content = importing.template_csv(library_code=library.code if library else "746100-01")
    # The byte order mark makes Excel read the file as UTF-8 (æ, ø, å).
    response = HttpResponse("\ufeff" + content, content_type="text/csv; charset=utf-8")
    filename = pgettext("file name", "staff-list") + ".csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
