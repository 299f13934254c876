from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from digikompas.orgs.access import actor_for
from digikompas.privacy import audit
from digikompas.surveys import access as surveys_access

from . import access, charts, services
from .dataset import LIBRARY, MUNICIPALITY, NATION, REGION

HEAT_GROUPINGS = (REGION, MUNICIPALITY)


@require_GET
@login_required
def index(request):
    """The rounds with results the person may see, and the units whose pages they may open."""
    actor = actor_for(request.user)
    rounds = access.rounds_with_results(actor).select_related("survey").order_by("-closes_at")
    return render(
        request,
        "analysis/index.html",
        {
            "rounds": rounds,
            "units": access.own_units(actor),
            "sees_nation": access.sees_nation(actor),
            "minimum": settings.ANONYMITY_MINIMUM,
        },
    )


@require_GET
@login_required
def results(request, pk, grouping=NATION, key=None):
    """A round's results for one unit: Denmark, a municipality or a library."""
    actor = actor_for(request.user)
    round = access.get_round(actor, pk)
    if grouping == NATION and not access.sees_nation(actor):
        # A leader's way in: the first unit they lead.
        units = access.own_units(actor)
        if not units:
            raise Http404
        return redirect("analysis:unit_results", round.pk, units[0].grouping, units[0].key)
    unit = access.get_unit(actor, grouping, key)
    if grouping != NATION:
        audit.record(request, audit.Action.VIEWED_RESULTS, obj=round, detail=unit.name)
    analysis = services.analyse(round)
    context = {
        "round": round,
        "unit": unit,
        "analysis": analysis,
        "minimum": analysis.minimum,
        "respondents": services.published_respondents(analysis, unit.grouping, unit.key),
        "sees_nation": access.sees_nation(actor),
        "own_units": access.own_units(actor),
        "scale": analysis.data.levels_of_scale,
    }
    context["rate"], _sent = surveys_access.totals(actor, round)
    compared = _compared_units(unit)
    context["compared"] = compared
    if analysis.competencies:
        context |= _competency_context(request, analysis, unit, compared)
    if analysis.barriers:
        context |= _barrier_context(analysis, unit, compared)
    previous = round.follows
    if analysis.competencies and previous is not None and previous.responses.exists():
        context["previous"] = previous
        context["changes"] = services.change_rows(
            services.analyse(previous), analysis, unit.grouping, unit.key
        )
    return render(request, "analysis/results.html", context)


def _compared_units(unit: access.Unit) -> list[tuple[str, int, str]]:
    """The unit and the units around it it is compared with: its municipality and Denmark."""
    compared = [(unit.grouping, unit.key, unit.name)]
    if unit.grouping == LIBRARY:
        compared.append((MUNICIPALITY, unit.municipality.pk, unit.municipality.name))
    if unit.grouping != NATION:
        compared.append((NATION, access.NATION_UNIT_KEY, _("Denmark")))
    return compared


def _competency_context(request, analysis, unit, compared) -> dict:
    keys = [(grouping, key) for grouping, key, _name in compared]
    comparison = services.comparison_rows(analysis, keys)
    context = {"comparison": comparison}
    if unit.grouping == NATION:
        context["gaps"] = services.largest_gaps(analysis)
        context["gaps_by_role"] = True
        context["gap_chart"] = charts.svg(
            charts.gap_bars(
                [
                    {
                        "label": f"{row.item.competency.code} {row.item.competency.title}",
                        "gap": row.gaps[0].value,
                    }
                    for row in comparison
                ],
                title_gap=_("Mean gap (levels)"),
                title_competency=_("Competency"),
            )
        )
    else:
        context["gaps"] = services.largest_gaps(analysis, within=(unit.grouping, unit.key))
        context["comparison_chart"] = charts.svg(
            charts.comparison_dots(
                [
                    {"label": row.item.competency.code, "unit": name, "mean": figure.value}
                    for row in comparison
                    for (_grouping, _key, name), figure in zip(compared, row.means, strict=True)
                ],
                title_level=_("Mean level"),
                title_competency=_("Competency"),
                title_unit=_("Unit"),
            )
        )
    inside = services.children(analysis, unit.grouping, unit.key)
    if inside is not None:
        grouping, keys = inside
        if unit.grouping == NATION:
            chosen = request.GET.get("by")
            grouping = chosen if chosen in HEAT_GROUPINGS else REGION
            context["heat_by"] = grouping
            context["heat_groupings"] = [(g, services.GROUPING_NAMES[g]) for g in HEAT_GROUPINGS]
        context["heat_rows"] = services.heat_rows(analysis, grouping, keys)
        context["heat_grouping"] = grouping
        context["heat_grouping_name"] = services.GROUPING_NAMES[grouping]
    return context


def _barrier_context(analysis, unit, compared) -> dict:
    context = {}
    if unit.grouping == NATION:
        rows = services.barrier_rows(analysis)
        context["barrier_rows"] = rows
        staff, leaders = _("Staff"), _("Leaders")
        context["barrier_chart"] = charts.svg(
            charts.barrier_bars(
                [
                    {"label": row.item.text, "group": group, "share": share}
                    for row in rows
                    for group, share in ((staff, row.staff), (leaders, row.leaders))
                ],
                title_share=_("Share who agree"),
                title_group=_("Group"),
            )
        )
    else:
        keys = [(grouping, key) for grouping, key, _name in compared]
        context["barrier_comparison"] = services.barrier_comparison(analysis, keys)
    return context
