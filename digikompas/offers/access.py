"""Who may see and change the offer catalogue, its coverage of gaps and recommendations.

- The catalogue (the list of offers and an offer's page) is open to everyone who is logged in:
  it is public information about education.
- Analysts curate the whole catalogue: every provider and offer, import and export.
- A person with the education provider role maintains the offers of the providers they are a
  maintainer of (Provider.maintainers): creates, edits and deletes them, decides on suggested
  competencies, and imports and exports their rows. Another provider's offer is not found (404)
  on the pages that change offers.
- Coverage of a round's gaps is national and already cleared for anonymity by the engine; the
  analysts, the education coordinators and the providers read it, to talk about what is missing.
- Recommendations are personal: a person sees those for their own gaps, and a leader those for
  the units they lead.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from digikompas.orgs.access import Actor
from digikompas.orgs.models import Role
from digikompas.surveys.models import ItemKind, Response, Round

from .models import EducationOffer, Provider

CURATORS = (Role.ANALYST,)
MAINTAINERS = (Role.EDUCATION_PROVIDER,)
EDITORS = CURATORS + MAINTAINERS
COVERAGE_READERS = (Role.ANALYST, Role.EDUCATION_COORDINATOR, Role.EDUCATION_PROVIDER)


def curates(actor: Actor) -> bool:
    return actor.has_role(*CURATORS)


def edits(actor: Actor) -> bool:
    """Whether the actor may use the editing pages (new offer, import, export, providers):
    analysts, and providers who maintain at least one provider."""
    return curates(actor) or (actor.has_role(*MAINTAINERS) and editable_providers(actor).exists())


def require_editor(actor: Actor) -> None:
    """Analysts, and providers who maintain at least one provider."""
    if not edits(actor):
        raise PermissionDenied


def require_curator(actor: Actor) -> None:
    if not curates(actor):
        raise PermissionDenied


def editable_providers(actor: Actor) -> QuerySet[Provider]:
    """The providers whose offers the actor may change: all for analysts, their own for
    providers, none for everyone else."""
    if curates(actor):
        return Provider.objects.all()
    if actor.has_role(*MAINTAINERS) and actor.person is not None:
        return Provider.objects.filter(maintainers=actor.person)
    return Provider.objects.none()


def editable_offers(actor: Actor) -> QuerySet[EducationOffer]:
    return EducationOffer.objects.filter(provider__in=editable_providers(actor))


def can_edit(actor: Actor, offer: EducationOffer) -> bool:
    return editable_offers(actor).filter(pk=offer.pk).exists()


def get_offer(actor: Actor, pk: int) -> EducationOffer:
    """An offer of the catalogue, which everyone logged in may read."""
    try:
        return EducationOffer.objects.select_related("provider").get(pk=pk)
    except EducationOffer.DoesNotExist:
        raise Http404 from None


def get_offer_to_edit(actor: Actor, pk: int) -> EducationOffer:
    """An offer the actor may change: 403 without the role, 404 outside their providers."""
    require_editor(actor)
    try:
        return editable_offers(actor).select_related("provider").get(pk=pk)
    except EducationOffer.DoesNotExist:
        raise Http404 from None


def get_provider_to_edit(actor: Actor, pk: int) -> Provider:
    """A provider whose details (name, kind, maintainers) the actor may change: analysts only."""
    require_curator(actor)
    try:
        return Provider.objects.get(pk=pk)
    except Provider.DoesNotExist:
        raise Http404 from None


def import_scope(actor: Actor) -> set[str] | None:
    """The providers, by lower-cased name, whose rows an import by the actor may hold; None for
    analysts, whose files may name any provider and create new ones."""
    require_editor(actor)
    if curates(actor):
        return None
    return {name.lower() for name in editable_providers(actor).values_list("name", flat=True)}


def reads_coverage(actor: Actor) -> bool:
    return actor.has_role(*COVERAGE_READERS)


def coverage_rounds(actor: Actor) -> QuerySet[Round]:
    """Rounds with competency answers whose national gaps the actor may hold against offers."""
    if not reads_coverage(actor):
        raise PermissionDenied
    answered = Response.objects.filter(round=OuterRef("pk"))
    return (
        Round.objects.filter(Exists(answered), survey__items__kind=ItemKind.COMPETENCY)
        .distinct()
        .select_related("survey__framework")
        .order_by("-closes_at", "-pk")
    )


def get_coverage_round(actor: Actor, pk: int) -> Round:
    try:
        return coverage_rounds(actor).get(pk=pk)
    except Round.DoesNotExist:
        raise Http404 from None
