"""Coverage of a round's gaps by the offer catalogue, its exports, and recommended offers."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from digikompas.analysis import access as analysis_access
from digikompas.orgs.access import actor_for
from digikompas.orgs.models import Role
from digikompas.privacy import audit

from . import access, recommend
from .coverage import STATUS_NAMES, Status
from .coverage import coverage as coverage_of
from .services import XLSX_TYPE

EXPORTS = {"xlsx": XLSX_TYPE, "pdf": "application/pdf"}


@require_GET
@login_required
def coverage_index(request):
    """The rounds whose gaps can be held against the catalogue."""
    actor = actor_for(request.user)
    rounds = access.coverage_rounds(actor).select_related("survey")
    return render(
        request,
        "offers/coverage_index.html",
        {"rounds": rounds, "minimum": settings.ANONYMITY_MINIMUM},
    )


@require_GET
@login_required
def coverage(request, pk):
    """The round's national gaps per job role, and the offers that reach them or fall short."""
    actor = actor_for(request.user)
    round = access.get_coverage_round(actor, pk)
    result = coverage_of(round)
    status = request.GET.get("status", "")
    if status and status not in Status.__members__.values():
        status = ""
    gaps = [gap for gap in result.gaps if not status or gap.status == status]
    return render(
        request,
        "offers/coverage.html",
        {
            "round": round,
            "coverage": result,
            "gaps": gaps,
            "status": status,
            "statuses": [(s.value, STATUS_NAMES[s]) for s in Status],
            "matrix": [
                (row, list(zip(result.offers, row.levels, strict=True))) for row in result.matrix
            ],
        },
    )


@require_GET
@login_required
def coverage_export(request, pk, format):
    """The coverage as XLSX or PDF, in the language of the page it was asked from."""
    if format not in EXPORTS:
        raise Http404
    actor = actor_for(request.user)
    round = access.get_coverage_round(actor, pk)
    from . import coverage_export as export  # WeasyPrint is imported only when it is needed

    result = coverage_of(round)
    content = export.render_xlsx(result) if format == "xlsx" else export.render_pdf(result)
    audit.record(request, audit.Action.EXPORTED_RESULTS, obj=round, detail=format)
    response = HttpResponse(content, content_type=EXPORTS[format])
    response["Content-Disposition"] = f'attachment; filename="{export.filename(result, format)}"'
    return response


@require_GET
@login_required
def recommendations(request):
    """Offers for the person's own gaps, and for the gaps of the units they lead."""
    actor = actor_for(request.user)
    if actor.person is None:
        raise PermissionDenied
    own = recommend.for_person(actor.person)
    units = []
    if actor.has_role(Role.LIBRARY_LEADER, Role.MUNICIPAL_LEADER):
        rounds = recommend.unit_rounds(actor)
        units = [
            (unit, recommend.for_unit(unit, rounds)) for unit in analysis_access.own_units(actor)
        ]
    return render(
        request,
        "offers/recommendations.html",
        {
            "own": own,
            "units": units,
            "person": actor.person,
            "minimum": settings.ANONYMITY_MINIMUM,
        },
    )
