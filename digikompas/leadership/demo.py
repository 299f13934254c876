"""The leadership part of the national demo: usage, licences, a resource collaboration, the
dissemination plan and the strategy of FICTITIOUS figures, on the people of orgs.demo.

load() stores the shipped catalogue of resources (leadership.resources) and then

- usage: MONTHS months up to last month for every municipality of the demo (the ones with demo
  libraries): eReolen "loans" and Filmstriben "views" as simple monthly counts, Infomedia and
  Britannica as COUNTER Total_Item_Requests and Unique_Title_Requests, Digital Artikelservice
  "articles" where the municipality holds its licence. The sizes follow the national figures
  (RESOURCES.md §3.3: about 8.2 million eReolen loans a year, 1.4 per inhabitant; Filmstriben
  1.7 million a year) with each resource's season (eReolen peaks in the summer holidays and at
  Christmas, Filmstriben in the school holidays, the article services in the exam season),
  yearly growth, a level of its own per municipality and some noise. One municipality's
  Filmstriben figure for a month is missing, one of Odense's Infomedia months was restated
  (restated_from) by a second import, and Odense raised its eReolen quota from 3 to 5 loans a
  month (a UsageNote; the loans jump). Each series is one UsageImport whose file name starts
  with DEMO_FILE_PREFIX, so the figures show where they came from.
- licences of Odense and a few others in every pricing model (RESOURCES.md §3.2): eReolen and
  Filmstriben per loan with a monthly quota, Infomedia per inhabitant by population band,
  Digital Artikelservice base fee by band (Det Kgl. Bibliotek's real bands) plus 9.38 kr per
  article in licence years from November to October, Mediestream for a fixed fee; renewal
  decisions with reasons. All is_example: the prices of real municipalities are not known.
- the collaboration COLLABORATION of Odense and its Funen neighbours in the demo, coordinated by
  Odense, holding a Britannica licence split by population, one member joining in the middle
  of a year and one leaving; its half-yearly invoices split into shares by leadership.costsplit.
- Odense's dissemination plan: seasonal campaigns (Filmstriben in the winter holidays, Infomedia
  for the exam season, eReolen for seniors in September, ...) with activities of mixed status,
  and a weekly reading tip all year at the demo staff member's library, so that her weekly list
  is never empty. The seniors campaign lifts Odense's eReolen loans, so its effect shows against
  the year before and against comparable municipalities.
- Odense's strategy: goals, indicators measured from usage and by hand, linked to resources,
  campaigns and competencies of the default framework; a selection scenario.

Everything is placed relative to today: the usage window ends last month, the plan runs from
the year of the first usage month to next year, the licences to the current licence year,
statuses follow the date. The figures of a month do not depend on the day the demo is loaded
(each month has its own seeded random numbers), so loading again on the same day changes nothing
(all unchanged) and a month later adds the new month.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from digikompas.frameworks.models import Competency, Framework
from digikompas.frameworks.services import DEFAULT_FRAMEWORK_FILE, load_framework_file
from digikompas.orgs import demo as orgs_demo
from digikompas.orgs.models import Municipality, Person, UserGroup

from . import costsplit, resources
from .models import (
    Activity,
    Campaign,
    Channel,
    Collaboration,
    DigitalResource,
    Indicator,
    Invoice,
    Licence,
    Measurement,
    Membership,
    PricingModel,
    Priority,
    RenewalDecision,
    SelectionScenario,
    Status,
    StrategyGoal,
    UsageImport,
    UsageNote,
    UsageRecord,
)

DEFAULT_SEED = orgs_demo.DEFAULT_SEED
ODENSE = orgs_demo.ODENSE
MONTHS = 24
DEMO_FILE_PREFIX = "demo-"
MONTHLY_COUNTS = "monthly counts"
COUNTER_PR = "COUNTER 5.1 PR"
# Usage is made to grow from this month on; a fixed month, so that a month's figure does not
# depend on the day the demo is loaded.
GROWTH_FROM = datetime.date(2025, 1, 1)

EREOLEN = "eReolen"
EREOLEN_GO = "eReolen Go!"
FILMSTRIBEN = "Filmstriben"
INFOMEDIA = "Infomedia"
BRITANNICA = "Britannica"
ARTICLES = "Digital Artikelservice"
MEDIESTREAM = "Mediestream Folkebibliotek"
LITTERATURSIDEN = "Litteratursiden"

# Odense's eReolen quota before and after it was raised, in January of the year of the seniors
# campaign (so that the raise lies outside the months that campaign is compared on).
QUOTA_BEFORE, QUOTA_AFTER = 3, 5
QUOTA_LIFT = 1.2
# The municipality whose Filmstriben figure is missing for a month (or the first other one of
# the demo), and the months before last month of the gap and of Odense's restated month.
MISSING_IN = (479, 751, 101)
MISSING_AGO = 4
RESTATED_AGO = 6
RESTATED_SHARE = 0.82  # the first delivery missed the last week of the month

COLLABORATION = "Fynske Bibliotekers Ressourcesamarbejde"
# Odense first: the coordinator. Svendborg joined in the middle of last year, Middelfart left at
# its end; the others have been members from the start.
FUNEN = (461, 480, 440, 430, 479, 410)
JOINED_LATE = 479
LEFT = 410
COLLABORATION_FEE = Decimal("186000.00")

SCENARIO = "Budget: prioritering af de digitale ressourcer"


class DemoError(Exception):
    """The leadership demo cannot be loaded; the message says why."""


@dataclass
class LoadResult:
    """What load() did to its parts: usage series (a resource in a municipality with its import),
    notes, licences, the collaboration (with members, invoices and shares), campaigns (with
    activities), goals (with indicators and measurements) and the selection scenario."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def count(self, state: str, n: int = 1) -> None:
        setattr(self, state, getattr(self, state) + n)


# -- months -------------------------------------------------------------------------------------


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Calendar:
    """The demo's dates, all from the day it is loaded."""

    today: datetime.date

    @property
    def last_month(self) -> datetime.date:
        return add_months(self.today.replace(day=1), -1)

    @property
    def first_month(self) -> datetime.date:
        return add_months(self.last_month, 1 - MONTHS)

    @property
    def months(self) -> list[datetime.date]:
        return [add_months(self.first_month, i) for i in range(MONTHS)]

    @property
    def effect_year(self) -> int:
        """The year of the seniors campaign (September) whose effect the figures show: the
        latest whose September and October are reported."""
        last = self.last_month
        return last.year if last.month >= 10 else last.year - 1

    @property
    def quota_month(self) -> datetime.date:
        return datetime.date(self.effect_year, 1, 1)

    @property
    def years(self) -> range:
        """The years of the plan and the licences: from the first usage month to next year."""
        return range(self.first_month.year, self.today.year + 2)


