"""Competence frameworks: what staff and leaders should be able to do, and at which level.

A Framework is one version of a competence description. Versions of the same framework share a
`key`; each version is a draft until it is published, and a published version never changes
(surveys and analyses point at it). A new version starts as a copy of the one before.

Domains, competencies and their level descriptors keep their `identifier` (a UUID) from version
to version, so that two versions can be compared and a competency followed across them; the
identifier is unique within one version. Every text exists in Danish and English.
"""

import uuid

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from digikompas.orgs.models import JobRole, LibraryKind

# The scale of a framework has at most this many levels (0 … MAX_LEVEL).
MAX_LEVEL = 10


class Bilingual(models.Model):
    """A model with texts in Danish (`<name>_da`) and English (`<name>_en`)."""

    class Meta:
        abstract = True

    def localized(self, name: str) -> str:
        """The text in the current language, or in the other language when it has none."""
        first, second = ("en", "da") if translation.get_language() == "en" else ("da", "en")
        return getattr(self, f"{name}_{first}") or getattr(self, f"{name}_{second}")

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def description(self) -> str:
        return self.localized("description")


class Titled(Bilingual):
    """A model with a title and a description in both languages."""

    title_da = models.CharField(_("title (Danish)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_da = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        abstract = True


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Framework(Titled):
    """One version of a competence framework."""

    identifier = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    # Shared by all versions of one framework.
    key = models.SlugField(_("key"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("based on"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["key", "-version"]
        verbose_name = _("competence framework")
        verbose_name_plural = _("competence frameworks")
        constraints = [
            models.UniqueConstraint("key", "version", name="framework_version_unique"),
            models.CheckConstraint(
                condition=models.Q(status="draft", published_at__isnull=True)
                | models.Q(status="published", published_at__isnull=False),
                name="framework_published_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.version_label})"

    @property
    def version_label(self) -> str:
        # Translators: the version of a competence framework, e.g. "version 2".
        return _("version %(number)s") % {"number": self.version}

    @property
    def is_draft(self) -> bool:
        return self.status == FrameworkStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == FrameworkStatus.PUBLISHED


class ProficiencyLevel(Bilingual):
    """One step of a framework's proficiency scale; the scale is the framework's levels in order."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="levels", verbose_name=_("framework")
    )
    value = models.PositiveSmallIntegerField(_("value"), validators=[MaxValueValidator(MAX_LEVEL)])
    label_da = models.CharField(_("label (Danish)"), max_length=100, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=100, blank=True)
    description_da = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        ordering = ["framework", "value"]
        verbose_name = _("proficiency level")
        verbose_name_plural = _("proficiency levels")
        constraints = [
            models.UniqueConstraint("framework", "value", name="level_value_unique"),
        ]

    def __str__(self):
        return f"{self.value} {self.label}"

    @property
    def label(self) -> str:
        return self.localized("label")


class Domain(Titled):
    """A group of related competencies, e.g. "Dissemination of digital resources"."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="domains", verbose_name=_("framework")
    )
    identifier = models.UUIDField(_("identifier"), default=uuid.uuid4, editable=False)
    code = models.CharField(_("code"), max_length=50)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["framework", "position", "code"]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        constraints = [
            models.UniqueConstraint("framework", "identifier", name="domain_identifier_unique"),
            models.UniqueConstraint("framework", "code", name="domain_code_unique"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class Competency(Titled):
    """Something a person can do, rated on the framework's scale."""

    domain = models.ForeignKey(
        Domain, on_delete=models.CASCADE, related_name="competencies", verbose_name=_("domain")
    )
    # Denormalised from the domain so that codes and identifiers are unique per framework.
    framework = models.ForeignKey(
        Framework,
        on_delete=models.CASCADE,
        related_name="competencies",
        verbose_name=_("framework"),
    )
    identifier = models.UUIDField(_("identifier"), default=uuid.uuid4, editable=False)
    code = models.CharField(_("code"), max_length=50)
    position = models.PositiveIntegerField(_("position"), default=0)
    keywords_da = models.JSONField(_("keywords (Danish)"), default=list, blank=True)
    keywords_en = models.JSONField(_("keywords (English)"), default=list, blank=True)

    class Meta:
        ordering = ["framework", "domain__position", "position", "code"]
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        constraints = [
            models.UniqueConstraint("framework", "identifier", name="competency_identifier_unique"),
            models.UniqueConstraint("framework", "code", name="competency_code_unique"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def keywords(self) -> list[str]:
        return self.localized("keywords")


class Descriptor(Bilingual):
    """What a person at one level of the scale does in one competency."""

    competency = models.ForeignKey(
        Competency,
        on_delete=models.CASCADE,
        related_name="descriptors",
        verbose_name=_("competency"),
    )
    level = models.PositiveSmallIntegerField(_("level"), validators=[MaxValueValidator(MAX_LEVEL)])
    text_da = models.TextField(_("text (Danish)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)

    class Meta:
        ordering = ["competency", "level"]
        verbose_name = _("level descriptor")
        verbose_name_plural = _("level descriptors")
        constraints = [
            models.UniqueConstraint("competency", "level", name="descriptor_level_unique"),
        ]

    def __str__(self):
        return f"{self.competency.code} {self.level}"

    @property
    def text(self) -> str:
        return self.localized("text")


def choose_profile(profiles, job_role: str, library_kind: str):
    """Of `profiles` keyed by (job role, library kind), the competence need of a job role in a
    kind of library: the profile for that kind wins over the one for every kind ("")."""
    return profiles.get((job_role, library_kind)) or profiles.get((job_role, ""))


class TargetProfile(Bilingual):
    """A competence need: the level a job role (in a kind of library) needs per competency."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="profiles", verbose_name=_("framework")
    )
    job_role = models.CharField(_("job role"), max_length=30, choices=JobRole.choices)
    # Empty: the profile applies in every kind of library.
    library_kind = models.CharField(
        _("kind of library"), max_length=20, choices=LibraryKind.choices, blank=True
    )
    note_da = models.TextField(_("note (Danish)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)

    class Meta:
        ordering = ["framework", "job_role", "library_kind"]
        verbose_name = _("target profile")
        verbose_name_plural = _("target profiles")
        constraints = [
            models.UniqueConstraint(
                "framework", "job_role", "library_kind", name="profile_role_kind_unique"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        if self.library_kind:
            return f"{self.get_job_role_display()} ({self.get_library_kind_display()})"
        return str(self.get_job_role_display())

    @property
    def note(self) -> str:
        return self.localized("note")


class TargetLevel(models.Model):
    """The level a target profile requires in one competency."""

    profile = models.ForeignKey(
        TargetProfile, on_delete=models.CASCADE, related_name="targets", verbose_name=_("profile")
    )
    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="targets", verbose_name=_("competency")
    )
    level = models.PositiveSmallIntegerField(
        _("required level"), validators=[MaxValueValidator(MAX_LEVEL)]
    )

    class Meta:
        ordering = ["profile", "competency"]
        verbose_name = _("required level")
        verbose_name_plural = _("required levels")
        constraints = [
            models.UniqueConstraint("profile", "competency", name="target_competency_unique"),
        ]

    def __str__(self):
        return f"{self.profile} {self.competency.code}: {self.level}"
