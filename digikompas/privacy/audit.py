"""Writing the audit log: `record(request, action, obj=...)` from a view, `record_system(...)`
from a command or task (no request, no user)."""

from __future__ import annotations

import ipaddress

from django.db import models

from .models import Action, AuditEvent

# The columns' lengths: longer labels and paths are cut rather than refused.
_LABEL, _PATH = 300, 500

# The detail of an event written by the API (/api/v1/) rather than by a page.
API = "API"


def describe(obj: models.Model | None) -> dict[str, str]:
    """The text that identifies an object in the log: its model's label, its id and its name."""
    if obj is None:
        return {"object_type": "", "object_id": "", "object_label": ""}
    return {
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "object_label": str(obj)[:_LABEL],
    }


def client_ip(request) -> str | None:
    """The client's address as allauth's rate limits see it (which trusts as many proxies as
    ALLAUTH_TRUSTED_PROXY_COUNT says), or None when it is not a valid address."""
    from allauth.account.adapter import get_adapter
    from django.core.exceptions import PermissionDenied

    try:
        address = get_adapter(request).get_client_ip(request)
        return str(ipaddress.ip_address(address))
    except (PermissionDenied, ValueError):
        return None


def record(
    request, action: Action | str, *, obj: models.Model | None = None, detail: str = ""
) -> AuditEvent:
    """Note that the request's user did `action` to `obj`. Call it after the access checks
    passed, just before the page or file is returned."""
    user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        user=user,
        actor_email=user.email if user is not None else "",
        action=action,
        detail=detail,
        ip_address=client_ip(request),
        path=request.get_full_path()[:_PATH],
        **describe(obj),
    )


def record_if_others(request, action: Action | str, person_ids, person) -> None:
    """Note an API list that shows people: when any of `person_ids` is not the caller's own
    `person` (None for a login without one), as the pages that list people are logged."""
    own = getattr(person, "pk", None)
    if any(pk != own for pk in person_ids):
        record(request, action, detail=API)


def record_system(
    action: Action | str,
    *,
    obj: models.Model | None = None,
    detail: str = "",
    actor_email: str = "",
) -> AuditEvent:
    """An event without a request: a management command or a scheduled task."""
    return AuditEvent.objects.create(
        actor_email=actor_email, action=action, detail=detail, **describe(obj)
    )
