"""The experience participants harvest and their evaluations: logging an experience (once per
submitted form), the idea bank (what everyone may read, and coordinators and analysts export),
giving an evaluation, and the anonymity-cleared summary of a module's evaluations.

The idea bank and its export name the library and municipality of an experience, never the
person. Evaluations are only ever shown as aggregates of at least settings.ANONYMITY_MINIMUM
evaluations, with complementary suppression (see `suppress`).
"""

from __future__ import annotations

import csv
import datetime
import io
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from digikompas.orgs.access import Actor
from digikompas.orgs.models import Person
from digikompas.spreadsheets import put

from .models import (
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    ExperienceLog,
    Module,
    Session,
)

# Suggestions for the resource field: the national digital resources of the Danish libraries.
COMMON_RESOURCES = (
    "eReolen",
    "eReolen Go!",
    "eReolen Global",
    "Filmstriben",
    "Infomedia",
    "Faktalink",
    "Forfatterweb",
    "Litteratursiden",
    "bibliotek.dk",
    "Mediestream",
    "PressReader",
    "Danskernes Historie Online",
    "Ordbogen.com",
)
EXPORT_FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCORES = (1, 2, 3, 4, 5)


class HarvestError(Exception):
    """Why an experience or an evaluation cannot be stored, in words for the user."""


# -- experiences --------------------------------------------------------------------------------


EXPERIENCE_FIELDS = (
    "resource",
    "target_group",
    "title",
    "what_tried",
    "what_happened",
    "lesson",
    "would_repeat",
    "tried_on",
)


def log_experience(
    *, module: Module, person: Person, values: Mapping, submission_key: uuid.UUID
) -> tuple[ExperienceLog, bool]:
    """Store the person's experience from the module, with their library as it is now; and
    whether it was stored now (False: a form with this submission key was stored before, e.g. a
    double click or a reload of the posted page, and that log is returned unchanged)."""
    existing = ExperienceLog.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return _same_sender(existing, person), False
    log = ExperienceLog(
        module=module,
        person=person,
        library_id=person.library_id,
        submission_key=submission_key,
        **{name: values[name] for name in EXPERIENCE_FIELDS},
    )
    log.full_clean(validate_unique=False)
    try:
        # A savepoint: the unique key refuses the second of two posts racing past the check
        # above, and the transaction of the request must stay usable to read the first.
        with transaction.atomic():
            log.save()
    except IntegrityError:
        existing = ExperienceLog.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return _same_sender(existing, person), False
    return log, True


def _same_sender(log: ExperienceLog, person: Person) -> ExperienceLog:
    if log.person_id != person.pk:
        # Keys are made by the server for one form; another person's key is not a repeat.
        raise HarvestError(_("This form has already been used. Open the form again."))
    return log


def own_experiences(actor: Actor) -> QuerySet[ExperienceLog]:
    if actor.person is None:
        return ExperienceLog.objects.none()
    return ExperienceLog.objects.filter(person=actor.person).select_related("module__programme")


def get_own_experience(actor: Actor, pk: int) -> ExperienceLog:
    """An experience the actor logged themselves (404 for anyone else's)."""
    try:
        return own_experiences(actor).get(pk=pk)
    except ExperienceLog.DoesNotExist:
        raise Http404 from None


# -- the idea bank ------------------------------------------------------------------------------


def ideas() -> QuerySet[ExperienceLog]:
    """Every experience, with what the idea bank shows of it (never the person)."""
    return ExperienceLog.objects.select_related("library__municipality", "module__programme")


def filter_ideas(logs: QuerySet[ExperienceLog], data: Mapping) -> QuerySet[ExperienceLog]:
    """The logs matching the idea bank's filters (IdeaFilterForm.cleaned_data): every word of
    the search somewhere in the headline, the texts or the resource."""
    for word in (data.get("q") or "").split():
        logs = logs.filter(
            Q(title__icontains=word)
            | Q(what_tried__icontains=word)
            | Q(what_happened__icontains=word)
            | Q(lesson__icontains=word)
            | Q(resource__icontains=word)
        )
    if data.get("resource"):
        logs = logs.filter(resource__iexact=data["resource"])
    if data.get("target_group"):
        logs = logs.filter(target_group=data["target_group"])
    if data.get("module"):
        logs = logs.filter(module=data["module"])
    if data.get("would_repeat"):
        logs = logs.filter(would_repeat=data["would_repeat"])
    if data.get("municipality"):
        logs = logs.filter(library__municipality=data["municipality"])
    return logs


