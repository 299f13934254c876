"""Surveys, the rounds they are sent in, invitations and responses.

A Survey is a questionnaire: Sections of Items. A Round sends a survey to a population (job roles,
municipalities, libraries) between two dates, in one of two anonymity modes:

- anonymous: a Response keeps no link to a person or an invitation; the invitation only records
  *that* its person answered (so reminders skip them), not *what*.
- confidential: a Response is linked to its invitation and person, so the person can see their
  own profile and a later round can pair before and after; others only ever see aggregates.

Every response keeps the person's unit and job role as they were when it was submitted (the
grouping keys of the analysis), so later moves do not rewrite history.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from digikompas.frameworks.models import Bilingual, Competency, Framework
from digikompas.orgs.models import JobRole, Library, Municipality, Person, Region

# The agreement scale of barrier items: 1 = strongly disagree … 5 = strongly agree.
AGREEMENT_SCALE = (
    (1, _("Strongly disagree")),
    (2, _("Disagree")),
    (3, _("Neither agree nor disagree")),
    (4, _("Agree")),
    (5, _("Strongly agree")),
)
# A respondent agrees with a barrier statement at 4 or 5.
AGREES_FROM = 4


class BarrierKind(models.TextChoices):
    LEADERSHIP = "leadership", _("Leadership")
    STRUCTURAL = "structural", _("Structural")


class BarrierCategory(Bilingual):
    """What keeps digital resources from being used, e.g. time, budget, licence terms."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=BarrierKind.choices)
    position = models.PositiveIntegerField(_("position"), default=0)
    title_da = models.CharField(_("title (Danish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_da = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        ordering = ["kind", "position", "code"]
        verbose_name = _("barrier category")
        verbose_name_plural = _("barrier categories")

    def __str__(self):
        return self.title


class Purpose(models.TextChoices):
    COMPETENCE = "competence", _("Competence survey")
    BARRIERS = "barriers", _("Barrier survey")
    LEADERSHIP = "leadership", _("Digital leadership self-assessment")
    EVALUATION = "evaluation", _("Evaluation")
    OTHER = "other", pgettext_lazy("survey purpose", "Other")


class Survey(Bilingual):
    key = models.SlugField(_("key"), max_length=100, unique=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    # The framework whose competencies and scale the competency items use.
    framework = models.ForeignKey(
        Framework,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("competence framework"),
    )
    title_da = models.CharField(_("title (Danish)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    intro_da = models.TextField(_("introduction (Danish)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["title_da"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self):
        return self.title

    @property
    def intro(self) -> str:
        return self.localized("intro")


class Section(Bilingual):
    """One page of a survey."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="sections", verbose_name=_("survey")
    )
    position = models.PositiveIntegerField(_("position"))
    title_da = models.CharField(_("title (Danish)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    intro_da = models.TextField(_("introduction (Danish)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    class Meta:
        ordering = ["survey", "position"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint("survey", "position", name="section_position_unique"),
        ]

    def __str__(self):
        return self.title

    @property
    def intro(self) -> str:
        return self.localized("intro")


class ItemKind(models.TextChoices):
    COMPETENCY = "competency", _("Competency self-rating")
    AGREEMENT = "agreement", _("Agreement scale")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Free text")


class Item(Bilingual):
    """A question. Its answer is stored by kind: a level (competency), a point on the agreement
    scale, a choice value or values, a number or a text."""

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="items", verbose_name=_("section")
    )
    # Denormalised so that codes are unique per survey and answers are found without the section.
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="items", verbose_name=_("survey")
    )
    position = models.PositiveIntegerField(_("position"))
    # Stable within the survey: imports and exports name items by it.
    code = models.SlugField(_("code"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    text_da = models.TextField(_("question (Danish)"))
    text_en = models.TextField(_("question (English)"))
    help_da = models.TextField(_("help (Danish)"), blank=True)
    help_en = models.TextField(_("help (English)"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    competency = models.ForeignKey(
        Competency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_items",
        verbose_name=_("competency"),
    )
    barrier = models.ForeignKey(
        BarrierCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("barrier category"),
    )
    # Choice items: [{"value": "ereolen", "da": "eReolen", "en": "eReolen"}, …]
    options = models.JSONField(_("options"), default=list, blank=True)
    minimum = models.IntegerField(_("smallest number"), null=True, blank=True)
    maximum = models.IntegerField(_("largest number"), null=True, blank=True)
    # Shown only when the answer to an earlier item is one of these values.
    show_if_item = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependants",
        verbose_name=_("show only if the answer to"),
    )
    show_if_values = models.JSONField(_("is one of"), default=list, blank=True)

    class Meta:
        ordering = ["survey", "section__position", "position"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint("survey", "code", name="item_code_unique"),
            models.UniqueConstraint("section", "position", name="item_position_unique"),
            models.CheckConstraint(
                condition=~Q(kind="competency") | Q(competency__isnull=False),
                name="competency_item_has_competency",
            ),
            models.CheckConstraint(
                condition=~Q(kind="agreement") | Q(barrier__isnull=False),
                name="agreement_item_has_barrier",
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def text(self) -> str:
        return self.localized("text")

    @property
    def help(self) -> str:
        return self.localized("help")

    def option_label(self, value: str) -> str:
        for option in self.options:
            if option["value"] == value:
                return option.get(translation_language()) or option.get("da") or value
        return value

    def is_shown(self, answers: dict) -> bool:
        """Whether the item is asked, given the answers so far (code → value)."""
        if self.show_if_item_id is None:
            return True
        given = answers.get(self.show_if_item.code)
        if isinstance(given, list):
            return any(str(v) in self.show_if_values for v in given)
        return given is not None and str(given) in self.show_if_values


def translation_language() -> str:
    from django.utils import translation

    return "en" if translation.get_language() == "en" else "da"


class AnonymityMode(models.TextChoices):
    ANONYMOUS = "anonymous", _("Anonymous")
    CONFIDENTIAL = "confidential", _("Confidential")


class Round(models.Model):
    """A survey sent to a population between two dates."""

    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("survey")
    )
    title = models.CharField(_("title"), max_length=200)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    anonymity = models.CharField(
        _("anonymity"),
        max_length=20,
        choices=AnonymityMode.choices,
        default=AnonymityMode.CONFIDENTIAL,
    )
    # The population; an empty list means "all".
    job_roles = models.JSONField(_("job roles"), default=list, blank=True)
    municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="+", verbose_name=_("municipalities")
    )
    libraries = models.ManyToManyField(
        Library, blank=True, related_name="+", verbose_name=_("libraries")
    )
    # A later round of the same survey can be the "after" of this "before".
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_by",
        verbose_name=_("follows the round"),
    )
    created_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Retention (privacy.retention): months after closing that answers stay linked to people;
    # None keeps them until the round is deleted.
    retention_months = models.PositiveSmallIntegerField(
        _("keep personal data for (months)"), null=True, blank=True
    )
    # When the clean-up removed the round's invitations and the people from its responses.
    personal_data_removed_at = models.DateTimeField(
        _("personal data removed"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="round_closes_after_opening"
            ),
        ]

    def __str__(self):
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    @property
    def is_closed(self) -> bool:
        return timezone.now() >= self.closes_at

    @property
    def is_confidential(self) -> bool:
        return self.anonymity == AnonymityMode.CONFIDENTIAL


def new_token() -> str:
    # 32 bytes of randomness: the link is the only key to the questionnaire.
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """A person's personal link to a round. Holds the answers saved so far until submission."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("round")
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("person")
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    # Answers saved page by page (item code → value), cleared when the response is submitted.
    draft = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint("round", "person", name="one_invitation_per_person"),
        ]
        indexes = [
            # Reminders and response rates: the unanswered invitations of a round.
            models.Index(fields=["round", "responded_at"], name="invitation_round_answered"),
        ]

    def __str__(self):
        return f"{self.round} – {self.person}"


class Response(models.Model):
    """A submitted questionnaire. Anonymous rounds keep no invitation or person here."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="responses", verbose_name=_("round")
    )
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response",
        verbose_name=_("invitation"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("person"),
    )
    # The grouping keys of the analysis, as they were at submission.
    library = models.ForeignKey(
        Library, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    job_role = models.CharField(_("job role"), max_length=30, choices=JobRole.choices, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    # Responses imported from another tool: the file's key for the row, so that importing the
    # same file twice does not double it.
    import_key = models.CharField(max_length=200, blank=True)
    # The scale answers (competency and agreement items) packed for the analysis: see scores.py.
    scores = models.BinaryField(default=b"", editable=False)

    class Meta:
        ordering = ["round", "submitted_at"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                "round",
                "import_key",
                condition=~Q(import_key=""),
                name="one_response_per_import_key",
            ),
        ]
        indexes = [
            # Response counts per unit of a round.
            models.Index(fields=["round", "municipality", "library"], name="response_round_unit"),
        ]

    def __str__(self):
        return f"{self.round} #{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item")
    )
    # Levels, agreement points and numbers.
    number = models.IntegerField(_("number"), null=True, blank=True)
    # Single choice value or free text.
    text = models.TextField(_("text"), blank=True)
    # Multiple choice values.
    choices = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint("response", "item", name="one_answer_per_item"),
        ]

    def __str__(self):
        return f"{self.response} {self.item.code}"
