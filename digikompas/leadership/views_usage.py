"""Usage pages of a municipality: importing usage files, the history of imports, one
resource's usage month by month, and the SUSHI endpoints that harvest usage.

Everyone who reads the municipality's toolkit (its leaders, analysts) reads these pages; only
its municipal leader imports, adds endpoints and harvests.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digikompas.orgs.access import actor_for

from . import access, counter, pricing, usage
from .forms_usage import HarvestForm, MetricForm, SushiEndpointForm, UsageFileForm
from .models import SushiEndpoint, UsageImport, UsageNote, UsageRecord
from .tasks import harvest_usage

# Months in the table of a resource's usage.
TABLE_MONTHS = 24
IMPORTS_PER_PAGE = 50
# Session key: the last harvest started per endpoint, {endpoint pk: task result id}, so that the
# endpoints page can tell how a harvest that ran in the background went.
HARVESTS_KEY = "leadership_sushi_harvests"


def _municipality(request, code: int, *, manage: bool = False):
    actor = actor_for(request.user)
    municipality = access.get_municipality(actor, code)
    if manage:
        access.require_manager(actor, municipality)
    return actor, municipality


def _month(day: datetime.date) -> str:
    return date_format(day, "F Y")


def _period(first: datetime.date, last: datetime.date) -> str:
    if first == last:
        return _month(first)
    return f"{_month(first)}–{_month(last)}"


def _exception_text(exception: dict) -> str:
    text = f"{exception.get('code', '')} {exception.get('message', '')}".strip()
    if exception.get("data"):
        text = f"{text} ({exception['data']})"
    return text


def _report_exceptions(request, exceptions) -> None:
    for exception in exceptions:
        messages.warning(
            request,
            _("The report carries COUNTER exception %(exception)s.")
            % {"exception": _exception_text(exception)},
        )


# -- importing a file -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def usage_import(request, code: int):
    actor, municipality = _municipality(request, code, manage=True)
    form = UsageFileForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = counter.parse(upload.read(), upload.name)
            imported = usage.store(
                report,
                municipality=municipality,
                resource=form.cleaned_data["resource"],
                by=actor.person,
                file_name=upload.name,
                source=UsageImport.Source.FILE,
            )
        except counter.CounterError as error:
            problems = [
                {"row": p.line or "–", "field": p.column or "–", "reason": p.message}
                for p in error.problems
            ]
        else:
            messages.success(
                request,
                _(
                    "%(file)s was imported (%(report)s, %(period)s): %(records)s figures stored, "
                    "%(replaced)s of them replacing figures imported before."
                )
                % {
                    "file": upload.name,
                    "report": imported.report,
                    "period": _period(imported.first_month, imported.last_month),
                    "records": imported.records,
                    "replaced": imported.replaced,
                },
            )
            _report_exceptions(request, imported.exceptions)
            return redirect("leadership:usage_imports", code=municipality.code)
    status = 400 if problems is not None or form.errors else 200
    return render(
        request,
        "leadership/usage/import.html",
        {"municipality": municipality, "form": form, "problems": problems},
        status=status,
    )


@require_GET
@login_required
def usage_imports(request, code: int):
    actor, municipality = _municipality(request, code)
    imports = UsageImport.objects.filter(municipality=municipality).select_related("imported_by")
    page = Paginator(imports, IMPORTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "leadership/usage/imports.html",
        {
            "municipality": municipality,
            "page": page,
            "manages": access.manages(actor, municipality),
        },
    )


# -- one resource's usage -------------------------------------------------------------------------


@dataclass
class Cell:
    count: int
    restated_from: int | None = None


@dataclass
class MonthRow:
    month: datetime.date
    cells: list[Cell | None]
    notes: list[UsageNote] = field(default_factory=list)
    missing: bool = False
    restated: bool = False


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _usage_table(resource, municipality):
    """The last TABLE_MONTHS months up to the latest month with figures (or last month): the
    metrics with figures, one row per month from the first month with a figure or a note."""
    records = UsageRecord.objects.filter(resource=resource, municipality=municipality)
    latest = records.order_by("-month").values_list("month", flat=True).first()
    last = latest or _add_months(timezone.localdate().replace(day=1), -1)
    first = _add_months(last, -(TABLE_MONTHS - 1))
    figures = {
        (r["month"], r["metric"]): Cell(r["count"], r["restated_from"])
        for r in records.filter(month__range=(first, last)).values(
            "month", "metric", "count", "restated_from"
        )
    }
    notes = UsageNote.objects.filter(resource=resource, month__range=(first, last)).filter(
        Q(municipality=municipality) | Q(municipality__isnull=True)
    )
    totals: dict[str, int] = {}
    for (_day, metric), cell in figures.items():
        totals[metric] = totals.get(metric, 0) + cell.count
    metrics = sorted(totals, key=lambda m: (-totals[m], m))
    data_months = sorted({m for m, _metric in figures})
    note_months = sorted({n.month.replace(day=1) for n in notes})
    if not data_months and not note_months:
        return first, last, metrics, []
    start = min(data_months[:1] + note_months[:1])
    rows = []
    month = start
    while month <= last:
        cells = [figures.get((month, metric)) for metric in metrics]
        rows.append(
            MonthRow(
                month=month,
                cells=cells,
                notes=[n for n in notes if n.month.replace(day=1) == month],
                # No figure at all in a month between the first and the last with figures.
                missing=bool(data_months)
                and data_months[0] < month < data_months[-1]
                and not any(cells),
                restated=any(c is not None and c.restated_from is not None for c in cells),
            )
        )
        month = _add_months(month, 1)
    return first, last, metrics, rows


@require_GET
@login_required
def usage_resource(request, code: int, pk: int):
    actor, municipality = _municipality(request, code)
    resource = access.get_resource(actor, pk)
    first, last, metrics, rows = _usage_table(resource, municipality)
    choices = metrics or usage.metrics_of(resource, municipality)
    metric_form = None
    cost = None
    metric = None
    if choices:
        metric_form = MetricForm(
            request.GET if "metric" in request.GET else None,
            metrics=choices,
            initial={"metric": choices[0]},
        )
        metric = metric_form.cleaned_data["metric"] if metric_form.is_valid() else choices[0]
        with_figures = [row.month for row in rows if any(row.cells)]
        if with_figures:
            # The months with figures in the table, to the last day of the last one.
            cost = pricing.cost_per_use(
                resource,
                municipality,
                metric,
                first=with_figures[0],
                last=pricing.month_end(with_figures[-1]),
            )
    return render(
        request,
        "leadership/usage/resource.html",
        {
            "municipality": municipality,
            "resource": resource,
            "first": first,
            "last": last,
            "metrics": metrics,
            "table_months": TABLE_MONTHS,
            "rows": rows,
            "missing": [row.month for row in rows if row.missing],
            "restated": [row.month for row in rows if row.restated],
            "metric_form": metric_form,
            "metric": metric,
            "cost": cost,
            "manages": access.manages(actor, municipality),
        },
        status=400 if metric_form is not None and metric_form.errors else 200,
    )


# -- SUSHI ----------------------------------------------------------------------------------------


def _harvest_outcome(result) -> dict | None:
    """What a harvest that ran in the background came to, for the endpoints page."""
    if result.status == TaskResultStatus.SUCCESSFUL:
        return result.return_value
    if result.status == TaskResultStatus.FAILED:
        return {"error": _("The harvest failed unexpectedly; the error was logged.")}
    return {"pending": True}


@require_http_methods(["GET", "POST"])
@login_required
def sushi_endpoints(request, code: int):
    actor, municipality = _municipality(request, code)
    manages = access.manages(actor, municipality)
    form = None
    if manages:
        form = SushiEndpointForm(
            request.POST or None, instance=SushiEndpoint(municipality=municipality)
        )
    if request.method == "POST":
        access.require_manager(actor, municipality)
        if form.is_valid():
            endpoint = form.save()
            messages.success(
                request,
                _("The SUSHI endpoint of %(resource)s was added. You can harvest usage now.")
                % {"resource": endpoint.resource.name},
            )
            return redirect("leadership:sushi_harvest", code=municipality.code, pk=endpoint.pk)
    endpoints = list(
        SushiEndpoint.objects.filter(municipality=municipality)
        .select_related("resource")
        .order_by("resource__name", "pk")
    )
    started = request.session.get(HARVESTS_KEY, {})
    for endpoint in endpoints:
        endpoint.outcome = None
        if str(endpoint.pk) in started:
            # The immediate backend keeps no results; a database backend may have cleaned up.
            with contextlib.suppress(TaskResultDoesNotExist, NotImplementedError):
                endpoint.outcome = _harvest_outcome(
                    harvest_usage.get_result(started[str(endpoint.pk)])
                )
    status = 400 if form is not None and form.errors else 200
    return render(
        request,
        "leadership/usage/sushi_endpoints.html",
        {
            "municipality": municipality,
            "endpoints": endpoints,
            "form": form,
            "manages": manages,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def sushi_harvest(request, code: int, pk: int):
    actor, municipality = _municipality(request, code, manage=True)
    try:
        endpoint = SushiEndpoint.objects.select_related("resource").get(
            pk=pk, municipality=municipality
        )
    except SushiEndpoint.DoesNotExist:
        raise Http404 from None
    form = HarvestForm(request.POST or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        result = harvest_usage.enqueue(
            endpoint_id=endpoint.pk,
            report_id=form.cleaned_data["report_id"],
            first=form.cleaned_data["first"].isoformat(),
            last=form.cleaned_data["last"].isoformat(),
            person_id=actor.person.pk if actor.person else None,
        )
        if not result.is_finished:
            started = request.session.get(HARVESTS_KEY, {})
            started[str(endpoint.pk)] = result.id
            request.session[HARVESTS_KEY] = started
            messages.info(
                request,
                _(
                    "The harvest has started. When it is done, its import is listed here; if "
                    "the server sends an exception instead, the SUSHI endpoints page shows it."
                ),
            )
            return redirect("leadership:usage_imports", code=municipality.code)
        outcome = _harvest_outcome(result)
        if "import_id" in outcome:
            imported = UsageImport.objects.get(pk=outcome["import_id"])
            messages.success(
                request,
                _(
                    "The %(report)s report of %(resource)s for %(period)s was harvested: "
                    "%(records)s figures stored, %(replaced)s of them replacing figures "
                    "imported before."
                )
                % {
                    "report": form.cleaned_data["report_id"],
                    "resource": endpoint.resource.name,
                    "period": _period(imported.first_month, imported.last_month),
                    "records": imported.records,
                    "replaced": imported.replaced,
                },
            )
            _report_exceptions(request, imported.exceptions)
            return redirect("leadership:usage_imports", code=municipality.code)
    return render(
        request,
        "leadership/usage/sushi_harvest.html",
        {"municipality": municipality, "endpoint": endpoint, "form": form, "outcome": outcome},
        status=400 if form.errors else 200,
    )