def resources_in_use() -> list[str]:
    """The resources named in the idea bank, each once whatever its capitals, alphabetically."""
    names: dict[str, str] = {}
    # order_by() drops the model's ordering, whose columns would make every row distinct.
    for name in ExperienceLog.objects.order_by().values_list("resource", flat=True).distinct():
        names.setdefault(name.casefold(), name)
    return sorted(names.values(), key=str.casefold)


def _export_rows(logs: Iterable[ExperienceLog]) -> list[list]:
    rows: list[list] = [
        [
            _("Logged"),
            _("Programme"),
            _("Module"),
            _("Library"),
            _("Municipality"),
            _("Digital resource"),
            _("Target group"),
            _("Headline"),
            _("What they did"),
            _("What happened"),
            _("What they learned"),
            _("Would do it again"),
            _("When"),
        ]
    ]
    for log in logs:
        library = log.library
        rows.append(
            [
                timezone.localdate(log.created_at),
                log.module.programme.title,
                log.module.title,
                library.name if library else "",
                library.municipality.name if library else "",
                log.resource,
                log.get_target_group_display(),
                log.title,
                log.what_tried,
                log.what_happened,
                log.lesson,
                log.get_would_repeat_display(),
                log.tried_on,
            ]
        )
    return rows


def export_ideas(*, logs: QuerySet[ExperienceLog], file_format: str) -> tuple[bytes, str, str]:
    """The logs as a CSV file or an Excel workbook: its bytes, file name and content type.
    Written in the active language; no person's name or address is in it."""
    rows = _export_rows(logs.select_related("library__municipality", "module__programme"))
    name = f"idea-bank-{timezone.localdate().isoformat()}"
    if file_format == "xlsx":
        return _workbook(rows), f"{name}.xlsx", XLSX_TYPE
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    # The byte order mark makes Excel read the file as UTF-8 (æ, ø, å).
    return text.getvalue().encode("utf-8-sig"), f"{name}.csv", "text/csv; charset=utf-8"


# A spreadsheet program opening the CSV file runs a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    # Participants write these texts: a leading apostrophe keeps "=HYPERLINK(…)" a text.
    return "'" + text if text.startswith(_FORMULA_START) else text