# -- usage --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageSpec:
    resource: str
    report: str
    # Uses of the first metric a year per inhabitant, nationally.
    per_inhabitant: float
    # The metrics and their size against the first.
    metrics: tuple[tuple[str, float], ...]
    # January to December, against an average month.
    season: tuple[float, ...]
    growth: float  # a year
    # The municipalities differ: each gets a level in this range of the national one.
    spread: tuple[float, float] = (0.75, 1.3)
    noise: float = 0.05


SCHOOL_SEASON = (1.05, 1.1, 1.25, 1.3, 1.3, 0.8, 0.4, 0.8, 1.05, 1.0, 1.2, 0.75)
USAGE = (
    UsageSpec(
        EREOLEN,
        MONTHLY_COUNTS,
        1.4,
        (("loans", 1.0),),
        # The summer holidays and Christmas.
        (1.08, 0.95, 0.98, 0.95, 0.92, 0.98, 1.2, 1.04, 0.9, 0.95, 0.94, 1.1),
        0.06,
    ),
    UsageSpec(
        FILMSTRIBEN,
        MONTHLY_COUNTS,
        0.29,
        (("views", 1.0),),
        # Winter holidays (February), Easter, autumn holidays, Christmas; summer evenings outside.
        (1.05, 1.25, 1.0, 1.02, 0.85, 0.8, 0.95, 0.85, 0.9, 1.15, 1.0, 1.2),
        0.03,
        spread=(0.7, 1.4),
    ),
    UsageSpec(
        INFOMEDIA,
        COUNTER_PR,
        0.32,
        (("Total_Item_Requests", 1.0), ("Unique_Title_Requests", 0.58)),
        SCHOOL_SEASON,
        -0.02,
        spread=(0.6, 1.5),
    ),
    UsageSpec(
        BRITANNICA,
        COUNTER_PR,
        0.09,
        (("Total_Item_Requests", 1.0), ("Unique_Title_Requests", 0.71)),
        SCHOOL_SEASON,
        0.01,
        spread=(0.6, 1.5),
        noise=0.08,
    ),
    UsageSpec(
        ARTICLES,
        MONTHLY_COUNTS,
        0.012,
        (("articles", 1.0),),
        SCHOOL_SEASON,
        0.04,
        noise=0.1,
    ),
)
# Britannica outside the collaboration: the share of municipalities with a licence of their own.
BRITANNICA_ELSEWHERE = 0.3


