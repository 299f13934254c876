from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render

from digikompas.orgs.access import actor_for, get_library_for_people, get_person, managed_libraries
from digikompas.orgs.models import Municipality, Region


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
    return render(request, "orgs/library_people.html", {"library": library, "people": people})


@login_required
def person_detail(request, pk):
    actor = actor_for(request.user)
    person = get_person(actor, pk)
    can_manage = actor.manages_people and (
        person.library_id is not None
        and managed_libraries(actor).filter(pk=person.library_id).exists()
    )
    grants = person.grants.select_related("library", "municipality")
    return render(
        request,
        "orgs/person_detail.html",
        {"person": person, "grants": grants, "can_manage": can_manage},
    )


@login_required
def import_people(request):
    raise NotImplementedError  # replaced by the staff-list import
