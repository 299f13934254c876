"""The digital leadership toolkit: the digital resources libraries offer, the licences that pay
for them, their usage month by month, the selection of resources on evidence, the resource
collaborations of municipalities that share licences, the dissemination plan, and the local
strategy that anchors it all.

    DigitalResource ─┬─ Licence (held by a municipality or a collaboration; a pricing model)
                     │     └─ Invoice → each member's share (collaborations, leadership.costsplit)
                     ├─ UsageRecord (resource × municipality × month × metric) ← UsageImport
                     ├─ UsageNote (quota or catalogue changes beside the figures)
                     └─ Campaign (dissemination plan) ── Activity
    Collaboration ── Membership (municipality, from, to, custom share)
    SelectionScenario (weights of the selection criteria, per municipality)
    StrategyGoal ── Indicator (target; linked resources, campaigns, competencies) ── Measurement

Amounts are Decimal kroner with two places (øre); usage counts are whole numbers; a month is the
first day of the month.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import ExtractDay, Lower
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digikompas.frameworks.models import Competency
from digikompas.orgs.models import Library, Municipality, Person, UserGroup

ZERO = Decimal("0.00")


def money(**more):
    """A DKK amount to the øre."""
    return models.DecimalField(max_digits=14, decimal_places=2, **more)


def validate_user_groups(value) -> None:
    if not isinstance(value, list) or any(item not in UserGroup.values for item in value):
        raise ValidationError(_("Choose target groups from the list."), code="unknown_choice")
    if len(set(value)) != len(value):
        raise ValidationError(_("A target group is listed more than once."), code="repeated")


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


class ResourceType(models.TextChoices):
    E_BOOKS = "e_books", _("E-books")
    AUDIOBOOKS = "audiobooks", _("Audiobooks")
    FILM = "film", _("Film")
    MUSIC = "music", _("Music")
    NEWS = "news", _("News and magazines")
    REFERENCE = "reference", _("Reference")
    GENEALOGY = "genealogy", _("Genealogy and local history")
    LEARNING = "learning", _("Learning")
    ARTICLES = "articles", _("Articles and journals")
    OTHER = "other", _("Other")


class DigitalResource(models.Model):
    """A digital resource libraries offer their users, e.g. eReolen or Filmstriben."""

    name = models.CharField(_("name"), max_length=200)
    vendor = models.CharField(_("vendor"), max_length=200, blank=True)
    type = models.CharField(_("type"), max_length=20, choices=ResourceType.choices)
    target_groups = models.JSONField(
        _("target groups"), default=list, blank=True, validators=[validate_user_groups]
    )
    # The Platform (R5) or Platform column (R4) of its COUNTER reports; usage files are matched
    # to the resource by it, whatever its case.
    counter_platform = models.CharField(_("COUNTER platform"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    description_da = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    # Whether staff can reach it without a login at the library only, etc.
    accessible = models.BooleanField(
        _("meets accessibility requirements"),
        null=True,
        blank=True,
        help_text=_("Whether the vendor documents WCAG 2.1 AA; empty when unknown."),
    )
    is_example = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("digital resource")
        verbose_name_plural = _("digital resources")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="resource_name_unique",
                violation_error_message=_("There is already a resource with this name."),
            ),
        ]

    def __str__(self):
        return self.name


class Collaboration(models.Model):
    """A resource collaboration (ressourcesamarbejde): municipalities sharing licences."""

    class SplitRule(models.TextChoices):
        EQUAL = "equal", _("Equal shares")
        POPULATION = "population", _("By population")
        USAGE = "usage", _("By usage")
        CUSTOM = "custom", _("Agreed shares")

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    split_rule = models.CharField(
        _("how invoices are split"),
        max_length=20,
        choices=SplitRule.choices,
        default=SplitRule.POPULATION,
    )
    # For usage splits: the metric whose counts set the shares, e.g. "loans".
    usage_metric = models.CharField(_("usage metric for splitting"), max_length=100, blank=True)
    coordinator = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coordinating municipality"),
    )
    is_example = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("resource collaboration")
        verbose_name_plural = _("resource collaborations")

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A municipality's membership of a collaboration over a period (open-ended when `left_on`
    is empty). Custom shares are weights; they need not sum to anything."""

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="memberships"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="collaboration_memberships"
    )
    joined_on = models.DateField(_("joined"))
    left_on = models.DateField(_("left"), null=True, blank=True)
    share = models.DecimalField(
        _("agreed share"),
        max_digits=9,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )

    class Meta:
        ordering = ["collaboration", "municipality__name", "joined_on"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_left_after_joining",
                violation_error_message=_("A member cannot leave before it joined."),
            ),
        ]

    def __str__(self):
        return f"{self.municipality} – {self.collaboration}"

    def active_on(self, day: datetime.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


class PricingModel(models.TextChoices):
    FIXED = "fixed", _("Fixed fee")
    PER_INHABITANT = "per_inhabitant", _("Per inhabitant, by population band")
    BASE_PLUS_USE = "base_plus_use", _("Base fee plus a price per use")
    PER_LOAN = "per_loan", _("Price per loan, with a monthly loan quota per borrower")


class RenewalDecision(models.TextChoices):
    UNDECIDED = "undecided", _("Not decided")
    RENEW = "renew", _("Renew")
    RENEGOTIATE = "renegotiate", _("Renegotiate")
    CANCEL = "cancel", _("Cancel")


class Licence(models.Model):
    """The right to offer a resource for a period, held by a municipality or a collaboration,
    priced by one of the Danish pricing models. A licence year need not be a calendar year
    (e.g. November–October).

    Pricing fields by model (leadership.pricing computes the cost):
    - fixed: `fixed_fee`;
    - per_inhabitant: `bands`, a list of {"from": inhabitants, "price": kroner per inhabitant}
      (the band whose "from" is the largest not above the population applies to all inhabitants);
    - base_plus_use: `base_fee` (or `bands` of {"from", "fee"} when the base fee depends on the
      population) plus `price_per_use` × uses of `usage_metric`;
    - per_loan: `price_per_loan` × loans (`usage_metric`), with `monthly_quota` loans per
      borrower a month (a term, shown beside the cost; the quota limits the loans, not the price).
    """

    resource = models.ForeignKey(DigitalResource, on_delete=models.PROTECT, related_name="licences")
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="licences",
        verbose_name=_("municipality"),
    )
    collaboration = models.ForeignKey(
        Collaboration,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="licences",
        verbose_name=_("collaboration"),
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    pricing_model = models.CharField(
        _("pricing model"), max_length=20, choices=PricingModel.choices
    )
    fixed_fee = money(verbose_name=_("fixed fee (DKK)"), null=True, blank=True)
    base_fee = money(verbose_name=_("base fee (DKK)"), null=True, blank=True)
    bands = models.JSONField(_("population bands"), default=list, blank=True)
    price_per_use = money(verbose_name=_("price per use (DKK)"), null=True, blank=True)
    price_per_loan = money(verbose_name=_("price per loan (DKK)"), null=True, blank=True)
    monthly_quota = models.PositiveIntegerField(
        _("loans per borrower a month"), null=True, blank=True
    )
    usage_metric = models.CharField(
        _("usage metric priced"),
        max_length=100,
        blank=True,
        help_text=_("The metric the price per use or loan applies to, e.g. loans."),
    )
    # Typed terms, e.g. {"concurrent_users": 3, "on_site_only": true, "remote_access": false}.
    terms = models.JSONField(_("terms"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    renewal_decision = models.CharField(
        _("renewal decision"),
        max_length=20,
        choices=RenewalDecision.choices,
        default=RenewalDecision.UNDECIDED,
    )
    renewal_reason = models.TextField(_("reason for the decision"), blank=True)
    is_example = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["resource__name", "-starts_on"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        constraints = [
            models.CheckConstraint(
                condition=(Q(municipality__isnull=False) & Q(collaboration__isnull=True))
                | (Q(municipality__isnull=True) & Q(collaboration__isnull=False)),
                name="licence_has_one_holder",
                violation_error_message=_(
                    "A licence is held by either a municipality or a collaboration."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="licence_ends_after_start",
                violation_error_message=_("The licence must end after it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.resource} ({self.holder}, {self.starts_on:%Y-%m}–{self.ends_on:%Y-%m})"

    @property
    def holder(self):
        return self.municipality or self.collaboration


class Invoice(models.Model):
    """An invoice for a licence; for a collaboration's licence it is split between the members
    (leadership.costsplit), exact to the øre."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="invoices")
    issued_on = models.DateField(_("invoice date"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    amount = money(verbose_name=_("amount (DKK)"), validators=[MinValueValidator(ZERO)])
    reference = models.CharField(_("invoice number"), max_length=100, blank=True)

    class Meta:
        ordering = ["-issued_on", "pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="invoice_period_in_order",
                violation_error_message=_("The period must end after it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.licence}: {self.amount} kr."


class InvoiceShare(models.Model):
    """A member's share of a collaboration's invoice, stored when the invoice is split so that
    a later change of membership does not change an invoice already split."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="shares")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    amount = money(verbose_name=_("share (DKK)"))
    basis = models.CharField(_("basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["invoice", "municipality__name"]
        constraints = [
            models.UniqueConstraint("invoice", "municipality", name="one_share_per_member"),
        ]

    def __str__(self):
        return f"{self.municipality}: {self.amount} kr."


class UsageImport(models.Model):
    """One imported usage file or SUSHI harvest: what was read and what it replaced."""

    class Source(models.TextChoices):
        FILE = "file", _("File")
        SUSHI = "sushi", _("SUSHI harvest")

    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FILE)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    # E.g. "COUNTER 5.1 PR", "COUNTER 4 JR1", "monthly counts".
    report = models.CharField(_("report"), max_length=100)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("holder")
    )
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    records = models.PositiveIntegerField(_("figures stored"), default=0)
    replaced = models.PositiveIntegerField(_("figures replaced"), default=0)
    # COUNTER exceptions reported by the file or the SUSHI server, as [{"code", "message", ...}].
    exceptions = models.JSONField(_("COUNTER exceptions"), default=list, blank=True)
    imported_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("usage import")
        verbose_name_plural = _("usage imports")

    def __str__(self):
        return f"{self.report} ({self.municipality}, {self.imported_at:%Y-%m-%d})"


class DayOfMonth(ExtractDay):
    """A date's day of the month, as a CHECK constraint reads it cheaply. On SQLite Django's
    ExtractDay calls a Python function for every row written (about 45 µs of the 12 figures of
    bench/counter_import.py's JR1); this reads the day from the ISO text SQLite keeps
    ("2026-11-01"). Elsewhere it is ExtractDay."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"CAST(substr({sql}, 9, 2) AS integer)", params


class UsageRecord(models.Model):
    """How often a resource was used in a municipality in a month, by one metric (e.g.
    Total_Item_Requests, Unique_Title_Requests, loans). One row per resource, municipality,
    month and metric: importing a month again replaces it."""

    # No index of their own: the unique constraint's index starts with the resource and the
    # (municipality, month) index with the municipality, and every index costs each import.
    resource = models.ForeignKey(
        DigitalResource, on_delete=models.CASCADE, related_name="usage", db_index=False
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="usage", db_index=False
    )
    month = models.DateField(_("month"))
    metric = models.CharField(_("metric"), max_length=100)
    count = models.PositiveBigIntegerField(_("count"))
    source = models.ForeignKey(
        UsageImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="usage"
    )
    # Set when an import replaced a different figure for the month: a restatement.
    restated_from = models.PositiveBigIntegerField(_("earlier figure"), null=True, blank=True)

    class Meta:
        ordering = ["resource", "municipality", "month", "metric"]
        verbose_name = _("usage figure")
        verbose_name_plural = _("usage figures")
        constraints = [
            models.UniqueConstraint(
                "resource", "municipality", "month", "metric", name="one_figure_per_month"
            ),
            models.CheckConstraint(
                condition=Exact(DayOfMonth("month"), 1), name="usage_month_is_first_day"
            ),
        ]
        indexes = [models.Index(fields=["municipality", "month"], name="usage_municipality_month")]

    def __str__(self):
        return f"{self.resource} {self.municipality} {self.month:%Y-%m} {self.metric}: {self.count}"


class UsageNote(models.Model):
    """A note beside the figures: a changed loan quota, a catalogue change, an outage, ..."""

    class Kind(models.TextChoices):
        QUOTA = "quota", _("Loan quota changed")
        CATALOGUE = "catalogue", _("Catalogue changed")
        OUTAGE = "outage", _("Outage")
        OTHER = "other", _("Other")

    resource = models.ForeignKey(DigitalResource, on_delete=models.CASCADE, related_name="notes")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("note"))

    class Meta:
        ordering = ["-month", "pk"]
        verbose_name = _("usage note")
        verbose_name_plural = _("usage notes")

    def __str__(self):
        return f"{self.resource} {self.month:%Y-%m}: {self.get_kind_display()}"


class SushiEndpoint(models.Model):
    """Where a municipality harvests a resource's COUNTER R5 reports with the SUSHI API."""

    resource = models.ForeignKey(DigitalResource, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(_("SUSHI server address"), max_length=500)
    customer_id = models.CharField(_("customer ID"), max_length=200)
    requestor_id = models.CharField(_("requestor ID"), max_length=200, blank=True)
    api_key = models.CharField(_("API key"), max_length=200, blank=True)
    platform = models.CharField(_("platform"), max_length=200, blank=True)
    last_harvested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SUSHI endpoint")
        verbose_name_plural = _("SUSHI endpoints")

    def __str__(self):
        return f"{self.resource} ({self.municipality})"


class SelectionScenario(models.Model):
    """Saved weights of the selection criteria, for a municipality's choice of resources."""

    name = models.CharField(_("name"), max_length=200)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="selection_scenarios"
    )
    # {criterion key: weight 0–10}; see leadership.selection.CRITERIA.
    weights = models.JSONField(_("weights"), default=dict)
    target_groups = models.JSONField(
        _("the library's target groups"),
        default=list,
        blank=True,
        validators=[validate_user_groups],
    )
    created_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("selection scenario")
        verbose_name_plural = _("selection scenarios")
        constraints = [
            models.UniqueConstraint(
                "municipality", "name", name="scenario_name_unique_in_municipality"
            ),
        ]

    def __str__(self):
        return self.name


class Channel(models.TextChoices):
    WEBSITE = "website", _("Website")
    NEWSLETTER = "newsletter", _("Newsletter")
    SOCIAL_MEDIA = "social_media", _("Social media")
    EVENT = "event", _("Event or workshop")
    DESK = "desk", _("Guidance at the desk")
    DISPLAY = "display", _("Display in the library")
    PRESS = "press", _("Press")
    PARTNERS = "partners", _("Partners (schools, associations)")


class Priority(models.IntegerChoices):
    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Under way")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Campaign(models.Model):
    """A dissemination campaign of a municipality (or one of its libraries) for a resource and
    a target group over a period: part of the dissemination plan."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="campaigns"
    )
    library = models.ForeignKey(
        Library, on_delete=models.SET_NULL, null=True, blank=True, related_name="campaigns"
    )
    title = models.CharField(_("title"), max_length=200)
    resource = models.ForeignKey(
        DigitalResource, on_delete=models.PROTECT, related_name="campaigns"
    )
    target_group = models.CharField(
        _("target group"), max_length=30, choices=UserGroup.choices, blank=True
    )
    channels = models.JSONField(_("channels"), default=list, blank=True)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    owner = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="campaigns"
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    description = models.TextField(_("description"), blank=True)
    is_example = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["starts_on", "priority", "pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="campaign_ends_after_start",
                violation_error_message=_("The campaign cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.title


class Activity(models.Model):
    """One thing to do in a campaign, on a day or in a week, by someone."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("title"), max_length=200)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    due_on = models.DateField(_("date"))
    owner = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )

    class Meta:
        ordering = ["due_on", "priority", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return self.title


class StrategyGoal(models.Model):
    """A goal of the local library strategy about digital resources."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="strategy_goals"
    )
    title = models.CharField(_("goal"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    horizon = models.DateField(_("to reach by"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["municipality", "position", "pk"]
        verbose_name = _("strategy goal")
        verbose_name_plural = _("strategy goals")

    def __str__(self):
        return self.title


class Indicator(models.Model):
    """How a goal is followed: a measure with a baseline and a target, linked to resources,
    campaigns and the competencies whose gaps stand in the way."""

    goal = models.ForeignKey(StrategyGoal, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=300)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    # When set, the indicator is measured from usage: this metric of the linked resources.
    usage_metric = models.CharField(_("usage metric"), max_length=100, blank=True)
    resources = models.ManyToManyField(DigitalResource, blank=True, related_name="indicators")
    campaigns = models.ManyToManyField(Campaign, blank=True, related_name="indicators")
    competencies = models.ManyToManyField(Competency, blank=True, related_name="+")

    class Meta:
        ordering = ["goal", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        return self.name


class Measurement(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["indicator", "measured_on"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint("indicator", "measured_on", name="one_measurement_a_day"),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value} ({self.measured_on})"
