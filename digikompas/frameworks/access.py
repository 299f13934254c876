"""Who may see and change competence frameworks, on top of digikompas.orgs.access.

Every logged-in user may read published frameworks: they rate themselves against them. Drafts
exist only for analysts (others get a 404, as for another tenant's object), and only analysts
change anything; a published version is never changed, by anyone.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect

from digikompas.orgs.access import Actor
from digikompas.orgs.models import Role

from .models import Competency, Domain, Framework, FrameworkStatus, TargetProfile
from .services import FrameworkLocked

EDITORS = (Role.ANALYST,)


def can_edit(actor: Actor) -> bool:
    return actor.has_role(*EDITORS)


def visible_frameworks(actor: Actor) -> QuerySet[Framework]:
    if can_edit(actor):
        return Framework.objects.all()
    return Framework.objects.filter(status=FrameworkStatus.PUBLISHED)


def get_framework(actor: Actor, pk: int) -> Framework:
    try:
        return visible_frameworks(actor).get(pk=pk)
    except Framework.DoesNotExist:
        raise Http404 from None


def get_framework_to_edit(actor: Actor, pk: int) -> Framework:
    """A draft the actor may change; FrameworkLocked for a published version."""
    if not can_edit(actor):
        raise PermissionDenied
    framework = get_framework(actor, pk)
    if not framework.is_draft:
        raise FrameworkLocked(framework)
    return framework


def _get_part(actor: Actor, model, pk: int):
    if not can_edit(actor):
        raise PermissionDenied
    try:
        part = model.objects.select_related("framework").get(pk=pk)
    except model.DoesNotExist:
        raise Http404 from None
    if not part.framework.is_draft:
        raise FrameworkLocked(part.framework)
    return part


def get_domain_to_edit(actor: Actor, pk: int) -> Domain:
    return _get_part(actor, Domain, pk)


def get_competency_to_edit(actor: Actor, pk: int) -> Competency:
    return _get_part(actor, Competency, pk)


def get_profile_to_edit(actor: Actor, pk: int) -> TargetProfile:
    return _get_part(actor, TargetProfile, pk)


def refuse_published(view):
    """View decorator: a change to a published version ends on its page with an explanation."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except FrameworkLocked as locked:
            messages.error(request, str(locked))
            return redirect("frameworks:detail", pk=locked.framework.pk)

    return wrapped