def _workbook(rows: list[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Idea bank")[:31]
    sheet.freeze_panes = "A2"
    alignment = Alignment(vertical="top", wrap_text=True)
    for number, row in enumerate(rows, start=1):
        for index, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            cell = sheet.cell(number, index)
            put(cell, value)
            if not isinstance(value, str):
                cell.number_format = "yyyy-mm-dd"
            if number == 1:
                cell.font = Font(bold=True)
            else:
                cell.alignment = alignment
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# -- evaluations --------------------------------------------------------------------------------


def evaluation_refusal(enrolment: Enrolment, *, now: datetime.datetime | None = None) -> str | None:
    """Why the enrolment's person cannot evaluate its session (yet), or None when they can."""
    now = now or timezone.now()
    if enrolment.status != EnrolmentStatus.ENROLLED or enrolment.attended is not True:
        return _("Only participants registered as having attended the session can evaluate it.")
    if enrolment.session.ends_at > now:
        return _("The session can be evaluated when it has ended.")
    return None


def give_evaluation(
    *, enrolment: Enrolment, satisfaction: int, usefulness: int, comment: str
) -> tuple[Evaluation, bool]:
    """Store the evaluation of an attended, ended session; and whether it was stored now.

    An evaluation cannot be changed once given (False and the first one are returned): the
    summary shows aggregates, and an aggregate that changes when one person edits their answer
    would show that answer to whoever compares the summary before and after."""
    refusal = evaluation_refusal(enrolment)
    if refusal:
        raise HarvestError(refusal)
    existing = Evaluation.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        return existing, False
    evaluation = Evaluation(
        enrolment=enrolment, satisfaction=satisfaction, usefulness=usefulness, comment=comment
    )
    evaluation.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            evaluation.save()
    except IntegrityError:
        # Two posts at once: the one-to-one kept the first.
        return Evaluation.objects.get(enrolment=enrolment), False
    return evaluation, True


def suppress(counts: Mapping, *, minimum: int) -> tuple[set, bool]:
    """Which groups (keys of `counts`, their numbers of evaluations) may be shown, and whether
    their total may, so that no group of fewer than `minimum` can be read or worked out.

    A group with fewer than `minimum` is hidden (primary suppression). The total less the shown
    groups is what the hidden groups hold together; if that remainder is more than nothing but
    fewer than `minimum` (one small group hidden, or several that are small together), the total
    would give it away. Then the smallest shown group is hidden too (complementary suppression):
    having at least `minimum` itself, it makes the remainder at least `minimum`, and the total
    stays shown. Groups with no evaluations hold nothing to protect."""
    total = sum(counts.values())
    shown = {key for key, count in counts.items() if count >= minimum}
    total_shown = total >= minimum
    remainder = total - sum(counts[key] for key in shown)
    if total_shown and 0 < remainder < minimum and shown:
        # The smallest first; among equals, the first given (sessions come in time order).
        order = list(counts)
        shown.discard(min(shown, key=lambda key: (counts[key], order.index(key))))
    return shown, total_shown


@dataclass
class Scale:
    """One question's answers in a group: the mean and how many gave each score."""

    mean: float
    distribution: list[tuple[int, int]]


@dataclass
class Group:
    """The evaluations of a session or of the whole module. `shown` False: fewer than the
    minimum (or hidden so that a smaller group cannot be worked out); nothing else is filled."""

    count: int
    shown: bool
    satisfaction: Scale | None = None
    usefulness: Scale | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[int, int, int]]:
        """Per score: how many gave it for satisfaction and for usefulness."""
        if not self.shown:
            return []
        return [
            (score, satisfaction, usefulness)
            for (score, satisfaction), (_score, usefulness) in zip(
                self.satisfaction.distribution, self.usefulness.distribution, strict=True
            )
        ]


@dataclass
class Summary:
    minimum: int
    sessions: list[tuple[Session, Group]]
    total: Group


def _scale(values: list[int]) -> Scale:
    return Scale(
        mean=round(sum(values) / len(values), 1),
        distribution=[(score, values.count(score)) for score in SCORES],
    )


def _group(evaluations: list[Evaluation], *, shown: bool) -> Group:
    if not shown or not evaluations:
        return Group(count=len(evaluations), shown=False)
    # Alphabetical, not in the order given: the order of answers could point to who gave them.
    comments = sorted(
        (e.comment.strip() for e in evaluations if e.comment.strip()), key=str.casefold
    )
    return Group(
        count=len(evaluations),
        shown=True,
        satisfaction=_scale([e.satisfaction for e in evaluations]),
        usefulness=_scale([e.usefulness for e in evaluations]),
        comments=comments,
    )


def summarise(
    module: Module, *, minimum: int, sessions: Iterable[Session] | None = None
) -> Summary:
    """The module's evaluations per session and in total, cleared for anonymity. `sessions`
    limits the sessions listed (a facilitator's own); what is shown is decided over all of the
    module's sessions, so a part of the summary is as safe as the whole."""
    all_sessions = list(module.sessions.order_by("starts_at", "pk"))
    by_session: dict[int, list[Evaluation]] = {s.pk: [] for s in all_sessions}
    for evaluation in Evaluation.objects.filter(enrolment__session__module=module).select_related(
        "enrolment"
    ):
        by_session[evaluation.enrolment.session_id].append(evaluation)
    shown, total_shown = suppress(
        {pk: len(items) for pk, items in by_session.items()}, minimum=minimum
    )
    if sessions is None:
        listed = all_sessions
    else:
        wanted = {s.pk for s in sessions}
        listed = [s for s in all_sessions if s.pk in wanted]
    everything = [e for items in by_session.values() for e in items]
    return Summary(
        minimum=minimum,
        sessions=[(s, _group(by_session[s.pk], shown=s.pk in shown)) for s in listed],
        total=_group(everything, shown=total_shown),
    )
