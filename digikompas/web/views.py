from django.shortcuts import render
from django.utils import timezone

from digikompas.orgs.access import STAFF, actor_for, managed_libraries
from digikompas.orgs.models import Library, Municipality, Person, Role
from digikompas.surveys.models import Invitation


def home(request):
    """The start page: what this person can do next, by role."""
    if not request.user.is_authenticated:
        return render(request, "web/welcome.html")
    actor = actor_for(request.user)
    context = {"actor": actor, "roles": actor.roles}
    if actor.manages_people:
        libraries = managed_libraries(actor)
        context["managed_library_count"] = libraries.count()
        context["managed_people_count"] = Person.objects.filter(library__in=libraries).count()
        context["led_libraries"] = [
            g.library for g in actor.grants if g.role == Role.LIBRARY_LEADER
        ]
        context["led_municipalities"] = [
            g.municipality for g in actor.grants if g.role == Role.MUNICIPAL_LEADER
        ]
    if actor.has_role(Role.ANALYST, Role.ADMINISTRATOR, Role.EDUCATION_COORDINATOR):
        context["national"] = {
            "municipalities": Municipality.objects.count(),
            "libraries": Library.objects.count(),
            "people": Person.objects.count(),
        }
    context["is_staff_member"] = STAFF in actor.roles
    if actor.person is not None:
        context["surveys_to_answer"], context["surveys_answered"] = _invitations(actor.person)
    return render(request, "web/home.html", context)


def _invitations(person: Person) -> tuple[list[Invitation], list[Invitation]]:
    """The person's invitations to open rounds not answered yet, and the five latest answered."""
    now = timezone.now()
    invitations = Invitation.objects.filter(person=person).select_related("round__survey")
    to_answer = invitations.filter(
        responded_at__isnull=True, round__opens_at__lte=now, round__closes_at__gt=now
    ).order_by("round__closes_at")
    answered = invitations.filter(responded_at__isnull=False).order_by("-responded_at")[:5]
    return list(to_answer), list(answered)
