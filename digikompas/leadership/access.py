"""Who may see and change what in the leadership toolkit.

- The catalogue of digital resources is open to everyone logged in; analysts curate it.
- A municipality's licences, usage, invoices, selection scenarios, strategy and dissemination
  plan belong to its library service:
  - municipal leaders read and change everything of the municipality they lead;
  - library leaders read everything of their library's municipality, and change the campaigns
    of their own library and the selection scenarios of their municipality;
  - staff read the dissemination plan and the weekly priority list of their library's
    municipality;
  - analysts read every municipality (the national view), and change nothing of it.
  Another municipality's objects are not found (404).
- A collaboration is seen by the leaders of its current and former members; the leader of its
  coordinating municipality changes it (members, rule, invoices). Analysts read all.
- Peer comparisons show other municipalities only as anonymised, aggregated peers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from digikompas.orgs.access import STAFF, Actor
from digikompas.orgs.models import Municipality, Role

from .models import Campaign, Collaboration, DigitalResource, Licence

CURATORS = (Role.ANALYST,)
NATIONAL_READERS = (Role.ANALYST,)
LEADERS = (Role.MUNICIPAL_LEADER, Role.LIBRARY_LEADER)


def curates(actor: Actor) -> bool:
    return actor.has_role(*CURATORS)


def require_curator(actor: Actor) -> None:
    if not curates(actor):
        raise PermissionDenied


def reads_nationally(actor: Actor) -> bool:
    return actor.has_role(*NATIONAL_READERS)


# -- municipalities -----------------------------------------------------------------------------


def managed_municipality_ids(actor: Actor) -> frozenset[int]:
    """Municipalities whose licences, usage, strategy and plan the actor changes."""
    return actor.led_municipality_ids


def led_library_municipality_ids(actor: Actor) -> frozenset[int]:
    return frozenset(
        g.library.municipality_id for g in actor.grants if g.role == Role.LIBRARY_LEADER
    )


def readable_municipality_ids(actor: Actor) -> frozenset[int] | None:
    """Municipalities whose toolkit the actor reads; None means all (analysts)."""
    if reads_nationally(actor):
        return None
    ids = set(managed_municipality_ids(actor)) | set(led_library_municipality_ids(actor))
    if STAFF in actor.roles and actor.person is not None and actor.person.library_id:
        ids.add(actor.person.library.municipality_id)
    return frozenset(ids)


def uses_toolkit(actor: Actor) -> bool:
    """Leaders and analysts: the licence, usage, selection and strategy pages."""
    return reads_nationally(actor) or actor.has_role(*LEADERS)


def require_toolkit(actor: Actor) -> None:
    if not uses_toolkit(actor):
        raise PermissionDenied


def readable_municipalities(actor: Actor) -> QuerySet[Municipality]:
    ids = readable_municipality_ids(actor)
    if ids is None:
        return Municipality.objects.all()
    return Municipality.objects.filter(pk__in=ids)


def get_municipality(actor: Actor, code: int) -> Municipality:
    """A municipality whose toolkit the actor reads (by its municipality code)."""
    require_toolkit(actor)
    try:
        return readable_municipalities(actor).get(code=code)
    except Municipality.DoesNotExist:
        raise Http404 from None


def manages(actor: Actor, municipality: Municipality) -> bool:
    return municipality.pk in managed_municipality_ids(actor)


def require_manager(actor: Actor, municipality: Municipality) -> None:
    """Changing licences, usage, invoices, strategy: the municipality's municipal leader."""
    if not manages(actor, municipality):
        raise PermissionDenied


def plans_for(actor: Actor, municipality: Municipality) -> bool:
    """Whether the actor changes the municipality's dissemination plan: its municipal leader,
    or a leader of one of its libraries (for that library's campaigns)."""
    return manages(actor, municipality) or municipality.pk in led_library_municipality_ids(actor)


# -- resources and licences ---------------------------------------------------------------------


def get_resource(actor: Actor, pk: int) -> DigitalResource:
    try:
        return DigitalResource.objects.get(pk=pk)
    except DigitalResource.DoesNotExist:
        raise Http404 from None


def readable_licences(actor: Actor) -> QuerySet[Licence]:
    ids = readable_municipality_ids(actor)
    if ids is None:
        return Licence.objects.all()
    if not uses_toolkit(actor):
        return Licence.objects.none()
    return Licence.objects.filter(
        Q(municipality_id__in=ids) | Q(collaboration__in=readable_collaborations(actor))
    ).distinct()


def get_licence(actor: Actor, pk: int) -> Licence:
    require_toolkit(actor)
    try:
        return readable_licences(actor).select_related("resource").get(pk=pk)
    except Licence.DoesNotExist:
        raise Http404 from None


def can_change_licence(actor: Actor, licence: Licence) -> bool:
    if licence.municipality_id is not None:
        return licence.municipality_id in managed_municipality_ids(actor)
    return can_change_collaboration(actor, licence.collaboration)


# -- collaborations -----------------------------------------------------------------------------


def readable_collaborations(actor: Actor) -> QuerySet[Collaboration]:
    if reads_nationally(actor):
        return Collaboration.objects.all()
    ids = set(managed_municipality_ids(actor)) | set(led_library_municipality_ids(actor))
    return Collaboration.objects.filter(memberships__municipality_id__in=ids).distinct()


def get_collaboration(actor: Actor, pk: int) -> Collaboration:
    require_toolkit(actor)
    try:
        return readable_collaborations(actor).get(pk=pk)
    except Collaboration.DoesNotExist:
        raise Http404 from None


def can_change_collaboration(actor: Actor, collaboration: Collaboration) -> bool:
    return (
        collaboration.coordinator_id is not None
        and collaboration.coordinator_id in managed_municipality_ids(actor)
    )


def require_collaboration_manager(actor: Actor, collaboration: Collaboration) -> None:
    if not can_change_collaboration(actor, collaboration):
        raise PermissionDenied


# -- the dissemination plan ---------------------------------------------------------------------


def readable_campaigns(actor: Actor) -> QuerySet[Campaign]:
    ids = readable_municipality_ids(actor)
    if ids is None:
        return Campaign.objects.all()
    return Campaign.objects.filter(municipality_id__in=ids)


def can_change_campaign(actor: Actor, campaign: Campaign) -> bool:
    if campaign.municipality_id in managed_municipality_ids(actor):
        return True
    led = {g.library_id for g in actor.grants if g.role == Role.LIBRARY_LEADER}
    return campaign.library_id is not None and campaign.library_id in led


def get_campaign(actor: Actor, pk: int) -> Campaign:
    try:
        return readable_campaigns(actor).select_related("resource", "municipality").get(pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None
