"""The pilot education: programmes of modules (workshops, webinars, e-learning), their sessions,
who enrols and attends, the materials and tools, the experience participants harvest, their
evaluations, and the before and after rounds that measure what the education changed.

    Programme ─┬─ Module ─┬─ Session ── Enrolment (enrolled / waiting list / cancelled; attended)
               │          ├─ competencies (of a published framework) and target groups
               │          └─ materials (shared between modules)
               ├─ before_round, after_round (confidential competence rounds) → effect
               └─ Completion (a participant who attended a session of a module), ExperienceLog,
                  Evaluation (one per enrolment)
"""

import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digikompas.frameworks.models import Competency, Framework, Titled
from digikompas.orgs.models import JobRole, Library, Person, UserGroup
from digikompas.surveys.models import Round


def _validate_choices(value, choices, *, what):
    if not isinstance(value, list):
        raise ValidationError(_("The list of %(what)s must be a list."), params={"what": what})
    for item in value:
        if item not in choices.values:
            raise ValidationError(
                _("“%(value)s” is not one of the %(what)s."),
                code="unknown_choice",
                params={"value": item, "what": what},
            )
    if len(set(value)) != len(value):
        raise ValidationError(_("A value is listed more than once."), code="repeated")


def validate_user_groups(value) -> None:
    _validate_choices(value, UserGroup, what=_("target groups"))


def validate_job_roles(value) -> None:
    _validate_choices(value, JobRole, what=_("job roles"))


