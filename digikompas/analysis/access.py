"""Who may see which results of a round, on top of digikompas.surveys.access.

Analysts see every round with results, for Denmark and every unit. Library and municipal leaders
see the rounds that reach their units (surveys.access.visible_rounds), the pages of the units they
lead, and as reference the municipality of their library and Denmark: aggregates the engine has
already cleared for the anonymity minimum. A unit they do not lead is not found (404). Everyone
else gets 403. Staff see their own profile on the page after they answered, not here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from digikompas.orgs.access import Actor
from digikompas.orgs.models import Library, Municipality
from digikompas.surveys import access as surveys_access
from digikompas.surveys.models import Response, Round

from .dataset import LIBRARY, MUNICIPALITY, NATION

READERS = surveys_access.READERS


def require_reader(actor: Actor) -> None:
    if not actor.has_role(*READERS):
        raise PermissionDenied


def sees_nation(actor: Actor) -> bool:
    return surveys_access.runs_rounds(actor)


def rounds_with_results(actor: Actor) -> QuerySet[Round]:
    require_reader(actor)
    answered = Response.objects.filter(round=OuterRef("pk"))
    return surveys_access.visible_rounds(actor).filter(Exists(answered))


def get_round(actor: Actor, pk: int) -> Round:
    try:
        return rounds_with_results(actor).select_related("survey__framework").get(pk=pk)
    except Round.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class Unit:
    """The group a results page is about: Denmark, a municipality or a library."""

    grouping: str
    key: int
    name: str
    municipality: Municipality | None = None  # of a library: its municipality, for comparison
    library: Library | None = None

    @property
    def path_args(self) -> tuple:
        return (self.grouping, self.key) if self.grouping != NATION else ()


NATION_UNIT_KEY = 0


def get_unit(actor: Actor, grouping: str, key: int | None) -> Unit:
    """The unit the actor asks for, if they may see its page."""
    if grouping == NATION:
        if not sees_nation(actor):
            raise PermissionDenied
        return Unit(NATION, NATION_UNIT_KEY, _("Denmark"))
    if grouping == MUNICIPALITY:
        municipality = get_object_or_404(Municipality, pk=key)
        if not (sees_nation(actor) or municipality.pk in actor.led_municipality_ids):
            raise Http404
        return Unit(MUNICIPALITY, municipality.pk, municipality.name, municipality=municipality)
    if grouping == LIBRARY:
        library = get_object_or_404(Library.objects.select_related("municipality"), pk=key)
        if not (
            sees_nation(actor)
            or library.pk in actor.led_library_ids
            or library.municipality_id in actor.led_municipality_ids
        ):
            raise Http404
        return Unit(
            LIBRARY, library.pk, library.name, municipality=library.municipality, library=library
        )
    raise Http404


def own_units(actor: Actor) -> list[Unit]:
    """The units a leader leads, municipalities first: the pages offered to them."""
    units = [
        Unit(MUNICIPALITY, m.pk, m.name, municipality=m)
        for m in Municipality.objects.filter(pk__in=actor.led_municipality_ids).order_by("name")
    ]
    libraries = surveys_access.led_libraries(actor).select_related("municipality").order_by("name")
    units += [
        Unit(LIBRARY, library.pk, library.name, municipality=library.municipality, library=library)
        for library in libraries
    ]
    return units