def _rng(seed: int, *parts) -> random.Random:
    """A generator of its own for each series and month: a figure depends on its month, not on
    the day the demo is loaded or on which other municipalities are in the demo."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))  # noqa: S311 – demo data  # nosec B311


@dataclass(frozen=True)
class Figure:
    count: int
    restated_from: int | None = None


def usage_series(
    spec: UsageSpec,
    municipality: Municipality,
    months: list[datetime.date],
    *,
    seed: int,
    lifts: dict[datetime.date, float],
) -> dict[tuple[datetime.date, str], int]:
    """The figures of a resource in a municipality by month and metric; `lifts` multiply months
    (a raised quota, a campaign)."""
    level = _rng(seed, spec.resource, municipality.code).uniform(*spec.spread)
    mean_season = sum(spec.season) / 12
    result = {}
    for month in months:
        rng = _rng(seed, spec.resource, municipality.code, f"{month:%Y-%m}")
        years = (month.year - GROWTH_FROM.year) + (month.month - GROWTH_FROM.month) / 12
        expected = (
            (municipality.population or 0)
            * spec.per_inhabitant
            / 12
            * spec.season[month.month - 1]
            / mean_season
            * level
            * (1 + spec.growth) ** years
            * lifts.get(month, 1.0)
        )
        first = expected * (1 + rng.gauss(0, spec.noise))
        for metric, share in spec.metrics:
            value = first if share == 1.0 else first * share * (1 + rng.gauss(0, 0.03))
            result[month, metric] = max(0, round(value))
    return result


# -- the plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivitySpec:
    days: int  # after the campaign starts
    title: str
    channel: str
    priority: int = Priority.MEDIUM
    owner: str = "staff"  # staff (the demo login), leader (the library leader login), colleague


@dataclass(frozen=True)
class CampaignSpec:
    title: str
    resource: str
    target_group: str
    starts: tuple[int, int]  # month, day
    ends: tuple[int, int]
    priority: int
    description: str
    activities: tuple[ActivitySpec, ...]
    # The campaign lifts the usage of its resource in Odense: months after the start → factor.
    lift: dict[int, float] = field(default_factory=dict)
    municipality_wide: bool = False  # no library: all Odense's libraries
    first_year: str = ""  # "effect": run from the effect year on


CAMPAIGNS = (
    CampaignSpec(
        "Filmstriben i vinterferien",
        FILMSTRIBEN,
        UserGroup.CHILDREN_9_12,
        (1, 26),
        (2, 22),
        Priority.MEDIUM,
        "Familiefilm og filmklub for 9–12-årige i vinterferien: plakater i børneafdelingen, "
        "opslag på Facebook og en filmeftermiddag, hvor vi viser, hvordan man låner film på "
        "Filmstriben hjemme.",
        (
            ActivitySpec(0, "Plakater og flyers i børneafdelingen", Channel.DISPLAY),
            ActivitySpec(7, "Nyhedsbrev til forældre: vinterferiens film", Channel.NEWSLETTER),
            ActivitySpec(14, "Opslag på Facebook og Instagram", Channel.SOCIAL_MEDIA),
            ActivitySpec(
                19, "Filmeftermiddag med Filmstriben", Channel.EVENT, Priority.HIGH, "colleague"
            ),
        ),
        lift={0: 1.08},
    ),
    CampaignSpec(
        "Infomedia og Faktalink til eksamenslæsningen",
        INFOMEDIA,
        UserGroup.STUDENTS,
        (3, 16),
        (5, 15),
        Priority.HIGH,
        "Gymnasieelever og studerende finder artikler og baggrund til opgaverne: workshops i "
        "kildekritik med gymnasiernes bibliotekarer og en side med søgetips.",
        (
            ActivitySpec(
                0, "Aftal workshops med gymnasierne", Channel.PARTNERS, Priority.HIGH, "leader"
            ),
            ActivitySpec(10, "Søgetips på hjemmesiden", Channel.WEBSITE),
            ActivitySpec(
                21, "Workshop: kildekritik og artikelsøgning", Channel.EVENT, Priority.HIGH
            ),
            ActivitySpec(35, "Opslag på Instagram til 3.g", Channel.SOCIAL_MEDIA),
            ActivitySpec(
                49, "Eksamensvejledning ved skranken", Channel.DESK, Priority.LOW, "colleague"
            ),
        ),
        lift={0: 1.06, 1: 1.06},
    ),
    CampaignSpec(
        "Sommerbøger på eReolen Go!",
        EREOLEN_GO,
        UserGroup.CHILDREN_9_12,
        (6, 15),
        (8, 10),
        Priority.LOW,
        "Sommerlæsning for børn: lån e-bøger og lydbøger med på ferien.",
        (
            ActivitySpec(0, "Udstilling med QR-koder i børneafdelingen", Channel.DISPLAY),
            ActivitySpec(
                5, "Nyhedsbrev til skolerne før sommerferien", Channel.PARTNERS, owner="colleague"
            ),
            ActivitySpec(30, "Sommertips på Facebook", Channel.SOCIAL_MEDIA, Priority.LOW),
        ),
        municipality_wide=True,
    ),
    CampaignSpec(
        "eReolen for seniorer",
        EREOLEN,
        UserGroup.SENIORS,
        (9, 1),
        (9, 30),
        Priority.HIGH,
        "En måned med iPad-caféer, hvor seniorer lærer at låne e-bøger og lydbøger på eReolen, "
        "i samarbejde med Ældre Sagen; artikel i lokalavisen og vejledning ved skranken.",
        (
            ActivitySpec(
                -14, "Aftal iPad-caféer med Ældre Sagen", Channel.PARTNERS, Priority.HIGH, "leader"
            ),
            ActivitySpec(-3, "Pressemeddelelse til Fyens Stiftstidende", Channel.PRESS),
            ActivitySpec(2, "iPad-café: lån lydbøger på eReolen", Channel.EVENT, Priority.HIGH),
            ActivitySpec(
                9, "Vejledning i eReolen-appen ved skranken", Channel.DESK, owner="colleague"
            ),
            ActivitySpec(16, "iPad-café: e-bøger med stor skrift", Channel.EVENT, Priority.HIGH),
            ActivitySpec(23, "Nyhedsbrev: lydbøger til efteråret", Channel.NEWSLETTER),
        ),
        lift={0: 1.15, 1: 1.06},
        municipality_wide=True,
        first_year="effect",
    ),
    CampaignSpec(
        "Slægtsforskning i Mediestream",
        MEDIESTREAM,
        UserGroup.GENEALOGISTS,
        (11, 1),
        (11, 20),
        Priority.LOW,
        "Find dine forfædre i de gamle aviser: introduktion til Mediestream på biblioteket med "
        "Lokalhistorisk Arkiv omkring Arkivernes Dag.",
        (
            ActivitySpec(
                0, "Aftal arrangement med Lokalhistorisk Arkiv", Channel.PARTNERS, owner="leader"
            ),
            ActivitySpec(9, "Slægtsforskercafé med Mediestream", Channel.EVENT),
        ),
    ),
    CampaignSpec(
        "Julefilm på Filmstriben",
        FILMSTRIBEN,
        UserGroup.LEISURE_READERS,
        (12, 1),
        (12, 23),
        Priority.LOW,
        "Julefilm til hele familien: en julekalender med en film om dagen på Facebook.",
        (
            ActivitySpec(0, "Julekalender på Facebook", Channel.SOCIAL_MEDIA),
            ActivitySpec(1, "Julefilm på skærmen i forhallen", Channel.DISPLAY, Priority.LOW),
        ),
    ),
)
# The year-round campaign of weekly reading tips at the staff login's library: two activities a
# week (Tuesday and Thursday), so the weekly list always holds something.
WEEKLY_TITLE = "Ugens læsetip fra Litteratursiden"
WEEKLY_THEMES = (
    "krimier",
    "lydbøger til bilturen",
    "nordiske klassikere",
    "fantasy for unge",
    "biografier",
    "feel good",
    "historiske romaner",
    "digte",
    "noveller",
    "debutanter",
    "bøger der er blevet til film",
    "læsekredsbøger",
)
CANCELLED_SHARE = 0.08  # of the past activities


# -- the loader ---------------------------------------------------------------------------------


def _demo_people() -> Q:
    return Q(email__iendswith=f"@{orgs_demo.DEMO_DOMAIN}") | Q(
        email__iendswith=f".{orgs_demo.DEMO_DOMAIN}"
    )


def demo_municipalities() -> list[Municipality]:
    """The municipalities with libraries of the demo."""
    return list(
        Municipality.objects.filter(libraries__people__in=Person.objects.filter(_demo_people()))
        .distinct()
        .order_by("code")
    )


def _person(login) -> Person | None:
    return Person.objects.filter(email__iexact=login.email).select_related("library").first()


def _differs(obj, name: str, value) -> bool:
    """Whether the object's field differs from the value; a foreign key by its id, so that
    comparing does not fetch the related object."""
    if isinstance(value, models.Model):
        return getattr(obj, f"{name}_id") != value.pk
    return getattr(obj, name) != value


def _sync(model, lookup: dict, values: dict):
    """The object with these lookup fields, created or brought to these values; and whether it
    was created, updated or unchanged."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, "created"
    changed = [name for name, value in values.items() if _differs(obj, name, value)]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.full_clean()
    obj.save(update_fields=changed)
    return obj, "updated"


def _sync_many(model, existing, key, desired: dict) -> bool:
    """Bring the rows `existing` (a queryset) to `desired` ({key: field values}, key(row) the
    row's key): create, update and delete in bulk. Whether anything changed."""
    rows = {key(row): row for row in existing}
    new, changed, fields = [], [], set()
    for k, values in desired.items():
        row = rows.pop(k, None)
        if row is None:
            new.append(model(**values))
            continue
        differ = [name for name, value in values.items() if _differs(row, name, value)]
        if differ:
            for name in differ:
                setattr(row, name, values[name])
            changed.append(row)
            fields.update(differ)
    if rows:
        model.objects.filter(pk__in=[row.pk for row in rows.values()]).delete()
    if new:
        model.objects.bulk_create(new, batch_size=1000)
    if changed:
        model.objects.bulk_update(changed, sorted(fields), batch_size=1000)
    return bool(rows or new or changed)