class Programme(Titled):
    """A pilot education: a run of modules for a cohort, with the rounds that measure it."""

    key = models.SlugField(
        _("key"), max_length=100, unique=True, help_text=_("Short name used in commands and URLs.")
    )
    framework = models.ForeignKey(
        Framework,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("competence framework"),
        help_text=_("The published framework whose competencies the modules build."),
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    # The competence rounds (confidential, so answers pair by person) before and after.
    before_round = models.ForeignKey(
        Round,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("round before"),
    )
    after_round = models.ForeignKey(
        Round,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("round after"),
    )
    target_roles = models.JSONField(
        _("target job roles"), default=list, blank=True, validators=[validate_job_roles]
    )
    is_example = models.BooleanField(_("example data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "key"]
        verbose_name = _("pilot programme")
        verbose_name_plural = _("pilot programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="programme_ends_after_start",
                violation_error_message=_("The programme cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(title_da=""),
                name="programme_has_title",
                violation_error_message=_("The programme needs a Danish title."),
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        if self.framework_id is not None and not self.framework.is_published:
            errors["framework"] = _("Choose a published framework.")
        for name in ("before_round", "after_round"):
            round = getattr(self, name)
            if round is None:
                continue
            if not round.is_confidential:
                errors[name] = _(
                    "The round must be confidential, so that answers before and after can be "
                    "paired by person."
                )
            elif self.framework_id is not None and round.survey.framework_id != self.framework_id:
                errors[name] = _("The round must ask about the programme's framework.")
        if (
            self.before_round_id
            and self.after_round_id
            and "before_round" not in errors
            and "after_round" not in errors
        ):
            if self.before_round_id == self.after_round_id:
                errors["after_round"] = _("The rounds before and after must differ.")
            elif self.after_round.opens_at < self.before_round.closes_at:
                errors["after_round"] = _("The round after must open when the round before closed.")
        if errors:
            raise ValidationError(errors)


class ModuleFormat(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    WEBINAR = "webinar", _("Webinar")
    E_LEARNING = "e_learning", _("E-learning")


class Module(Titled):
    """One part of a programme: a workshop, a webinar or an e-learning module."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="modules", verbose_name=_("programme")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    format = models.CharField(_("format"), max_length=20, choices=ModuleFormat.choices)
    # Competencies of the programme's framework the module builds.
    competencies = models.ManyToManyField(
        Competency, blank=True, related_name="+", verbose_name=_("competencies")
    )
    # Whom the participants' dissemination is for (library users), e.g. seniors.
    target_groups = models.JSONField(
        _("target groups of users"), default=list, blank=True, validators=[validate_user_groups]
    )
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    materials = models.ManyToManyField(
        "Material", blank=True, related_name="modules", verbose_name=_("materials and tools")
    )

    class Meta:
        ordering = ["programme", "position", "pk"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_da=""),
                name="module_has_title",
                violation_error_message=_("The module needs a Danish title."),
            ),
        ]

    def __str__(self):
        return self.title


class Session(models.Model):
    """One occasion of a module: a time, a place or an online meeting, and a number of seats."""

    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("module")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    meeting_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("seats"))
    facilitator = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_sessions",
        verbose_name=_("facilitator"),
    )
    # The iCalendar UID: stable, so that a changed session replaces the one in a calendar.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Bumped on every change, the iCalendar SEQUENCE.
    sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("The session must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gt=0),
                name="session_has_seats",
                violation_error_message=_("A session needs at least one seat."),
            ),
            models.CheckConstraint(
                condition=~Q(place="", meeting_url=""),
                name="session_has_place_or_link",
                violation_error_message=_("Give the place of the session or its meeting link."),
            ),
        ]

    def __str__(self):
        return f"{self.module} – {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def is_online(self) -> bool:
        return bool(self.meeting_url)

    def has_started(self, now=None) -> bool:
        return (now or timezone.now()) >= self.starts_at


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Enrolment(models.Model):
    """A person's place in a session: enrolled, on the waiting list, or cancelled; and whether
    they attended. Changed only through pilot.enrolment, which keeps a session within its seats."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("session")
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("person")
    )
    status = models.CharField(_("status"), max_length=20, choices=EnrolmentStatus.choices)
    enrolled_by = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    created_at = models.DateTimeField(_("enrolled"), default=timezone.now)
    # Order of the waiting list: when the person joined it (the last time).
    waitlisted_at = models.DateTimeField(_("joined the waiting list"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("got a seat from the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Attendance, registered by the facilitator: None until registered.
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        ordering = ["session", "created_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                "session",
                "person",
                name="one_enrolment_per_person_and_session",
                violation_error_message=_("The person is already enrolled in this session."),
            ),
            models.CheckConstraint(
                condition=Q(attended__isnull=True) | Q(status=EnrolmentStatus.ENROLLED),
                name="only_enrolled_attend",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"], name="enrolment_session_status")]

    def __str__(self):
        return f"{self.person} – {self.session} ({self.get_status_display()})"


class Completion(models.Model):
    """A participant completed a module: they attended one of its sessions. The certificate's
    number is stable, so a downloaded certificate can be checked later."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="completions", verbose_name=_("person")
    )
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="completions", verbose_name=_("module")
    )
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed"), default=timezone.now)
    certificate_number = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["completed_at", "pk"]
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        constraints = [
            models.UniqueConstraint("person", "module", name="one_completion_per_module"),
        ]

    def __str__(self):
        return f"{self.person} – {self.module}"


class MaterialKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")


def material_path(instance, filename) -> str:
    """A random name in a folder of its own: the uploaded name is kept in `file_name` only,
    so no uploaded name ever reaches the file system."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"pilot/materials/{uuid.uuid4().hex}.{suffix}"


class Material(Titled):
    """A file or a link for participants: slides, a guide, a template, a tool. One material can
    serve several modules. Tools (is_tool) are also shown in the toolbox to every participant."""

    kind = models.CharField(_("kind"), max_length=10, choices=MaterialKind.choices)
    file = models.FileField(_("file"), upload_to=material_path, blank=True, max_length=300)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("file type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    is_tool = models.BooleanField(
        _("tool in the toolbox"),
        default=False,
        help_text=_("Shown in the toolbox to everyone taking part in a programme."),
    )
    uploaded_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["title_da", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=MaterialKind.FILE) & ~Q(file=""))
                | (Q(kind=MaterialKind.LINK) & ~Q(url="")),
                name="material_has_file_or_link",
                violation_error_message=_("A file needs its upload, a link its address."),
            ),
            models.CheckConstraint(
                condition=~Q(title_da=""),
                name="material_has_title",
                violation_error_message=_("The material needs a Danish title."),
            ),
        ]

    def __str__(self):
        return self.title


class WouldRepeat(models.TextChoices):
    YES = "yes", _("Yes")
    MAYBE = "maybe", _("Maybe, with changes")
    NO = "no", _("No")


class ExperienceLog(models.Model):
    """What a participant tried in their own library after a module: the harvested experience
    that fills the idea bank. The idea bank shows the library, never the person."""

    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="experiences", verbose_name=_("module")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experiences",
        verbose_name=_("participant"),
    )
    # The library as it was when the experience was logged.
    library = models.ForeignKey(
        Library,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("library"),
    )
    resource = models.CharField(
        _("digital resource"), max_length=200, help_text=_("E.g. eReolen, Filmstriben.")
    )
    target_group = models.CharField(_("target group"), max_length=30, choices=UserGroup.choices)
    title = models.CharField(_("headline"), max_length=200)
    what_tried = models.TextField(_("what you did"))
    what_happened = models.TextField(_("what happened"))
    lesson = models.TextField(_("what you learned"))
    would_repeat = models.CharField(
        _("would you do it again?"), max_length=10, choices=WouldRepeat.choices
    )
    tried_on = models.DateField(_("when"), null=True, blank=True)
    created_at = models.DateTimeField(_("logged"), default=timezone.now)
    # Idempotent submission: a repeated post with the same key stores one log.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("experience")
        verbose_name_plural = _("experiences")

    def __str__(self):
        return self.title


class Evaluation(models.Model):
    """A participant's short evaluation of a session they attended: one per enrolment. Shown
    only in aggregates of at least the anonymity minimum."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="evaluation", verbose_name=_("enrolment")
    )
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"))
    usefulness = models.PositiveSmallIntegerField(_("usefulness"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("given"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1, satisfaction__lte=5),
                name="evaluation_satisfaction_1_to_5",
                violation_error_message=_("Satisfaction is given from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=Q(usefulness__gte=1, usefulness__lte=5),
                name="evaluation_usefulness_1_to_5",
                violation_error_message=_("Usefulness is given from 1 to 5."),
            ),
        ]

    def __str__(self):
        return f"{self.enrolment}: {self.satisfaction}/{self.usefulness}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret address of a person's calendar feed: calendar programs cannot log in, so the
    token in the address is the key. A new token makes the old address stop working."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("person")
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.person)
