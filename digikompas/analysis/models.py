"""Reports of a round's analysis, built in the background and kept for download.

A Report is asked for (queued), claimed by one worker (running, with a step and a percentage the
status page shows), and ends done – with the file in `content` – or failed, with a message for
the person who asked. The file lives in the database (a BinaryField), so nothing depends on a
media folder shared between app servers and workers; reports are a few hundred kilobytes.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from digikompas.orgs.models import Library, Person
from digikompas.surveys.models import Round


class ReportKind(models.TextChoices):
    NATIONAL = "national", _("National analysis report")
    LIBRARY = "library", _("Library report")


class GroupBy(models.TextChoices):
    """The units of a national report's heat map and detailed table."""

    MUNICIPALITY = "municipality", _("Municipality")
    LIBRARY = "library", _("Library")
    REGION = "region", _("Region")
    ROLE = "role", _("Job role")


class FileFormat(models.TextChoices):
    PDF = "pdf", _("PDF (to read and print)")
    XLSX = "xlsx", _("Excel workbook (XLSX)")
    JSON = "json", _("JSON (for other programs)")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportStep(models.TextChoices):
    """Where a running build is; each step has its share of the progress bar (STEP_PROGRESS)."""

    LOADING = "loading", _("Loading the responses")
    ANALYSING = "analysing", _("Analysing levels, needs and barriers")
    TABLES = "tables", _("Building the tables")
    RENDERING = "rendering", _("Writing the file")
    DONE = "done", _("Done")


STEP_PROGRESS = {
    ReportStep.LOADING: 10,
    ReportStep.ANALYSING: 40,
    ReportStep.TABLES: 70,
    ReportStep.RENDERING: 90,
    ReportStep.DONE: 100,
}


class Report(models.Model):
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="reports", verbose_name=_("round")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    # The library a library report is about; national reports have none.
    library = models.ForeignKey(
        Library,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("library"),
    )
    # National reports only: the units of the heat map and the detailed table.
    group_by = models.CharField(_("group by"), max_length=20, choices=GroupBy.choices, blank=True)
    file_format = models.CharField(_("file format"), max_length=10, choices=FileFormat.choices)
    # The language the report is written in: the one of the person who asked for it.
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=20, choices=ReportStep.choices, blank=True)
    content = models.BinaryField(_("content"), null=True, blank=True, editable=False)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    requested_by = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # Set when a worker claims the report; it is also the claim's token (see tasks.build_report).
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=ReportKind.LIBRARY) | Q(library__isnull=False, group_by=""),
                name="library_report_has_library",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ReportKind.NATIONAL)
                | Q(library__isnull=True, group_by__in=GroupBy.values),
                name="national_report_has_grouping",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReportKind.values), name="report_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(file_format__in=FileFormat.values), name="report_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="report_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.DONE)
                | Q(content__isnull=False, finished_at__isnull=False),
                name="done_report_has_content",
            ),
        ]
        indexes = [
            # The reports of a round, newest first, on its report page.
            models.Index(fields=["round", "-created_at"], name="report_round_created"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.round}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    @property
    def is_done(self) -> bool:
        return self.status == ReportStatus.DONE

    @property
    def subject(self) -> str:
        """What the report is about, for lists: the library, or the grouping of the nation."""
        if self.kind == ReportKind.LIBRARY and self.library is not None:
            return self.library.name
        return str(self.get_group_by_display())
