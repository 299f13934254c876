"""The selection tool's pages: the ranking of the resources for a municipality with the
explanation of every score, the weights as a form, saved scenarios, and the export."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digikompas.orgs.access import actor_for
from digikompas.orgs.models import UserGroup

from . import access, selection
from .forms_selection import ScenarioForm, WeightsForm

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FORMATS = ("csv", "xlsx")


def saves_scenarios(actor, municipality) -> bool:
    """The municipality's municipal leader and the leaders of its libraries save scenarios;
    analysts read them."""
    return access.manages(actor, municipality) or (
        municipality.pk in access.led_library_municipality_ids(actor)
    )


def _scenario(request, municipality):
    """The saved scenario asked for with ?scenario=, or None; another municipality's is not
    found."""
    pk = request.GET.get("scenario", "")
    if not pk:
        return None
    if not pk.isdigit():
        raise Http404
    scenario = municipality.selection_scenarios.filter(pk=int(pk)).first()
    if scenario is None:
        raise Http404
    return scenario


def _weights_form(request, municipality) -> tuple[WeightsForm, object]:
    """The form of the weights: bound to the query string when it has weights, else showing the
    chosen scenario's (or the default) weights."""
    scenario = _scenario(request, municipality)
    if any(key in request.GET for key in selection.CRITERION_KEYS):
        return WeightsForm(request.GET), scenario
    initial = WeightsForm.initial_of(scenario)
    data = {key: str(value) for key, value in initial.items() if key != "target_groups"}
    form = WeightsForm(_query(data, initial["target_groups"]))
    return form, scenario


def _query(weights: dict, target_groups: list[str]):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in weights.items():
        query[key] = str(value)
    query.setlist("target_groups", list(target_groups))
    return query


def _ranking(form: WeightsForm, municipality):
    if not form.is_valid():
        return None
    try:
        return selection.rank(
            municipality,
            weights=form.weights,
            target_groups=form.cleaned_data["target_groups"],
        )
    except selection.NoWeights as error:
        form.add_error(None, str(error))
        return None


@require_GET
@login_required
def selection_page(request, code):
    actor = actor_for(request.user)
    municipality = access.get_municipality(actor, code)
    form, scenario = _weights_form(request, municipality)
    ranking = _ranking(form, municipality)
    save_form = None
    if saves_scenarios(actor, municipality):
        save_form = ScenarioForm(municipality=municipality)
    return _page(request, actor, municipality, form, ranking, scenario, save_form)


def _page(request, actor, municipality, form, ranking, scenario, save_form, *, status=None):
    query = ""
    if ranking is not None:
        query = urlencode({**ranking.weights, "target_groups": ranking.target_groups}, doseq=True)
    context = {
        "municipality": municipality,
        "form": form,
        "ranking": ranking,
        "scenario": scenario,
        "scenarios": municipality.selection_scenarios.all(),
        "save_form": save_form,
        "query": query,
        "criteria": selection.CRITERIA,
        "group_names": dict(UserGroup.choices),
        "has_examples": ranking is not None
        and any(row.resource.is_example for row in ranking.rows),
    }
    if status is None:
        status = 400 if form.errors else 200
    return render(request, "leadership/selection/selection.html", context, status=status)


@require_POST
@login_required
def scenario_save(request, code):
    actor = actor_for(request.user)
    municipality = access.get_municipality(actor, code)
    if not saves_scenarios(actor, municipality):
        raise PermissionDenied
    form = ScenarioForm(request.POST, municipality=municipality)
    if form.is_valid():
        try:
            scenario = selection.save_scenario(
                municipality=municipality,
                name=form.cleaned_data["name"],
                weights=form.weights,
                target_groups=form.cleaned_data["target_groups"],
                by=actor.person,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, _("The scenario “%(name)s” was saved.") % {"name": scenario.name}
            )
            url = reverse("leadership:selection", args=[municipality.code])
            return redirect(f"{url}?scenario={scenario.pk}")
    # The ranking of the weights as sent, beside the refused name.
    weights_form = WeightsForm(request.POST)
    ranking = _ranking(weights_form, municipality)
    return _page(request, actor, municipality, weights_form, ranking, None, form, status=400)


@require_http_methods(["GET"])
@login_required
def selection_export(request, code, format):
    actor = actor_for(request.user)
    municipality = access.get_municipality(actor, code)
    if format not in EXPORT_FORMATS:
        raise Http404
    form, _unused = _weights_form(request, municipality)
    ranking = _ranking(form, municipality)
    if ranking is None:
        problems = [str(e) for e in form.non_field_errors()] + [
            f"{form[name].label}: {' '.join(errors)}"
            for name, errors in form.errors.items()
            if name != "__all__"
        ]
        return HttpResponse(
            "\n".join(problems), status=400, content_type="text/plain; charset=utf-8"
        )
    data, content_type = export(ranking, file_format=format)
    name = f"{slugify(_('selection'))}-{municipality.code}-{ranking.last:%Y-%m}.{format}"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def export_rows(ranking: selection.Ranking) -> list[list]:
    """The ranking as a table: a row per resource with its total, and per criterion the score
    and its explanation."""
    header = [_("Rank"), _("Resource"), _("Vendor"), _("Example data"), _("Total")]
    for criterion in selection.CRITERIA:
        weight = ranking.weights[criterion.key]
        header.append(
            _("%(criterion)s (weight %(weight)s)")
            % {"criterion": criterion.label, "weight": weight}
        )
        header.append(_("%(criterion)s: explanation") % {"criterion": criterion.label})
    rows = [header]
    for row in ranking.rows:
        line = [
            row.rank,
            row.resource.name,
            row.resource.vendor,
            _("yes") if row.resource.is_example else _("no"),
            row.total,
        ]
        for score in row.scores:
            line.extend([score.score, score.explanation])
        rows.append(line)
    return rows


def export(ranking: selection.Ranking, *, file_format: str) -> tuple[bytes, str]:
    rows = export_rows(ranking)
    if file_format == "xlsx":
        from openpyxl import Workbook

        from digikompas.spreadsheets import put

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(_("Ranking"))[:31]
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                put(sheet.cell(row=r, column=c), value)
        about = workbook.create_sheet(str(_("Weights"))[:31])
        facts = [
            [_("Municipality"), ranking.municipality.name],
            [
                _("Period of usage and cost"),
                f"{ranking.first:%Y-%m} – {ranking.last:%Y-%m}",
            ],
            [
                _("The library's target groups"),
                ", ".join(str(UserGroup(g).label) for g in ranking.target_groups),
            ],
            *[[str(c.label), ranking.weights[c.key]] for c in selection.CRITERIA],
        ]
        for r, row in enumerate(facts, start=1):
            for c, value in enumerate(row, start=1):
                put(about.cell(row=r, column=c), value)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue(), XLSX_TYPE
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(
        [
            [str(value) if not isinstance(value, int | float) else value for value in row]
            for row in rows
        ]
    )
    # The byte order mark makes Excel read the file as UTF-8 (æ, ø, å).
    return text.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"
