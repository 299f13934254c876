"""Who may see and do what in the pilot education.

- Programmes, modules and sessions (the pilot's catalogue) are open to everyone logged in.
- Education coordinators run the pilot: they create and change programmes, modules, sessions and
  materials, see every enrolment, enrol anyone, register attendance for any session, export the
  idea bank and read evaluations and the effect.
- A session's facilitator sees its participants and registers their attendance; another
  session is not found (404) for them.
- A person enrols themselves; library and municipal leaders also enrol the staff of the units
  they lead (orgs.access.managed_libraries) and see their staff's enrolments.
- A participant downloads the .ics of their sessions, their calendar feed and the certificates
  of the modules they completed, logs experiences for modules they completed and evaluates
  sessions they attended.
- Materials of a module are for its participants (enrolled or completed), its facilitators and
  the coordinators; tools (Material.is_tool) are in the toolbox for everyone logged in.
- The idea bank shows libraries, never people, and is open to everyone logged in; coordinators
  and analysts export it.
- The effect (before and after rounds) is read by coordinators and analysts; it is cleared for
  anonymity in pilot.effect.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from digikompas.orgs.access import Actor, managed_libraries
from digikompas.orgs.models import Person, Role

from .models import (
    Completion,
    Enrolment,
    EnrolmentStatus,
    Material,
    Module,
    Programme,
    Session,
)

COORDINATORS = (Role.EDUCATION_COORDINATOR,)
EFFECT_READERS = (Role.EDUCATION_COORDINATOR, Role.ANALYST)
IDEA_EXPORTERS = (Role.EDUCATION_COORDINATOR, Role.ANALYST)
# Leaders who enrol the staff of their units.
ENROLLING_LEADERS = (Role.LIBRARY_LEADER, Role.MUNICIPAL_LEADER)


def coordinates(actor: Actor) -> bool:
    return actor.has_role(*COORDINATORS)


def require_coordinator(actor: Actor) -> None:
    if not coordinates(actor):
        raise PermissionDenied


def reads_effect(actor: Actor) -> bool:
    return actor.has_role(*EFFECT_READERS)


def require_effect_reader(actor: Actor) -> None:
    if not reads_effect(actor):
        raise PermissionDenied


def exports_ideas(actor: Actor) -> bool:
    return actor.has_role(*IDEA_EXPORTERS)


# -- The catalogue ------------------------------------------------------------------------------


def get_programme(actor: Actor, pk: int) -> Programme:
    try:
        return Programme.objects.select_related("framework").get(pk=pk)
    except Programme.DoesNotExist:
        raise Http404 from None


def get_programme_by_key(actor: Actor, key: str) -> Programme:
    try:
        return Programme.objects.select_related("framework").get(key=key)
    except Programme.DoesNotExist:
        raise Http404 from None


def get_module(actor: Actor, pk: int) -> Module:
    try:
        return Module.objects.select_related("programme").get(pk=pk)
    except Module.DoesNotExist:
        raise Http404 from None


def get_session(actor: Actor, pk: int) -> Session:
    try:
        return Session.objects.select_related("module__programme", "facilitator").get(pk=pk)
    except Session.DoesNotExist:
        raise Http404 from None


# -- Running sessions ---------------------------------------------------------------------------


def facilitates(actor: Actor, session: Session) -> bool:
    return actor.person is not None and session.facilitator_id == actor.person.pk


def runs(actor: Actor, session: Session) -> bool:
    """Whether the actor sees the session's participants and registers attendance."""
    return coordinates(actor) or facilitates(actor, session)


def get_session_to_run(actor: Actor, pk: int) -> Session:
    """A session whose participants the actor sees: any for coordinators, their own for
    facilitators (403 for someone who facilitates nothing, 404 for another's session)."""
    facilitator = actor.person is not None and actor.person.facilitated_sessions.exists()
    if not coordinates(actor) and not facilitator:
        raise PermissionDenied
    session = get_session(actor, pk)
    if not runs(actor, session):
        raise Http404
    return session


