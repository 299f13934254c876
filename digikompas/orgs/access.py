"""Who may see and change what: every permission in digikompas is decided here.

Views and API endpoints fetch objects through these helpers. A helper raises PermissionDenied
(403) when the user lacks the role for the kind of thing asked for, and Http404 when the user has
the role but the object lies outside their scope, so that another tenant's objects are not even
confirmed to exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from digikompas.orgs.models import Library, Municipality, Person, Role, RoleGrant

# Not a grant: every person who works at a library is staff.
STAFF = "staff"

# Roles that manage people (see them, import staff lists, invite them), each within its scope.
PEOPLE_MANAGERS = (Role.ADMINISTRATOR, Role.MUNICIPAL_LEADER, Role.LIBRARY_LEADER)


@dataclass(frozen=True)
class Actor:
    """A logged-in user with their person and role grants, resolved once per request."""

    user: object
    person: Person | None
    grants: tuple[RoleGrant, ...] = ()
    roles: frozenset[str] = field(default_factory=frozenset)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def led_library_ids(self) -> frozenset[int]:
        return frozenset(g.library_id for g in self.grants if g.role == Role.LIBRARY_LEADER)

    @property
    def led_municipality_ids(self) -> frozenset[int]:
        return frozenset(g.municipality_id for g in self.grants if g.role == Role.MUNICIPAL_LEADER)

    @property
    def manages_people(self) -> bool:
        return self.has_role(*PEOPLE_MANAGERS)

    @property
    def needs_mfa(self) -> bool:
        from django.conf import settings

        return self.has_role(*settings.MFA_REQUIRED_ROLES)


def actor_for(user) -> Actor:
    """The Actor for a user, cached on the user object for the rest of the request."""
    cached = getattr(user, "_digikompas_actor", None)
    if cached is not None:
        return cached
    person = None
    grants: tuple[RoleGrant, ...] = ()
    roles: set[str] = set()
    if user.is_authenticated:
        person = Person.objects.select_related("library__municipality").filter(user=user).first()
        if person is not None:
            grants = tuple(
                person.grants.select_related("library", "municipality").order_by("role", "id")
            )
            roles.update(g.role for g in grants)
            if person.library_id:
                roles.add(STAFF)
    actor = Actor(user=user, person=person, grants=grants, roles=frozenset(roles))
    if user.is_authenticated:
        user._digikompas_actor = actor
    return actor


def require_role(actor: Actor, *roles: str) -> None:
    if not actor.has_role(*roles):
        raise PermissionDenied


def role_required(*roles: str):
    """View decorator: log in first, then 403 unless the user holds one of the roles."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require_role(actor_for(request.user), *roles)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _people_condition(actor: Actor) -> Q:
    """The people an actor may see, as a filter on Person."""
    if actor.has_role(Role.ADMINISTRATOR):
        return Q()
    condition = Q(pk__in=[]) if actor.person is None else Q(pk=actor.person.pk)
    if actor.led_municipality_ids:
        condition |= Q(library__municipality_id__in=actor.led_municipality_ids)
    if actor.led_library_ids:
        condition |= Q(library_id__in=actor.led_library_ids)
    return condition


def visible_people(actor: Actor) -> QuerySet[Person]:
    return Person.objects.filter(_people_condition(actor))


def managed_libraries(actor: Actor) -> QuerySet[Library]:
    """Libraries whose people the actor manages (sees, imports, invites)."""
    if actor.has_role(Role.ADMINISTRATOR):
        return Library.objects.all()
    return Library.objects.filter(
        Q(pk__in=actor.led_library_ids) | Q(municipality_id__in=actor.led_municipality_ids)
    )


def get_library_for_people(actor: Actor, pk: int) -> Library:
    """A library whose staff the actor wants to see or change."""
    if not actor.manages_people:
        raise PermissionDenied
    try:
        return managed_libraries(actor).select_related("municipality").get(pk=pk)
    except Library.DoesNotExist:
        raise Http404 from None


def get_person(actor: Actor, pk: int) -> Person:
    """A person the actor may see: themselves, or someone within their scope."""
    try:
        return visible_people(actor).select_related("library__municipality", "user").get(pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None


def get_person_to_manage(actor: Actor, pk: int) -> Person:
    """A person the actor may change (invite, edit): within a people manager's scope."""
    if not actor.manages_people:
        raise PermissionDenied
    person = get_person(actor, pk)
    # Leaders see themselves like anyone, but manage only the people of their units.
    if not can_manage_person(actor, person):
        raise Http404
    return person


def can_manage_person(actor: Actor, person: Person) -> bool:
    """Whether the actor may change (invite, edit) this person."""
    return (
        actor.manages_people
        and person.library_id is not None
        and managed_libraries(actor).filter(pk=person.library_id).exists()
    )


def municipalities_led(actor: Actor) -> QuerySet[Municipality]:
    return Municipality.objects.filter(pk__in=actor.led_municipality_ids)