def _state(created: bool, changed: bool) -> str:
    return "created" if created else "updated" if changed else "unchanged"


def load(*, seed: int = DEFAULT_SEED) -> LoadResult:
    """Load the leadership demo (see the module's docstring); safe to run again. Raises
    DemoError when the national demo or the default framework is missing."""
    try:
        loaded = orgs_demo.is_loaded()
    except orgs_demo.DemoError as error:
        raise DemoError(str(error)) from None
    staff = _person(orgs_demo.STAFF_LOGIN)
    if not loaded or staff is None or staff.library is None:
        raise DemoError(
            "The leadership demo needs the national demo of libraries and people; "
            "run load_demo first."
        )
    framework = Framework.objects.filter(
        identifier=load_framework_file(DEFAULT_FRAMEWORK_FILE).identifier
    ).first()
    if framework is None:
        raise DemoError(
            "The leadership demo needs the default framework; run load_default_framework first."
        )
    calendar = Calendar(timezone.localdate())
    result = LoadResult()
    with transaction.atomic():
        resources.load_default_resources()
        catalogue = {r.name: r for r in DigitalResource.objects.all()}
        missing = [
            name
            for name in (
                EREOLEN,
                EREOLEN_GO,
                FILMSTRIBEN,
                INFOMEDIA,
                BRITANNICA,
                ARTICLES,
                MEDIESTREAM,
                LITTERATURSIDEN,
            )
            if name not in catalogue
        ]
        if missing:
            raise DemoError(
                "The catalogue of resources lacks " + ", ".join(missing) + "; the demo needs them."
            )
        municipalities = demo_municipalities()
        odense = next(m for m in municipalities if m.code == ODENSE)
        builder = _Builder(seed, calendar, catalogue, municipalities, odense, staff, framework)
        builder.licences(result)
        builder.collaboration(result)
        builder.usage(result)
        builder.notes(result)
        builder.campaigns(result)
        builder.strategy(result)
        builder.scenario(result)
    return result