def run_sessions(actor: Actor) -> QuerySet[Session]:
    if coordinates(actor):
        return Session.objects.all()
    if actor.person is None:
        return Session.objects.none()
    return Session.objects.filter(facilitator=actor.person)


# -- Enrolment ----------------------------------------------------------------------------------


def enrollable_people(actor: Actor) -> QuerySet[Person]:
    """Whom the actor may enrol: themselves; the staff of the units they lead; anyone, for a
    coordinator."""
    if coordinates(actor):
        return Person.objects.all()
    condition = Q(pk__in=[]) if actor.person is None else Q(pk=actor.person.pk)
    if actor.has_role(*ENROLLING_LEADERS):
        condition |= Q(library__in=managed_libraries(actor))
    return Person.objects.filter(condition)


def can_enrol(actor: Actor, person: Person) -> bool:
    return enrollable_people(actor).filter(pk=person.pk).exists()


def enrols_others(actor: Actor) -> bool:
    return coordinates(actor) or (
        actor.has_role(*ENROLLING_LEADERS) and managed_libraries(actor).exists()
    )


def visible_enrolments(actor: Actor) -> QuerySet[Enrolment]:
    """Enrolments the actor may see and cancel: their own, their staff's, the ones in the
    sessions they facilitate; all for a coordinator."""
    if coordinates(actor):
        return Enrolment.objects.all()
    return Enrolment.objects.filter(
        Q(person__in=enrollable_people(actor)) | Q(session__in=run_sessions(actor))
    )


def get_enrolment(actor: Actor, pk: int) -> Enrolment:
    try:
        return visible_enrolments(actor).select_related("session__module", "person").get(pk=pk)
    except Enrolment.DoesNotExist:
        raise Http404 from None


def get_own_completion(actor: Actor, pk: int) -> Completion:
    """A completion (and so a certificate) of the actor themselves."""
    if actor.person is None:
        raise Http404
    try:
        return Completion.objects.select_related("module__programme", "person", "session").get(
            pk=pk, person=actor.person
        )
    except Completion.DoesNotExist:
        raise Http404 from None


def completed(actor: Actor, module: Module) -> bool:
    return actor.person is not None and module.completions.filter(person=actor.person).exists()


# -- Materials ----------------------------------------------------------------------------------


def participates_in(actor: Actor, module: Module) -> bool:
    """Enrolled (with a seat or waiting) in a session of the module, or completed it."""
    if actor.person is None:
        return False
    return (
        Enrolment.objects.filter(
            person=actor.person,
            session__module=module,
            status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED),
        ).exists()
        or module.completions.filter(person=actor.person).exists()
    )


def readable_materials(actor: Actor) -> QuerySet[Material]:
    """Materials the actor may open: tools for everyone; a module's materials for its
    participants and facilitators; all for coordinators."""
    if coordinates(actor):
        return Material.objects.all()
    condition = Q(is_tool=True)
    if actor.person is not None:
        person = actor.person
        condition |= Q(
            modules__sessions__enrolments__person=person,
            modules__sessions__enrolments__status__in=(
                EnrolmentStatus.ENROLLED,
                EnrolmentStatus.WAITLISTED,
            ),
        )
        condition |= Q(modules__completions__person=person)
        condition |= Q(modules__sessions__facilitator=person)
    return Material.objects.filter(pk__in=Material.objects.filter(condition).values("pk"))


def get_material(actor: Actor, pk: int) -> Material:
    """A material to open or download (404 when it is not the actor's to see)."""
    try:
        return readable_materials(actor).get(pk=pk)
    except Material.DoesNotExist:
        raise Http404 from None


def get_material_to_edit(actor: Actor, pk: int) -> Material:
    require_coordinator(actor)
    try:
        return Material.objects.get(pk=pk)
    except Material.DoesNotExist:
        raise Http404 from None
