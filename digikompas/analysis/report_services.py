"""Asking for reports, and who may ask for and download which.

`request_report` is the one way a Report comes to be – from the web page, the API and anything
else – and the build runs in the background (tasks.build_report) once the request commits.

Who may: analysts any report of any round; library leaders the library report of a library they
lead, municipal leaders of any library of their municipality (surveys.access.led_libraries), for
the rounds that reach them. National reports are for analysts only. Everyone else gets 403; a
leader asking about a round, library or report outside their units gets 404, as in
surveys.access.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from digikompas.orgs.access import Actor
from digikompas.orgs.models import Library, Person
from digikompas.surveys import access as surveys_access
from digikompas.surveys.models import Response, Round

from .models import FileFormat, GroupBy, Report, ReportKind, ReportStatus
from .reports import ReportError

__all__ = [
    "ReportError",
    "get_report",
    "get_round_for_reports",
    "may_request_national",
    "report_libraries",
    "request_report",
    "require_may_request",
    "require_report_reader",
    "visible_reports",
]


# -- who may -------------------------------------------------------------------------------------


def may_request_national(actor: Actor) -> bool:
    return surveys_access.runs_rounds(actor)


def require_report_reader(actor: Actor) -> None:
    """403 for anyone who may not ask for any report (not an analyst or a leader)."""
    if not actor.has_role(*surveys_access.READERS):
        raise PermissionDenied


def get_round_for_reports(actor: Actor, pk: int) -> Round:
    """A round the actor may ask for reports of: 403 without the role, 404 for a leader when the
    round does not reach their units."""
    require_report_reader(actor)
    return surveys_access.get_round(actor, pk)


def report_libraries(actor: Actor, round: Round) -> QuerySet[Library]:
    """The libraries the actor may ask for a library report of in the round: those with
    responses in it, and for leaders only the libraries they lead."""
    require_report_reader(actor)
    answered = Library.objects.filter(
        pk__in=Response.objects.filter(round=round, library__isnull=False).values("library_id")
    )
    if not surveys_access.runs_rounds(actor):
        answered = answered.filter(pk__in=surveys_access.led_libraries(actor).values("pk"))
    return answered.select_related("municipality").order_by("name", "pk")


def require_may_request(
    actor: Actor, *, round: Round, kind: str, library: Library | None = None
) -> None:
    """Raise PermissionDenied (no role, or a leader asking for a national report) or Http404 (a
    library outside the leader's units) unless the actor may ask for this report."""
    require_report_reader(actor)
    if kind == ReportKind.NATIONAL and not may_request_national(actor):
        raise PermissionDenied(_("Only analysts can ask for national reports."))
    outside = (
        kind == ReportKind.LIBRARY
        and library is not None
        and not surveys_access.runs_rounds(actor)
        and not surveys_access.led_libraries(actor).filter(pk=library.pk).exists()
    )
    if outside:
        raise Http404


def visible_reports(actor: Actor) -> QuerySet[Report]:
    """Every report for analysts; for leaders the library reports of the libraries they lead,
    of rounds that reach them. Without the file, which only a download needs."""
    require_report_reader(actor)
    reports = Report.objects.defer("content").select_related(
        "round__survey", "library__municipality", "requested_by"
    )
    if surveys_access.runs_rounds(actor):
        return reports
    return reports.filter(
        Q(kind=ReportKind.LIBRARY)
        & Q(library__in=surveys_access.led_libraries(actor))
        & Q(round__in=surveys_access.visible_rounds(actor))
    )


def get_report(actor: Actor, pk: int, *, with_content: bool = False) -> Report:
    reports = visible_reports(actor)
    if with_content:
        reports = reports.defer(None)  # the file too
    try:
        return reports.get(pk=pk)
    except Report.DoesNotExist:
        raise Http404 from None


# -- asking for a report -------------------------------------------------------------------------


def request_report(
    *,
    round: Round,
    kind: str,
    file_format: str,
    library: Library | None = None,
    group_by: str = GroupBy.MUNICIPALITY,
    requested_by: Person | None = None,
    language: str | None = None,
) -> Report:
    """Queue a report and build it in the background once this commits. An identical report
    the same person asked for that is still queued or running is returned instead of a second
    one (a double click). Raises ReportError with what is wrong with the request."""
    language = language or settings.LANGUAGE_CODE
    if kind not in ReportKind.values:
        raise ReportError(_("There is no kind of report called “%(kind)s”.") % {"kind": kind})
    if file_format not in FileFormat.values:
        raise ReportError(
            _("Reports can be made as %(formats)s, not as “%(format)s”.")
            % {"formats": ", ".join(FileFormat.values), "format": file_format}
        )
    if language not in dict(settings.LANGUAGES):
        raise ReportError(_("Reports are written in Danish or English."))
    if kind == ReportKind.NATIONAL:
        if group_by not in GroupBy.values:
            raise ReportError(
                _("A national report can be grouped by %(choices)s, not by “%(group_by)s”.")
                % {"choices": ", ".join(GroupBy.values), "group_by": group_by}
            )
        library = None
    else:
        group_by = ""
        if library is None:
            raise ReportError(_("Choose the library the report is about."))
    if not Response.objects.filter(round=round).exists():
        raise ReportError(
            _("The round %(round)s has no responses yet, so there is nothing to report.")
            % {"round": round.title}
        )
    if library is not None and not Response.objects.filter(round=round, library=library).exists():
        raise ReportError(
            _("No one from %(library)s has answered the round %(round)s.")
            % {"library": library.name, "round": round.title}
        )

    with transaction.atomic():
        pending = (
            Report.objects.defer("content")
            .filter(
                round=round,
                kind=kind,
                library=library,
                group_by=group_by,
                file_format=file_format,
                language=language,
                requested_by=requested_by,
                status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING],
            )
            .first()
            if requested_by is not None
            else None
        )
        if pending is not None:
            return pending
        report = Report(
            round=round,
            kind=kind,
            library=library,
            group_by=group_by,
            file_format=file_format,
            language=language,
            requested_by=requested_by,
        )
        report.full_clean()
        report.save()
        from .tasks import build_report

        transaction.on_commit(lambda: build_report.enqueue(report_id=report.pk))
    return report
