"""Education offers for library staff and leaders, and the competencies each one builds.

An offer names the competencies it covers and the level a participant reaches in each. It links
to competencies of a *published* framework version, which never changes; a competency keeps its
`identifier` across versions, so coverage can be followed to a newer version of the framework.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from digikompas.frameworks.models import Competency, Titled
from digikompas.orgs.models import JobRole, Person

# The highest level an offer can bring a participant to: the top of the default framework's
# scale (0 "no knowledge" … 4 "expert").
MAX_LEVEL_REACHED = 4


class ProviderKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    UNIVERSITY_COLLEGE = "university_college", _("University college")
    LIBRARY_ASSOCIATION = "library_association", _("Library association")
    MUNICIPALITY = "municipality", _("Municipality")
    VENDOR = "vendor", _("Vendor")
    OTHER = "other", _("Other provider")


class OfferKind(models.TextChoices):
    BASIC = "basic", _("Basic education")
    FURTHER = "further", _("Further education")
    CONTINUING = "continuing", _("Continuing education")


class OfferFormat(models.TextChoices):
    DEGREE = "degree", _("Degree programme")
    DIPLOMA_MODULE = "diploma_module", _("Diploma module")
    MASTER_MODULE = "master_module", _("Master module")
    COURSE = "course", _("Course")
    WORKSHOP = "workshop", _("Workshop")
    WEBINAR = "webinar", _("Webinar")
    E_LEARNING = "e_learning", _("E-learning")


class OfferLanguage(models.TextChoices):
    DANISH = "da", _("Danish")
    ENGLISH = "en", _("English")


# The codes below must differ from JSONField's own "invalid", which would replace the message.


def validate_job_roles(value) -> None:
    """A list of distinct JobRole values."""
    if not isinstance(value, list):
        raise ValidationError(_("The target roles must be a list."), code="not_a_list")
    for item in value:
        if item not in JobRole.values:
            raise ValidationError(
                _("“%(value)s” is not a job role."), code="unknown_job_role", params={"value": item}
            )
    if len(set(value)) != len(value):
        raise ValidationError(_("A target role is listed more than once."), code="repeated")


def validate_start_dates(value) -> None:
    """A list of distinct dates written as YYYY-MM-DD."""
    if not isinstance(value, list):
        raise ValidationError(_("The start dates must be a list."), code="not_a_list")
    for item in value:
        try:
            valid = isinstance(item, str) and datetime.date.fromisoformat(item).isoformat() == item
        except ValueError:
            valid = False
        if not valid:
            raise ValidationError(
                _("“%(value)s” is not a date written as YYYY-MM-DD."),
                code="not_a_date",
                params={"value": item},
            )
    if len(set(value)) != len(value):
        raise ValidationError(_("A start date is listed more than once."), code="repeated")


class Provider(models.Model):
    """Someone who offers education: a university, a university college, an association, …"""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=30, choices=ProviderKind.choices, default=ProviderKind.OTHER
    )
    website = models.URLField(_("website"), blank=True)
    note = models.TextField(_("note"), blank=True)
    # People with the education provider role who maintain this provider's offers.
    maintainers = models.ManyToManyField(
        Person,
        blank=True,
        related_name="maintained_providers",
        verbose_name=_("maintainers"),
        help_text=_("People with the education provider role who keep these offers up to date."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("education provider")
        verbose_name_plural = _("education providers")
        constraints = [
            # Imports find a provider by its name, whatever its case.
            models.UniqueConstraint(
                Lower("name"),
                name="provider_name_unique",
                violation_error_message=_("There is already a provider with this name."),
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="provider_has_name"),
        ]

    def __str__(self):
        return self.name


class EducationOffer(Titled):
    """One programme, module, course or webinar that builds competencies."""

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="offers", verbose_name=_("provider")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OfferKind.choices)
    format = models.CharField(_("format"), max_length=20, choices=OfferFormat.choices)
    ects = models.DecimalField(
        _("ECTS points"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)
    # Free text, e.g. "3 years full time" or "2 days".
    duration = models.CharField(_("duration"), max_length=200, blank=True)
    price_dkk = models.PositiveIntegerField(_("price (DKK)"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=OfferLanguage.choices, default=OfferLanguage.DANISH
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    target_roles = models.JSONField(
        _("target job roles"), default=list, blank=True, validators=[validate_job_roles]
    )
    start_dates = models.JSONField(
        _("start dates"), default=list, blank=True, validators=[validate_start_dates]
    )
    link = models.URLField(_("link"), max_length=500, blank=True)
    is_example = models.BooleanField(
        _("example data"),
        default=False,
        help_text=_("Example data where details (price, dates, hours) are assumed."),
    )

    class Meta:
        ordering = ["provider__name", "title_da"]
        verbose_name = _("education offer")
        verbose_name_plural = _("education offers")
        constraints = [
            # Imports find an offer by its provider and Danish title.
            models.UniqueConstraint(
                "provider",
                "title_da",
                name="offer_title_unique",
                violation_error_message=_("This provider already has an offer with this title."),
            ),
            models.CheckConstraint(
                condition=~models.Q(title_da=""),
                name="offer_has_title",
                violation_error_message=_("The offer needs a Danish title."),
            ),
            models.CheckConstraint(
                condition=models.Q(ects__isnull=True) | models.Q(ects__gte=0),
                name="offer_ects_not_negative",
                violation_error_message=_("The ECTS points cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~models.Q(place="", online=False),
                name="offer_has_place_or_online",
                violation_error_message=_("Give the place of the offer or mark it as online."),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.provider})"

    def clean(self):
        super().clean()
        if not self.title_da.strip():
            raise ValidationError({"title_da": _("The offer needs a Danish title.")})
        # Start dates in date order, so that two lists with the same dates compare equal.
        if isinstance(self.start_dates, list) and all(isinstance(d, str) for d in self.start_dates):
            self.start_dates = sorted(self.start_dates)


class OfferCompetency(models.Model):
    """A competency an offer builds, and the level a participant reaches in it."""

    offer = models.ForeignKey(
        EducationOffer,
        on_delete=models.CASCADE,
        related_name="competencies",
        verbose_name=_("offer"),
    )
    # A published framework version is never deleted while offers point at it.
    competency = models.ForeignKey(
        Competency, on_delete=models.PROTECT, related_name="+", verbose_name=_("competency")
    )
    level_reached = models.PositiveSmallIntegerField(
        _("level reached"), validators=[MaxValueValidator(MAX_LEVEL_REACHED)]
    )

    class Meta:
        ordering = ["offer", "competency"]
        verbose_name = _("competency of an offer")
        verbose_name_plural = _("competencies of offers")
        constraints = [
            models.UniqueConstraint(
                "offer",
                "competency",
                name="offer_competency_unique",
                violation_error_message=_("The offer already covers this competency."),
            ),
            models.CheckConstraint(
                condition=models.Q(level_reached__lte=MAX_LEVEL_REACHED),
                name="offer_level_in_scale",
                violation_error_message=_("The level reached must be between 0 and 4."),
            ),
        ]

    def __str__(self):
        return f"{self.offer}: {self.competency.code} {self.level_reached}"

    def clean(self):
        super().clean()
        if self.competency_id is not None and not self.competency.framework.is_published:
            raise ValidationError(
                {"competency": _("An offer can only cover competencies of a published framework.")}
            )


class RejectedSuggestion(models.Model):
    """A competency suggested for an offer from its text and turned down, so that it is not
    suggested again. Accepting a suggestion creates an OfferCompetency instead."""

    offer = models.ForeignKey(
        EducationOffer,
        on_delete=models.CASCADE,
        related_name="rejected_suggestions",
        verbose_name=_("offer"),
    )
    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="+", verbose_name=_("competency")
    )
    rejected_by = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rejected by"),
    )
    rejected_at = models.DateTimeField(_("rejected"), auto_now_add=True)

    class Meta:
        verbose_name = _("rejected suggestion")
        verbose_name_plural = _("rejected suggestions")
        constraints = [
            models.UniqueConstraint("offer", "competency", name="rejected_suggestion_unique"),
        ]

    def __str__(self):
        return f"{self.offer}: {self.competency.code}"
