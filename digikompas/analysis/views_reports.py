"""Reports in the web UI: ask for a report of a round, follow its build, download it.

Analysts ask for national and library reports; leaders for the library reports of their own
libraries. Who may see what is decided in .report_services, as for the API.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digikompas.orgs.access import actor_for
from digikompas.orgs.models import Library
from digikompas.privacy import audit

from . import report_services
from .models import FileFormat, GroupBy, Report, ReportKind

# Earlier reports listed on a round's report page.
RECENT = 20
# Seconds between reloads of the status page while a report is being built.
REFRESH_SECONDS = 2


class LibraryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, library: Library) -> str:
        return f"{library.name} ({library.municipality.name})"


class ReportForm(forms.Form):
    """What report to make. Leaders only make library reports, of the libraries offered."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of report"),
        choices=ReportKind.choices,
        widget=forms.RadioSelect,
    )
    library = LibraryChoiceField(
        label=gettext_lazy("Library"),
        queryset=Library.objects.none(),
        required=False,
        empty_label=gettext_lazy("Choose a library"),
        help_text=gettext_lazy(
            "For a library report: the library compared with its municipality and Denmark. "
            "Only libraries with responses in this round are listed."
        ),
    )
    group_by = forms.ChoiceField(
        label=gettext_lazy("Units of the heat map"),
        choices=GroupBy.choices,
        initial=GroupBy.MUNICIPALITY,
        required=False,
        help_text=gettext_lazy(
            "For a national report: the units compared in the heat map and the detailed table."
        ),
    )
    file_format = forms.ChoiceField(
        label=gettext_lazy("File format"),
        choices=FileFormat.choices,
        initial=FileFormat.PDF,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, libraries, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.national = national
        self.fields["library"].queryset = libraries
        if national:
            self.fields["kind"].initial = ReportKind.NATIONAL
        else:
            self.fields["kind"].choices = [(ReportKind.LIBRARY, ReportKind.LIBRARY.label)]
            self.fields["kind"].initial = ReportKind.LIBRARY
            self.fields["kind"].widget = forms.HiddenInput()
            del self.fields["group_by"]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ReportKind.LIBRARY:
            data["group_by"] = ""
            if not data.get("library") and "library" not in self.errors:
                self.add_error("library", _("Choose the library the report is about."))
        elif kind == ReportKind.NATIONAL:
            data["library"] = None
            data["group_by"] = data.get("group_by") or GroupBy.MUNICIPALITY
        return data


@require_http_methods(["GET", "POST"])
@login_required
def report_new(request, pk):
    actor = actor_for(request.user)
    round = report_services.get_round_for_reports(actor, pk)
    national = report_services.may_request_national(actor)
    libraries = report_services.report_libraries(actor, round)
    form = ReportForm(request.POST or None, libraries=libraries, national=national)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        report_services.require_may_request(
            actor, round=round, kind=data["kind"], library=data["library"]
        )
        try:
            report = report_services.request_report(
                round=round,
                kind=data["kind"],
                library=data["library"],
                group_by=data["group_by"],
                file_format=data["file_format"],
                requested_by=actor.person,
                language=get_language(),
            )
        except report_services.ReportError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The report is being made. This page shows how far it has come."),
            )
            return redirect("analysis:report_detail", pk=report.pk)
    recent = report_services.visible_reports(actor).filter(round=round)[:RECENT]
    context = {
        "round": round,
        "form": form,
        "national": national,
        "has_libraries": libraries.exists(),
        "reports": recent,
        "minimum": settings.ANONYMITY_MINIMUM,
    }
    return render(
        request, "analysis/reports_new.html", context, status=400 if form.is_bound else 200
    )


@require_GET
@login_required
def report_detail(request, pk):
    report = report_services.get_report(actor_for(request.user), pk)
    context = {
        "report": report,
        "round": report.round,
        "refresh": REFRESH_SECONDS if not report.is_finished else None,
    }
    return render(request, "analysis/reports_detail.html", context)


@require_GET
@login_required
def report_download(request, pk):
    """A finished report as a file; one not ready yet sends the browser to its status page."""
    report = report_services.get_report(actor_for(request.user), pk, with_content=True)
    if not report.is_done:
        return redirect("analysis:report_detail", pk=report.pk)
    audit.record(request, audit.Action.EXPORTED_RESULTS, obj=report)
    return file_response(report)


def file_response(report: Report) -> HttpResponse:
    """A done report's file as an attachment (the web page and the API)."""
    response = HttpResponse(bytes(report.content), content_type=report.content_type)
    # File names are ASCII slugs (reports.filename_of), so no quoting beyond this is needed.
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    # Figures of named units: not for shared caches.
    response["Cache-Control"] = "private, no-store"
    return response
