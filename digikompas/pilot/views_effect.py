"""The effect of a programme: the page and its downloads (JSON, Excel), for coordinators and
analysts. The figures come cleared for anonymity from effect.py; the texts from effect_export.py,
so the page and the files say the same."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from digikompas.orgs.access import actor_for
from digikompas.privacy import audit

from . import access
from . import effect_export as export
from .effect import programme_effect

EXPORTS = {"json": export.JSON_TYPE, "xlsx": export.XLSX_TYPE}


def _effect_of(request, pk):
    actor = actor_for(request.user)
    # Who may read at all comes before which programme, so others learn nothing from a 404.
    access.require_effect_reader(actor)
    return programme_effect(access.get_programme(actor, pk))


def _table(row, minimum) -> dict:
    """A row of the page: each cell with its interval and note written out."""
    overall = row.competency is None
    return {
        "row": row,
        "caption": _("Change in all competencies")
        if overall
        else _("Change in %(competency)s") % {"competency": f"{row.code} {row.title}"},
        "reading": export.reading(row),
        "cells": [
            {
                "cell": cell,
                "before": export.number(cell.mean_before),
                "after": export.number(cell.mean_after),
                "change": export.interval(cell.mean_change, cell.ci_low, cell.ci_high),
                "effect_size": export.effect_size(cell.effect_size),
                "note": export.cell_note(cell, minimum, overall=overall),
            }
            for cell in row.cells
        ],
        "difference": export.interval(
            row.comparison.difference, row.comparison.ci_low, row.comparison.ci_high
        ),
        "hedges_g": export.effect_size(row.comparison.hedges_g),
        "comparison_note": export.comparison_note(row),
    }


@require_GET
@login_required
def effect(request, pk):
    """Before and after, per competency: participants, non-participants and the difference."""
    result = _effect_of(request, pk)
    audit.record(request, audit.Action.VIEWED_RESULTS, obj=result.programme)
    minimum = result.minimum
    return render(
        request,
        "pilot/effect/effect.html",
        {
            "programme": result.programme,
            "effect": result,
            "overall": None if result.overall is None else _table(result.overall, minimum),
            "rows": [_table(row, minimum) for row in result.rows],
            "groups": [
                (group, export.group_count(group, minimum), export.group_note(group, minimum))
                for group in result.groups
            ],
            "neither": export.neither_note(result.neither, minimum),
            "notes": export.notes(result),
        },
    )


@require_GET
@login_required
def effect_export(request, pk, format):
    """The effect as JSON or an Excel workbook, in the language of the page."""
    if format not in EXPORTS:
        raise Http404
    result = _effect_of(request, pk)
    audit.record(request, audit.Action.EXPORTED_RESULTS, obj=result.programme, detail=format)
    content = export.render_json(result) if format == "json" else export.render_xlsx(result)
    response = HttpResponse(content, content_type=EXPORTS[format])
    response["Content-Disposition"] = f'attachment; filename="{export.filename(result, format)}"'
    return response