class _Builder:
    def __init__(self, seed, calendar, catalogue, municipalities, odense, staff, framework):
        self.seed = seed
        self.calendar = calendar
        self.catalogue = catalogue
        self.municipalities = municipalities
        self.by_code = {m.code: m for m in municipalities}
        self.odense = odense
        self.staff = staff
        self.framework = framework
        self.library = staff.library
        self.leader = _person(orgs_demo.LIBRARY_LEADER_LOGIN)
        self.head = _person(orgs_demo.MUNICIPAL_LEADER_LOGIN)
        colleagues = list(
            Person.objects.filter(library=self.library)
            .exclude(pk__in=[p.pk for p in (staff, self.leader) if p is not None])
            .order_by("email")
        )
        self.colleague = colleagues[0] if colleagues else staff
        self.das_holders = [m for m in (ODENSE, 751) if m in self.by_code]
        self.campaigns_made: dict[str, list[Campaign]] = defaultdict(list)

    # -- licences ------------------------------------------------------------------------------

    def _licence(self, resource, holder, starts_on, ends_on, **values) -> tuple[Licence, str]:
        lookup = {
            "resource": self.catalogue[resource],
            "municipality": holder if isinstance(holder, Municipality) else None,
            "collaboration": holder if isinstance(holder, Collaboration) else None,
            "starts_on": starts_on,
        }
        defaults = {
            "ends_on": ends_on,
            "fixed_fee": None,
            "base_fee": None,
            "bands": [],
            "price_per_use": None,
            "price_per_loan": None,
            "monthly_quota": None,
            "usage_metric": "",
            "terms": {},
            "notes": "",
            "renewal_decision": RenewalDecision.UNDECIDED,
            "renewal_reason": "",
            "is_example": True,
        }
        return _sync(Licence, lookup, defaults | values)

    def licences(self, result) -> None:
        calendar = self.calendar
        this_year = calendar.today.year
        years = [y for y in calendar.years if y <= this_year]
        per_loan = {
            # municipality: (eReolen quota, Filmstriben quota or None)
            ODENSE: (None, 4),
            751: (4, None),
            101: (5, 4),
            479: (3, 2),
        }
        for code, (ereolen_quota, film_quota) in per_loan.items():
            municipality = self.by_code.get(code)
            if municipality is None:
                continue
            for year in years:
                start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
                quota, notes = ereolen_quota, ""
                if code == ODENSE:
                    raised = year >= calendar.quota_month.year
                    quota = QUOTA_AFTER if raised else QUOTA_BEFORE
                    if year == calendar.quota_month.year:
                        notes = (
                            f"Kvoten hævet fra {QUOTA_BEFORE} til {QUOTA_AFTER} lån pr. låner om "
                            "måneden fra 1. januar; udgiften til eReolen stiger tilsvarende."
                        )
                self._count(
                    result,
                    EREOLEN,
                    municipality,
                    start,
                    end,
                    pricing_model=PricingModel.PER_LOAN,
                    price_per_loan=Decimal("12.00"),
                    monthly_quota=quota,
                    usage_metric="loans",
                    terms={"remote_access": True},
                    notes=notes,
                )
                if film_quota is not None:
                    decision, reason = RenewalDecision.UNDECIDED, ""
                    if code == ODENSE and year == this_year:
                        decision = RenewalDecision.RENEGOTIATE
                        reason = (
                            "Visningerne pr. indbygger ligger under landsgennemsnittet, og en "
                            "visning koster mere end et lån på eReolen. Vi forhandler kvoten "
                            "ned fra 4 til 3 film om måneden og bruger pengene på eReolen."
                        )
                    self._count(
                        result,
                        FILMSTRIBEN,
                        municipality,
                        start,
                        end,
                        pricing_model=PricingModel.PER_LOAN,
                        price_per_loan=Decimal("16.00"),
                        monthly_quota=film_quota,
                        usage_metric="views",
                        terms={"remote_access": True},
                        renewal_decision=decision,
                        renewal_reason=reason,
                    )
        # Infomedia for slutbrugere: 0.31 kr (0–74,999) and 0.26 kr (400,000+) are DBC's 2024
        # prices; the bands between them are made up.
        infomedia_bands = [
            {"from": 0, "price": "0.31"},
            {"from": 75000, "price": "0.30"},
            {"from": 150000, "price": "0.28"},
            {"from": 400000, "price": "0.26"},
        ]
        for code in (ODENSE, 751, 101):
            municipality = self.by_code.get(code)
            if municipality is None:
                continue
            for year in years:
                self._count(
                    result,
                    INFOMEDIA,
                    municipality,
                    datetime.date(year, 1, 1),
                    datetime.date(year, 12, 31),
                    pricing_model=PricingModel.PER_INHABITANT,
                    bands=infomedia_bands,
                    terms={"remote_access": True},
                    notes="Infomedia for slutbrugere (DBC Digital), oven i DDF's grundlicens.",
                )
        # Digital Artikelservice: Det Kgl. Bibliotek's base fees by population band and price
        # per article (forbiblioteker.kb.dk, priser og betingelser); November to October.
        article_bands = [
            {"from": 0, "fee": "270"},
            {"from": 15000, "fee": "790"},
            {"from": 36000, "fee": "1315"},
            {"from": 56000, "fee": "1940"},
            {"from": 83000, "fee": "3040"},
            {"from": 205000, "fee": "6190"},
            {"from": 350000, "fee": "9230"},
            {"from": 600001, "fee": "15620"},
        ]
        for code in self.das_holders:
            for year in self._article_years():
                self._count(
                    result,
                    ARTICLES,
                    self.by_code[code],
                    datetime.date(year - 1, 11, 1),
                    datetime.date(year, 10, 31),
                    pricing_model=PricingModel.BASE_PLUS_USE,
                    bands=article_bands,
                    price_per_use=Decimal("9.38"),
                    usage_metric="articles",
                    notes="Faktureres samlet ved abonnementsperiodens afslutning.",
                )
        for year in years:
            current = year == this_year
            self._count(
                result,
                MEDIESTREAM,
                self.odense,
                datetime.date(year, 1, 1),
                datetime.date(year, 12, 31),
                pricing_model=PricingModel.FIXED,
                fixed_fee=Decimal("9500.00"),
                terms={"on_site_only": True, "remote_access": False},
                notes="Kun på bibliotekerne og i Lokalhistorisk Arkiv.",
                renewal_decision=RenewalDecision.RENEW if current else RenewalDecision.UNDECIDED,
                renewal_reason=(
                    "Slægtsforskerne og Lokalhistorisk Arkiv bruger Mediestream hver uge, og "
                    "abonnementet er billigt; vi fornyer og formidler det i november."
                    if current
                    else ""
                ),
            )

    def _count(self, result, *args, **values) -> None:
        _licence, state = self._licence(*args, **values)
        result.count(state)

    def _article_years(self) -> list[int]:
        """The licence years (November to October, by the year they end) from the first usage
        month to today."""
        first, today = self.calendar.first_month, self.calendar.today
        return list(
            range(
                first.year + (1 if first.month >= 11 else 0),
                today.year + (1 if today.month >= 11 else 0) + 1,
            )
        )

    # -- the collaboration ---------------------------------------------------------------------

    def collaboration(self, result) -> None:
        this_year = self.calendar.today.year
        last_year = this_year - 1
        collaboration, state = _sync(
            Collaboration,
            {"name": COLLABORATION},
            {
                "description": (
                    "De fynske kommuners fælles licens til Britannica, købt og administreret af "
                    "Odense Bibliotekerne. Udgiften fordeles efter indbyggertal."
                ),
                "split_rule": Collaboration.SplitRule.POPULATION,
                "usage_metric": "",
                "coordinator": self.odense,
                "is_example": True,
            },
        )
        changed = False
        start = datetime.date(last_year, 1, 1)
        memberships = {}
        for code in FUNEN:
            municipality = self.by_code.get(code)
            if municipality is None:
                continue
            joined = datetime.date(last_year, 8, 15) if code == JOINED_LATE else start
            left = datetime.date(last_year, 12, 31) if code == LEFT else None
            memberships[code, joined] = {
                "collaboration": collaboration,
                "municipality": municipality,
                "joined_on": joined,
                "left_on": left,
                "share": None,
            }
        changed |= _sync_many(
            Membership,
            collaboration.memberships.select_related("municipality"),
            lambda m: (m.municipality.code, m.joined_on),
            memberships,
        )
        for year in (last_year, this_year):
            licence, licence_state = self._licence(
                BRITANNICA,
                collaboration,
                datetime.date(year, 1, 1),
                datetime.date(year, 12, 31),
                pricing_model=PricingModel.FIXED,
                fixed_fee=COLLABORATION_FEE,
                terms={"remote_access": True},
                notes="Faktureres halvårligt; fordeles mellem medlemmerne efter indbyggertal.",
            )
            changed |= licence_state != "unchanged"
            for half, (first, last) in enumerate(
                (
                    (datetime.date(year, 1, 1), datetime.date(year, 6, 30)),
                    (datetime.date(year, 7, 1), datetime.date(year, 12, 31)),
                ),
                start=1,
            ):
                issued = first + datetime.timedelta(days=14)
                if issued > self.calendar.today:
                    continue
                invoice, invoice_state = _sync(
                    Invoice,
                    {"licence": licence, "reference": f"FBR-{year}-{half}"},
                    {
                        "issued_on": issued,
                        "period_start": first,
                        "period_end": last,
                        "amount": COLLABORATION_FEE / 2,
                    },
                )
                changed |= invoice_state != "unchanged"
                changed |= self._split(invoice)
        result.count(_state(state == "created", changed or state == "updated"))
        self.collaboration_members = [self.by_code[code] for code in FUNEN if code in self.by_code]

    def _split(self, invoice: Invoice) -> bool:
        """Store the invoice's shares unless they are stored already; whether they changed."""
        wanted = {(s.municipality.pk, s.amount, s.basis) for s in costsplit.split(invoice)}
        stored = set(invoice.shares.values_list("municipality", "amount", "basis"))
        if wanted == stored:
            return False
        costsplit.store_split(invoice)
        return True

    # -- usage ---------------------------------------------------------------------------------

    def _offers(self, spec: UsageSpec) -> list[Municipality]:
        if spec.resource == ARTICLES:
            return [self.by_code[code] for code in self.das_holders]
        if spec.resource == BRITANNICA:
            members = {m.code for m in self.collaboration_members}
            return [
                m
                for m in self.municipalities
                if m.code in members
                or _rng(self.seed, BRITANNICA, "licence", m.code).random() < BRITANNICA_ELSEWHERE
            ]
        return self.municipalities

    def _lifts(self, resource: str, municipality: Municipality) -> dict[datetime.date, float]:
        """Odense's raised eReolen quota and its campaigns lift its figures."""
        if municipality.code != ODENSE:
            return {}
        lifts: dict[datetime.date, float] = defaultdict(lambda: 1.0)
        if resource == EREOLEN:
            for month in self.calendar.months:
                if month >= self.calendar.quota_month:
                    lifts[month] *= QUOTA_LIFT
        for spec in CAMPAIGNS:
            if spec.resource != resource:
                continue
            for year in self._campaign_years(spec):
                start = datetime.date(year, *spec.starts)
                for offset, factor in spec.lift.items():
                    lifts[add_months(start.replace(day=1), offset)] *= factor
        return dict(lifts)

    def usage(self, result) -> None:
        calendar = self.calendar
        months = calendar.months
        missing_in = next(
            (self.by_code[code] for code in MISSING_IN if code in self.by_code),
            next(m for m in self.municipalities if m.code != ODENSE),
        )
        missing_month = add_months(calendar.last_month, -MISSING_AGO)
        restated_month = add_months(calendar.last_month, -RESTATED_AGO)
        imported_at = timezone.make_aware(
            datetime.datetime.combine(calendar.today.replace(day=1), datetime.time(0, 0))
        )
        resources_ = [self.catalogue[spec.resource] for spec in USAGE]
        imports = {
            (i.municipality_id, i.file_name): i
            for i in UsageImport.objects.filter(file_name__startswith=DEMO_FILE_PREFIX)
        }
        existing = defaultdict(dict)
        for record in UsageRecord.objects.filter(
            resource__in=resources_, month__range=(months[0], months[-1])
        ).select_related("source"):
            existing[record.resource_id, record.municipality_id][record.month, record.metric] = (
                record
            )
        for spec in USAGE:
            resource = self.catalogue[spec.resource]
            slug = orgs_demo.slug(spec.resource)
            for municipality in self._offers(spec):
                figures = usage_series(
                    spec,
                    municipality,
                    months,
                    seed=self.seed,
                    lifts=self._lifts(spec.resource, municipality),
                )
                wanted = {key: Figure(count) for key, count in figures.items()}
                if spec.resource == FILMSTRIBEN and municipality == missing_in:
                    for metric, _share in spec.metrics:
                        del wanted[missing_month, metric]
                correction = None
                if spec.resource == INFOMEDIA and municipality.code == ODENSE:
                    for metric, _share in spec.metrics:
                        count = wanted[restated_month, metric].count
                        wanted[restated_month, metric] = Figure(
                            count, round(count * RESTATED_SHARE)
                        )
                    correction = f"{DEMO_FILE_PREFIX}{slug}-{municipality.code}-rettelse.csv"
                name = f"{DEMO_FILE_PREFIX}{slug}-{municipality.code}.csv"
                main, main_state = self._import(
                    imports,
                    municipality,
                    name,
                    spec.report,
                    months[0],
                    months[-1],
                    records=len(wanted),
                    replaced=0,
                    at=imported_at,
                )
                sources = dict.fromkeys(wanted, main)
                changed = main_state == "updated"
                if correction is not None:
                    fixed = [key for key, figure in wanted.items() if figure.restated_from]
                    fix, fix_state = self._import(
                        imports,
                        municipality,
                        correction,
                        spec.report,
                        restated_month,
                        restated_month,
                        records=len(fixed),
                        replaced=len(fixed),
                        at=imported_at + datetime.timedelta(minutes=5),
                    )
                    sources.update(dict.fromkeys(fixed, fix))
                    changed |= fix_state == "updated"
                changed |= self._store(
                    resource,
                    municipality,
                    wanted,
                    sources,
                    existing[resource.pk, municipality.pk],
                )
                result.count(_state(main_state == "created", changed))

    def _import(self, imports, municipality, name, report, first, last, *, records, replaced, at):
        values = {
            "source": UsageImport.Source.FILE,
            "report": report,
            "first_month": first,
            "last_month": last,
            "records": records,
            "replaced": replaced,
            "exceptions": [],
            "imported_by": None,
            "imported_at": at,
        }
        found = imports.get((municipality.pk, name))
        if found is None:
            found = UsageImport.objects.create(municipality=municipality, file_name=name, **values)
            return found, "created"
        differ = [key for key, value in values.items() if getattr(found, key) != value]
        if not differ:
            return found, "unchanged"
        for key in differ:
            setattr(found, key, values[key])
        found.save(update_fields=differ)
        return found, "updated"

    def _store(self, resource, municipality, wanted, sources, existing) -> bool:
        """Write the series' figures: new ones in bulk, changed ones updated. Figures another
        import brought (a real file loaded into the demo) are left alone; demo figures that
        should not be there (the missing month) are deleted."""
        new, changed, stale = [], [], []
        for key, record in existing.items():
            if key not in wanted and _is_demo(record):
                stale.append(record.pk)
        for (month, metric), figure in wanted.items():
            record = existing.get((month, metric))
            source = sources[month, metric]
            if record is None:
                new.append(
                    UsageRecord(
                        resource=resource,
                        municipality=municipality,
                        month=month,
                        metric=metric,
                        count=figure.count,
                        restated_from=figure.restated_from,
                        source=source,
                    )
                )
            elif _is_demo(record) and (
                record.count,
                record.restated_from,
                record.source_id,
            ) != (figure.count, figure.restated_from, source.pk):
                record.count = figure.count
                record.restated_from = figure.restated_from
                record.source = source
                changed.append(record)
        if stale:
            UsageRecord.objects.filter(pk__in=stale).delete()
        if new:
            UsageRecord.objects.bulk_create(new, batch_size=1000)
        if changed:
            UsageRecord.objects.bulk_update(
                changed, ["count", "restated_from", "source"], batch_size=1000
            )
        return bool(stale or new or changed)

    def notes(self, result) -> None:
        quota = self.calendar.quota_month
        specs = [
            (
                EREOLEN,
                self.odense,
                quota,
                UsageNote.Kind.QUOTA,
                f"Odense hævede lånekvoten på eReolen fra {QUOTA_BEFORE} til {QUOTA_AFTER} lån "
                "pr. låner om måneden. Lånene steg derefter, uden at flere lånere kom til.",
            ),
            (
                INFOMEDIA,
                self.odense,
                add_months(self.calendar.last_month, -RESTATED_AGO),
                UsageNote.Kind.OTHER,
                "Den første levering af tallene manglede den sidste uge af måneden; "
                "leverandøren sendte rettede tal, som erstattede de første.",
            ),
            (
                FILMSTRIBEN,
                None,
                add_months(self.calendar.last_month, -10),
                UsageNote.Kind.CATALOGUE,
                "Omkring 150 danske dokumentarfilm og kortfilm fra DFI kom på Filmstriben.",
            ),
        ]
        for resource, municipality, month, kind, text in specs:
            _note, state = _sync(
                UsageNote,
                {
                    "resource": self.catalogue[resource],
                    "municipality": municipality,
                    "month": month,
                    "kind": kind,
                },
                {"text": text},
            )
            result.count(state)

    # -- the plan ------------------------------------------------------------------------------

    def _campaign_years(self, spec: CampaignSpec) -> list[int]:
        """The years the campaign runs: in the plan's years, ending after the first usage month
        and starting within a year from today; the seniors campaign from the effect year on."""
        years = []
        for year in self.calendar.years:
            if spec.first_year == "effect" and year < self.calendar.effect_year:
                continue
            start, end = datetime.date(year, *spec.starts), datetime.date(year, *spec.ends)
            if end < self.calendar.first_month:
                continue
            if start > self.calendar.today + datetime.timedelta(days=365):
                continue
            years.append(year)
        return years

    def _owner(self, key: str) -> Person:
        return {"staff": self.staff, "leader": self.leader or self.staff}.get(key, self.colleague)

    def _status(self, first: datetime.date, last: datetime.date, rng=None) -> str:
        """By the date: done (with `rng`, now and then cancelled) once over, under way, or
        planned."""
        today = self.calendar.today
        if last < today:
            if rng is not None and rng.random() < CANCELLED_SHARE:
                return Status.CANCELLED
            return Status.DONE
        if first <= today:
            return Status.ACTIVE
        return Status.PLANNED

    def campaigns(self, result) -> None:
        wanted: set[int] = set()
        for spec in CAMPAIGNS:
            years = self._campaign_years(spec)
            for year in years:
                start = datetime.date(year, *spec.starts)
                end = datetime.date(year, *spec.ends)
                rng = _rng(self.seed, "campaign", spec.title, year)
                status = self._status(start, end)
                # Last year's Christmas films were called off: the staff were needed elsewhere.
                cancelled = (
                    spec.resource == FILMSTRIBEN
                    and spec.starts[0] == 12
                    and (year == self.calendar.today.year - 1)
                )
                if cancelled:
                    status = Status.CANCELLED
                activities = {}
                for activity in spec.activities:
                    due = start + datetime.timedelta(days=activity.days)
                    activities[activity.title, due] = {
                        "title": activity.title,
                        "channel": activity.channel,
                        "due_on": due,
                        "owner": self._owner(activity.owner),
                        "priority": activity.priority,
                        "status": Status.CANCELLED if cancelled else self._status(due, due, rng),
                    }
                campaign = self._campaign(
                    result,
                    spec.title,
                    spec.resource,
                    spec.target_group,
                    start,
                    end,
                    priority=spec.priority,
                    status=status,
                    description=spec.description,
                    library=None if spec.municipality_wide else self.library,
                    channels=sorted({a.channel for a in spec.activities}),
                    activities=activities,
                )
                wanted.add(campaign.pk)
                self.campaigns_made[spec.title].append(campaign)
        for year in (self.calendar.today.year, self.calendar.today.year + 1):
            campaign = self._weekly(result, year)
            wanted.add(campaign.pk)
            self.campaigns_made[WEEKLY_TITLE].append(campaign)
        # The demo's campaigns of earlier loads that it no longer makes (the plan moved on).
        titles = [spec.title for spec in CAMPAIGNS] + [WEEKLY_TITLE]
        stale = Campaign.objects.filter(
            municipality=self.odense, is_example=True, title__in=titles
        ).exclude(pk__in=wanted)
        if stale.exists():
            stale.delete()
            result.count("updated")

    def _campaign(
        self, result, title, resource, target_group, start, end, *, activities, **values
    ) -> Campaign:
        campaign, state = _sync(
            Campaign,
            {"municipality": self.odense, "title": title, "starts_on": start},
            {
                "resource": self.catalogue[resource],
                "target_group": target_group,
                "ends_on": end,
                "owner": self.leader,
                "is_example": True,
            }
            | values,
        )
        for row in activities.values():
            row["campaign"] = campaign
        changed = _sync_many(
            Activity, campaign.activities.all(), lambda a: (a.title, a.due_on), activities
        )
        result.count(_state(state == "created", changed or state == "updated"))
        return campaign

    def _weekly(self, result, year: int) -> Campaign:
        """The year's weekly reading tips at the staff login's library: a post on Tuesday and
        the screen in the hall on Thursday; in the current week one done, one under way, the
        rest planned, whatever day it is."""
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        today = self.calendar.today
        this_monday = today - datetime.timedelta(days=today.weekday())
        rng = _rng(self.seed, "weekly", year)
        activities = {}
        monday = start - datetime.timedelta(days=start.weekday())
        while monday <= end:
            theme = WEEKLY_THEMES[monday.isocalendar().week % len(WEEKLY_THEMES)]
            week = [
                (0, f"Læsetip ved skranken: {theme}", Channel.DESK, Priority.LOW, "colleague"),
                (
                    1,
                    f"Opslag på Facebook: ugens læsetip om {theme}",
                    Channel.SOCIAL_MEDIA,
                    Priority.HIGH,
                    "staff",
                ),
                (3, f"Skærmen i forhallen: {theme}", Channel.DISPLAY, Priority.MEDIUM, "staff"),
            ]
            if monday != this_monday:
                week = week[1:]  # the desk tip only in the current week
            for number, (day, title, channel, priority, owner) in enumerate(week):
                due = monday + datetime.timedelta(days=day)
                if not start <= due <= end:
                    continue
                if monday == this_monday:
                    status = (Status.DONE, Status.ACTIVE, Status.PLANNED)[number]
                else:
                    status = self._status(due, due, rng)
                activities[title, due] = {
                    "title": title,
                    "channel": channel,
                    "due_on": due,
                    "owner": self._owner(owner),
                    "priority": priority,
                    "status": status,
                }
            monday += datetime.timedelta(days=7)
        return self._campaign(
            result,
            WEEKLY_TITLE,
            LITTERATURSIDEN,
            UserGroup.LEISURE_READERS,
            start,
            end,
            priority=Priority.MEDIUM,
            status=self._status(start, end),
            description=(
                "Hver uge et læsetip fra Litteratursiden på Facebook og på skærmen i forhallen, "
                "så formidlingen af de digitale tilbud bliver en fast del af ugen."
            ),
            library=self.library,
            channels=[Channel.DESK, Channel.DISPLAY, Channel.SOCIAL_MEDIA],
            activities=activities,
        )

    # -- the strategy --------------------------------------------------------------------------

    def _competencies(self, *codes) -> list[Competency]:
        return list(Competency.objects.filter(framework=self.framework, code__in=codes))

    def strategy(self, result) -> None:
        calendar = self.calendar
        horizon = datetime.date(calendar.today.year + 1, 12, 31)
        # Baselines from the first twelve months of the figures, before the goals were set.
        first_year = calendar.months[:12]

        def total(resource, metric) -> Decimal:
            return Decimal(
                sum(
                    UsageRecord.objects.filter(
                        resource=self.catalogue[resource],
                        municipality=self.odense,
                        metric=metric,
                        month__in=first_year,
                    ).values_list("count", flat=True)
                )
            )

        loans = total(EREOLEN, "loans")
        articles = total(INFOMEDIA, "Total_Item_Requests")
        campaigns = self.campaigns_made
        goals = (
            {
                "title": "Flere odenseanere bruger bibliotekets digitale tilbud",
                "description": (
                    "Flere lån på eReolen, især blandt seniorer, som sjældent kommer på "
                    "biblioteket."
                ),
                "indicators": [
                    {
                        "name": "Lån på eReolen om året",
                        "unit": "lån",
                        "baseline": loans,
                        "target": (loans * Decimal("1.4")).quantize(Decimal("1000")),
                        "usage_metric": "loans",
                        "resources": [EREOLEN],
                        "campaigns": campaigns["eReolen for seniorer"],
                        "competencies": ("D3.1", "D4.3"),
                        "measurements": [],
                    }
                ],
            },
            {
                "title": "Eleverne finder troværdige kilder gennem biblioteket",
                "description": (
                    "Gymnasieelever og studerende bruger Infomedia og Faktalink til opgaverne "
                    "og lærer kildekritik på biblioteket."
                ),
                "indicators": [
                    {
                        "name": "Artikelvisninger i Infomedia om året",
                        "unit": "visninger",
                        "baseline": articles,
                        "target": (articles * Decimal("1.15")).quantize(Decimal("1000")),
                        "usage_metric": "Total_Item_Requests",
                        "resources": [INFOMEDIA],
                        "campaigns": campaigns["Infomedia og Faktalink til eksamenslæsningen"],
                        "competencies": ("D2.2", "D2.3"),
                        "measurements": [],
                    }
                ],
            },
            {
                "title": "Alle medarbejdere formidler de digitale ressourcer hver uge",
                "description": (
                    "Formidlingen af de digitale tilbud er en fast del af ugen på alle "
                    "biblioteker, ikke kun for de få, der brænder for det."
                ),
                "indicators": [
                    {
                        "name": (
                            "Andel af medarbejderne, der har formidlet en digital ressource "
                            "den seneste måned"
                        ),
                        "unit": "%",
                        "baseline": Decimal("38"),
                        "target": Decimal("75"),
                        "usage_metric": "",
                        "resources": [LITTERATURSIDEN, EREOLEN, FILMSTRIBEN],
                        "campaigns": campaigns[WEEKLY_TITLE],
                        "competencies": ("D3.3", "D6.4"),
                        "measurements": self._measurements(),
                    }
                ],
            },
        )
        for position, spec in enumerate(goals, start=1):
            goal, state = _sync(
                StrategyGoal,
                {"municipality": self.odense, "title": spec["title"]},
                {"description": spec["description"], "horizon": horizon, "position": position},
            )
            changed = False
            for item in spec["indicators"]:
                indicator, indicator_state = _sync(
                    Indicator,
                    {"goal": goal, "name": item["name"]},
                    {key: item[key] for key in ("unit", "baseline", "target", "usage_metric")},
                )
                changed |= indicator_state != "unchanged"
                links = (
                    (indicator.resources, [self.catalogue[n] for n in item["resources"]]),
                    (indicator.campaigns, item["campaigns"]),
                    (indicator.competencies, self._competencies(*item["competencies"])),
                )
                for manager, objects in links:
                    if set(manager.all()) != set(objects):
                        manager.set(objects)
                        changed = True
                changed |= _sync_many(
                    Measurement,
                    indicator.measurements.all(),
                    lambda m: m.measured_on,
                    {
                        day: {
                            "indicator": indicator,
                            "measured_on": day,
                            "value": value,
                            "note": note,
                        }
                        for day, value, note in item["measurements"]
                    },
                )
            result.count(_state(state == "created", changed or state == "updated"))

    def _measurements(self) -> list[tuple[datetime.date, Decimal, str]]:
        """A count every quarter since the first usage month, rising from the baseline."""
        rng = _rng(self.seed, "measurements")
        day = self.calendar.first_month
        value = 38.0
        rows = []
        while day <= self.calendar.today:
            note = "Optalt på personalemødet" if not rows else ""
            rows.append((day, Decimal(str(round(value))), note))
            value = min(95.0, value + rng.uniform(2, 6))
            day = add_months(day, 3)
        return rows

    def scenario(self, result) -> None:
        _scenario, state = _sync(
            SelectionScenario,
            {"municipality": self.odense, "name": SCENARIO},
            {
                "weights": {
                    "usage": 5,
                    "trend": 3,
                    "cost_per_use": 6,
                    "target_groups": 4,
                    "strategy": 5,
                    "competence": 3,
                    "accessibility": 2,
                    "collaboration": 2,
                },
                "target_groups": [
                    UserGroup.SENIORS,
                    UserGroup.STUDENTS,
                    UserGroup.CHILDREN_9_12,
                    UserGroup.LEISURE_READERS,
                ],
                "created_by": self.head,
            },
        )
        result.count(state)


def _is_demo(record: UsageRecord) -> bool:
    return record.source is None or record.source.file_name.startswith(DEMO_FILE_PREFIX)
