"""Background work of the analysis app: building the reports people ask for.

A task takes the report's id, claims it with a conditional update ("one row updated, so it is
mine"), and writes progress, the file or the failure only while its claim holds – so it can run
twice, or on two workers, and the report is built once.
"""

import datetime
import logging

from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from . import reports
from .models import STEP_PROGRESS, GroupBy, Report, ReportStatus, ReportStep

logger = logging.getLogger(__name__)

# A report still "running" this long after it was claimed lost its worker (a restart, a killed
# process): another run may claim it again.
STALE_AFTER = datetime.timedelta(minutes=30)


@task
def build_report(report_id: int) -> str:
    """Build a queued report; returns the report's status afterwards."""
    now = timezone.now()
    claimable = Q(status=ReportStatus.QUEUED) | Q(
        status=ReportStatus.RUNNING, started_at__lt=now - STALE_AFTER
    )
    claimed = (
        Report.objects.filter(claimable, pk=report_id).update(
            status=ReportStatus.RUNNING,
            started_at=now,
            progress=0,
            step=ReportStep.LOADING,
            error="",
        )
        == 1
    )
    if not claimed:
        # Built already, being built elsewhere, or deleted: nothing to do.
        status = Report.objects.filter(pk=report_id).values_list("status", flat=True).first()
        return status or "missing"

    # Every write below holds only while the claim does: same status and the same start.
    mine = Report.objects.filter(pk=report_id, status=ReportStatus.RUNNING, started_at=now)
    report = (
        Report.objects.defer("content")
        .select_related("round__survey", "library__municipality")
        .filter(pk=report_id)
        .first()
    )
    if report is None:  # deleted (with its round) since it was claimed
        return "missing"

    def progress(step: str) -> None:
        mine.update(step=step, progress=STEP_PROGRESS[step])

    spec = reports.ReportSpec(
        round=report.round,
        kind=report.kind,
        file_format=report.file_format,
        group_by=report.group_by or GroupBy.MUNICIPALITY,
        library=report.library,
        language=report.language,
    )
    try:
        content, filename, content_type = reports.build(spec, progress=progress)
    except reports.ReportError as error:
        mine.update(status=ReportStatus.FAILED, error=str(error), finished_at=timezone.now())
        return ReportStatus.FAILED.value
    except Exception as error:
        logger.exception("Report %s could not be built", report_id)
        with override(report.language):
            message = _(
                "The report could not be built because of an unexpected error (%(error)s). "
                "It has been logged. Try again; if it fails again, contact the digikompas team."
            ) % {"error": type(error).__name__}
        mine.update(status=ReportStatus.FAILED, error=message, finished_at=timezone.now())
        return ReportStatus.FAILED.value
    mine.update(
        status=ReportStatus.DONE,
        step=ReportStep.DONE,
        progress=STEP_PROGRESS[ReportStep.DONE],
        content=content,
        filename=filename,
        content_type=content_type,
        size=len(content),
        finished_at=timezone.now(),
    )
    return ReportStatus.DONE.value
