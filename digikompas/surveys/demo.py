"""The survey part of the national demo: one closed round of each shipped survey, answered.

On top of the fictitious libraries and people of orgs.demo, load() creates three national rounds
that closed a few weeks ago, invites everyone in their populations and stores FICTITIOUS answers
from about two thirds of them:

- the competence survey, to all staff (confidential: responses are linked to the person);
- the barrier survey, to staff and leaders (anonymous: no link to the person or invitation);
- the digital-leadership self-assessment, to library leaders and heads of libraries
  (confidential).

The answers come from a small latent model, so that the analysis has structure to find, the
structure the 2019 and 2021 analyses describe (DOMAIN.md §4.5, §5):

- a level is the job role's competence need (its target profile) less a typical shortfall, plus
  the person's skill, their library, municipality and region, and noise, rounded and clipped to
  the scale. The shortfalls put the largest gaps in usage statistics (D4.2), online
  dissemination (D3.3), licence terms (D1.2) and, for staff, in leadership (D6); librarians are
  strong in D1–D3, communicators in D3.3, digital guides in D5;
- municipalities differ clearly (a few are much stronger or weaker than the rest) and so do
  their response rates; regions differ far less;
- a municipality's "culture" (how much dissemination is part of the core task) moves the
  dissemination and leadership competencies, the leadership barriers and the leaders' practice;
- in the barrier survey staff agree more with time, knowledge and competence development, and
  leaders more with budget and licence terms; leaders see far less of a priority or mindset
  problem than their staff do (the leader–staff gap of the 2021 analysis);
- leaders rate their own D6 competencies well above their staff's, yet below the high needs of
  their roles.

Demo rounds are told apart by their title, which ends in DEMO_SUFFIX, together with the key of a
shipped survey and no creator (a round made in the product always has one). Round has no field
that marks demo data, and a title is what a visitor sees anyway.

generate() is pure (no database): the same seed and the same people give the same answers.
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from digikompas.frameworks.models import Framework, TargetLevel
from digikompas.frameworks.services import load_default_framework
from digikompas.orgs import demo as orgs_demo
from digikompas.orgs.models import JobRole, Person, Role, RoleGrant

from . import scores
from .defaults import COMPETENCE_SURVEY_KEY, load_default_surveys
from .models import (
    AGREEMENT_SCALE,
    AnonymityMode,
    Answer,
    Invitation,
    Item,
    Response,
    Round,
    Survey,
)
from .services import _answer

DEFAULT_SEED = orgs_demo.DEFAULT_SEED
DEMO_SUFFIX = "(demo)"
BARRIER_SURVEY_KEY = "barrierer"
LEADERSHIP_SURVEY_KEY = "digitalt-lederskab"
SURVEY_KEYS = (COMPETENCE_SURVEY_KEY, BARRIER_SURVEY_KEY, LEADERSHIP_SURVEY_KEY)

STAFF_ROLES = (
    JobRole.LIBRARIAN,
    JobRole.LIBRARY_ASSISTANT,
    JobRole.COMMUNICATOR,
    JobRole.DIGITAL_GUIDE,
    JobRole.STUDENT_ASSISTANT,
)
LEADER_ROLES = (JobRole.LIBRARY_LEADER, JobRole.HEAD_OF_LIBRARIES)


@dataclass(frozen=True)
class RoundPlan:
    key: str  # the survey
    title: str  # before the season and DEMO_SUFFIX
    anonymity: str
    job_roles: tuple[str, ...]


PLANS = (
    RoundPlan(
        COMPETENCE_SURVEY_KEY, "Kompetencekortlægning", AnonymityMode.CONFIDENTIAL, STAFF_ROLES
    ),
    RoundPlan(
        BARRIER_SURVEY_KEY,
        "Barrierekortlægning",
        AnonymityMode.ANONYMOUS,
        STAFF_ROLES + LEADER_ROLES,
    ),
    RoundPlan(
        LEADERSHIP_SURVEY_KEY, "Digitalt lederskab", AnonymityMode.CONFIDENTIAL, LEADER_ROLES
    ),
)

# The rounds closed three weeks before the day the demo is loaded, after four weeks open, with a
# reminder halfway.
CLOSED_AGO = datetime.timedelta(weeks=3)
OPEN_FOR = datetime.timedelta(weeks=4)
REMINDER_AFTER = datetime.timedelta(weeks=2)
SEASONS = {
    12: "vinter", 1: "vinter", 2: "vinter",
    3: "forår", 4: "forår", 5: "forår",
    6: "sommer", 7: "sommer", 8: "sommer",
    9: "efterår", 10: "efterår", 11: "efterår",
}  # fmt: skip

# -- the model ----------------------------------------------------------------------------------
# Spreads (standard deviations, in levels) of the effects that make up a competence level.
PERSON_SD = 0.4  # a person's general skill
PERSON_DOMAIN_SD = 0.25  # ... and their own strengths and weaknesses by domain
LIBRARY_SD = 0.12
MUNICIPALITY_SD = 0.16
# A few municipalities stand out clearly, as the 2019 analysis found: this many pairs, one above
# and one below the rest by about this much. A pair lies in one region, so that the regions
# differ far less than their municipalities.
OUTLYING_PAIRS = 4
OUTLIER_EFFECT = (0.4, 0.55)
REGION_SD = 0.08
NOISE_SD = 0.5
# How much a municipality's culture moves the competencies of a domain.
CULTURE_WEIGHT = {"D3": 0.12, "D4": 0.1, "D6": 0.12}

# The share of the competence need that staff typically lack: the mean level is
# need × (1 − shortfall). Looked up by (role, competency), competency, (role, domain), domain.
DEFAULT_SHORTFALL = 0.12
SHORTFALL = {
    "D1.2": 0.35,  # licence terms: quotas and on-site-only access are poorly known
    "D3.3": 0.45,  # content for web, newsletters and social media
    "D4.1": 0.3,
    "D4.2": 0.55,  # reading usage statistics: the biggest gap of all
    "D4.3": 0.4,
    "D6": 0.4,  # leadership topics are far from most staff
    (JobRole.LIBRARIAN, "D1"): 0.05,
    (JobRole.LIBRARIAN, "D2"): 0.05,
    (JobRole.LIBRARIAN, "D3"): 0.05,
    (JobRole.LIBRARY_ASSISTANT, "D3.5"): 0.05,  # they meet the users at the desk
    (JobRole.COMMUNICATOR, "D3"): 0.05,
    (JobRole.COMMUNICATOR, "D3.3"): 0.12,  # the strongest in D3.3, below its high need
    (JobRole.DIGITAL_GUIDE, "D5"): 0.03,
}
# Leaders rate their D6 competencies (1–4) in the leadership self-assessment.
LEADER_SHORTFALL = {JobRole.LIBRARY_LEADER: 0.3, JobRole.HEAD_OF_LIBRARIES: 0.25}
LEADER_NOISE_SD = 0.45
LEADER_SCALE = (1, 4)

# Barrier statements, on the agreement scale 1–5: the staff's mean, and how leaders differ.
BARRIER_BASE = {
    "priority": 3.2,
    "strategy": 3.0,
    "competence-development": 3.5,
    "follow-up": 3.4,
    "mindset": 2.9,
    "time": 3.8,
    "budget": 2.9,
    "technical-access": 2.5,
    "knowledge": 3.2,
    "licence-terms": 3.0,
    "collaboration": 3.0,
    "marketing-channels": 3.2,
}
LEADER_BARRIER_SHIFT = {
    "priority": -1.0,
    "strategy": -0.6,
    "competence-development": -0.7,
    "follow-up": -0.3,
    "mindset": -0.9,
    "time": -0.5,
    "budget": 0.9,
    "technical-access": -0.1,
    "knowledge": -0.8,
    "licence-terms": 0.8,
    "collaboration": 0.2,
}
ROLE_BARRIER_SHIFT = {
    (JobRole.STUDENT_ASSISTANT, "knowledge"): 0.4,
    (JobRole.STUDENT_ASSISTANT, "competence-development"): 0.3,
    (JobRole.COMMUNICATOR, "marketing-channels"): -0.4,
    (JobRole.DIGITAL_GUIDE, "technical-access"): 0.3,
    (JobRole.DIGITAL_GUIDE, "knowledge"): -0.3,
}
# Barriers a municipality's culture lowers, and those a person's own skill lowers.
CULTURE_BARRIERS = {"priority", "strategy", "competence-development", "follow-up", "mindset"}
SKILL_BARRIERS = {"knowledge", "competence-development", "time"}
BARRIER_TENDENCY_SD = 0.35
BARRIER_NOISE_SD = 0.8
AGREEMENT = (AGREEMENT_SCALE[0][0], AGREEMENT_SCALE[-1][0])

# Response rates: a municipality's lies in this range around the mean; some groups answer more
# or less than their municipality.
RESPONSE_RATE = (0.45, 0.85)
MEAN_RESPONSE_RATE = 0.65
RESPONSE_RATE_SHIFT = {
    JobRole.STUDENT_ASSISTANT: -0.12,
    JobRole.LIBRARY_LEADER: 0.08,
    JobRole.HEAD_OF_LIBRARIES: 0.1,
}
LEADERSHIP_ROUND_BONUS = 0.05  # leaders answer their own survey a little more often

# Resources disseminated in the last month: how likely each is for someone who disseminates daily.
RESOURCES = {
    "ereolen": 0.85,
    "ereolen-go": 0.35,
    "filmstriben": 0.6,
    "infomedia": 0.4,
    "faktalink": 0.3,
    "forfatterweb": 0.15,
    "litteratursiden": 0.35,
    "bibliotek-dk": 0.5,
    "mediestream": 0.08,
    "other": 0.1,
}
FREQUENCIES = ("never", "yearly", "monthly", "weekly", "daily")
FREQUENCY_INTENSITY = {"yearly": 0.35, "monthly": 0.65, "weekly": 0.9, "daily": 1.0}
FREQUENCY_SHIFT = {
    JobRole.LIBRARIAN: 0.2,
    JobRole.COMMUNICATOR: 0.6,
    JobRole.DIGITAL_GUIDE: 0.5,
    JobRole.STUDENT_ASSISTANT: -0.5,
    JobRole.LIBRARY_LEADER: -0.3,
    JobRole.HEAD_OF_LIBRARIES: -0.9,
}

# Free texts: a small pool of realistic answers, without names.
WHAT_WOULD_HELP = (
    "Faste timer i vagtplanen til at sætte mig ind i ressourcerne.",
    "Korte introduktioner til nye ressourcer, fx på personalemøderne.",
    "Færdige opslag, skilte og tekster til sociale medier, som vi kan bruge med det samme.",
    "Et overblik over, hvilke ressourcer vi har, og hvilke brugere de passer til.",
    "Adgang til brugsstatistikken, så vi kan se, om formidlingen virker.",
    "Mere ro ved skranken til at vise brugerne ressourcerne.",
    "En kollega, jeg kan spørge, når jeg er i tvivl.",
    "Et kursus i at formidle eReolen og Filmstriben til ældre brugere.",
    "En tablet ved skranken, så jeg kan vise ressourcerne frem.",
    "Klare aftaler om, hvem der gør hvad i formidlingen.",
)
COMMENTS = (
    "Lånekvoterne gør det svært at anbefale eReolen sidst på måneden.",
    "Vi bruger meget tid på at hjælpe med login, før vi overhovedet kan formidle noget.",
    "Det ville være godt at dele materialer med andre biblioteker i stedet for at lave alt selv.",
    "De digitale ressourcer bliver ofte glemt, når der er travlt i det fysiske bibliotek.",
    "Mange brugere kender ikke Filmstriben, men de bliver glade, når de hører om den.",
    "Jeg savner, at ledelsen efterspørger formidlingen og følger op på den.",
    "Ressourcer, der kun kan bruges på biblioteket, er svære at formidle.",
    "Det er svært at nå at holde sig opdateret på nye ressourcer.",
)
LEADER_CHALLENGES = (
    "At finde tid til formidling i en travl hverdag med mange andre opgaver.",
    "At prioritere mellem licenserne, når budgettet bliver mindre hvert år.",
    "At omsætte brugsstatistikken til beslutninger om til- og fravalg.",
    "At gøre de digitale ressourcer til en del af kerneopgaven for alle medarbejdere.",
    "At forhandle fælles licenser på plads med nabokommunerne.",
    "At måle, om formidlingen faktisk øger brugen.",
    "At give medarbejderne kompetenceudvikling uden at gå på kompromis med betjeningen.",
    "At forankre arbejdet i strategien, så det ikke hænger på enkelte ildsjæle.",
)


class DemoError(Exception):
    """The survey demo cannot be loaded or removed as asked; the message says why."""


# -- the pure generator -------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A person as the generator sees them: what they do and where."""

    email: str
    job_role: str
    library: str | None  # library code; None for a head of libraries
    municipality: int  # municipality code
    region: int  # region code


@dataclass(frozen=True)
class SurveyShape:
    """What the generator needs to know of the stored surveys and the framework."""

    competence_items: tuple[tuple[str, str], ...]  # (item code, competency code)
    barrier_items: tuple[tuple[str, str], ...]  # (item code, barrier category code)
    leadership_items: tuple[tuple[str, str], ...]  # (item code, competency code)
    targets: Mapping[str, Mapping[str, int]]  # job role → competency code → needed level
    scale: tuple[int, int] = (0, 4)  # the framework's lowest and highest level


@dataclass(frozen=True)
class Invitee:
    email: str
    # After the round opened; None for someone who did not answer.
    answered_after: datetime.timedelta | None
    reminded: bool
    answers: dict[str, object] = field(default_factory=dict)  # item code → value


@dataclass(frozen=True)
class _Municipality:
    skill: float
    culture: float  # about N(0, 1): how much dissemination is part of the core task
    response_rate: float
    collaborates: bool  # in resource collaborations beyond Det Digitale Folkebibliotek


@dataclass(frozen=True)
class _Person:
    member: Member
    skill: float  # the person's general skill plus that of their library, municipality, region
    domains: dict[str, float]
    culture: float  # of the municipality
    tendency: float  # how readily they agree with barrier statements
    engagement: float  # how readily they answer surveys


def round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def clip(value: float, low: float, high: float):
    return max(low, min(high, value))


def domain_of(competency_code: str) -> str:
    return competency_code.split(".", 1)[0]


def shortfall(job_role: str, competency_code: str) -> float:
    domain = domain_of(competency_code)
    for key in ((job_role, competency_code), competency_code, (job_role, domain), domain):
        if key in SHORTFALL:
            return SHORTFALL[key]
    return DEFAULT_SHORTFALL


class _Generator:
    def __init__(self, members: Sequence[Member], shape: SurveyShape, seed: int):
        self.rng = random.Random(seed)  # noqa: S311 – repeatable demo data, not a secret  # nosec B311
        self.shape = shape
        members = sorted(members, key=lambda m: m.email)
        self.municipalities = self._municipalities({m.municipality: m.region for m in members})
        regions = {
            code: self.rng.gauss(0, REGION_SD) for code in sorted({m.region for m in members})
        }
        libraries = {
            code: self.rng.gauss(0, LIBRARY_SD)
            for code in sorted({m.library for m in members if m.library})
        }
        domains = sorted({domain_of(c) for _, c in shape.competence_items + shape.leadership_items})
        self.people = []
        for m in members:
            municipality = self.municipalities[m.municipality]
            self.people.append(
                _Person(
                    member=m,
                    skill=self.rng.gauss(0, PERSON_SD)
                    + libraries.get(m.library, 0.0)
                    + municipality.skill
                    + regions[m.region],
                    domains={d: self.rng.gauss(0, PERSON_DOMAIN_SD) for d in domains},
                    culture=municipality.culture,
                    tendency=self.rng.gauss(0, BARRIER_TENDENCY_SD),
                    engagement=self.rng.gauss(0, 1),
                )
            )

    def _municipalities(self, regions: Mapping[int, int]) -> dict[int, _Municipality]:
        """The effects of the municipalities (municipality code → region code)."""
        rng = self.rng
        codes = sorted(regions)
        skill = {code: rng.gauss(0, MUNICIPALITY_SD) for code in codes}
        for region in sorted(set(regions.values()))[:OUTLYING_PAIRS]:
            within = [code for code in codes if regions[code] == region]
            if len(within) >= 2:
                strong, weak = rng.sample(within, 2)
                skill[strong] = rng.uniform(*OUTLIER_EFFECT)
                skill[weak] = -rng.uniform(*OUTLIER_EFFECT)
        result = {}
        for code in codes:
            # Culture goes with skill, but not in lockstep; the outliers are not off the scale.
            culture = 0.6 * clip(skill[code] / MUNICIPALITY_SD, -2, 2) + 0.8 * rng.gauss(0, 1)
            rate = MEAN_RESPONSE_RATE + 0.06 * culture + rng.gauss(0, 0.07)
            result[code] = _Municipality(
                skill=skill[code],
                culture=culture,
                response_rate=clip(rate, *RESPONSE_RATE),
                collaborates=rng.random() < 0.45,
            )
        return result

    # -- who answers, and when

    def _answers_at(self, person: _Person, *, bonus: float, forced: bool):
        rng = self.rng
        role = person.member.job_role
        rate = self.municipalities[person.member.municipality].response_rate
        p = clip(rate + RESPONSE_RATE_SHIFT.get(role, 0.0) + bonus + 0.06 * person.engagement,
                 0.05, 0.97)  # fmt: skip
        if rng.random() >= p and not forced:
            return None, True
        # Most answer in the first days; a second wave follows the reminder.
        if rng.random() < 0.62:
            day = min(int(rng.expovariate(1 / 3)), REMINDER_AFTER.days - 1)
        else:
            last = (OPEN_FOR - REMINDER_AFTER).days - 1
            day = REMINDER_AFTER.days + min(int(rng.expovariate(1 / 2.5)), last)
        after = datetime.timedelta(days=day, hours=rng.uniform(0.25, 9))
        return after, after >= REMINDER_AFTER

    def round(self, plan: RoundPlan, answer, *, forced: set[str], bonus: float = 0.0):
        invitees = []
        for person in self.people:
            if person.member.job_role not in plan.job_roles:
                continue
            after, reminded = self._answers_at(
                person, bonus=bonus, forced=person.member.email in forced
            )
            answers = answer(person) if after is not None else {}
            invitees.append(Invitee(person.member.email, after, reminded, answers))
        return invitees

    # -- the competence survey

    def level(self, person: _Person, competency: str) -> int:
        role = person.member.job_role
        need = self.shape.targets.get(role, {}).get(competency, 1)
        domain = domain_of(competency)
        x = (
            need * (1 - shortfall(role, competency))
            + person.skill
            + person.domains[domain]
            + CULTURE_WEIGHT.get(domain, 0.0) * person.culture
            + self.rng.gauss(0, NOISE_SD)
        )
        return clip(round_half_up(x), *self.shape.scale)

    def competence(self, person: _Person) -> dict[str, object]:
        return {code: self.level(person, c) for code, c in self.shape.competence_items}

    # -- the barrier survey

    def barriers(self, person: _Person) -> dict[str, object]:
        rng = self.rng
        role = person.member.job_role
        leader = role in LEADER_ROLES
        municipality = self.municipalities[person.member.municipality]
        answers: dict[str, object] = {}
        for code, category in self.shape.barrier_items:
            x = BARRIER_BASE.get(category, 3.0) + person.tendency
            x += LEADER_BARRIER_SHIFT.get(category, 0.0) if leader else 0.0
            x += ROLE_BARRIER_SHIFT.get((role, category), 0.0)
            if category in CULTURE_BARRIERS:
                x -= 0.35 * person.culture
            if category in SKILL_BARRIERS:
                x -= 0.8 * person.skill
            if category == "collaboration":
                x += -0.4 if municipality.collaborates else 0.2
            answers[code] = clip(round_half_up(x + rng.gauss(0, BARRIER_NOISE_SD)), *AGREEMENT)

        score = (
            0.8 * person.skill
            + 0.4 * person.culture
            + FREQUENCY_SHIFT.get(role, 0.0)
            + rng.gauss(0, 0.7)
        )
        frequency = FREQUENCIES[sum(score >= t for t in (-1.3, -0.5, 0.5, 1.3))]
        answers["frequency"] = frequency
        if frequency == "never":
            if rng.random() < 0.5:
                answers["resources-used"] = ["none"]
        elif rng.random() < 0.85:
            intensity = FREQUENCY_INTENSITY[frequency]
            used = [r for r, p in RESOURCES.items() if rng.random() < p * intensity]
            answers["resources-used"] = used or ["none"]
        if rng.random() < 0.75:
            hours = math.exp(rng.gauss(1.6 + 0.5 * person.skill + 0.15 * person.culture, 0.8))
            answers["learning-hours"] = clip(round_half_up(hours - 1), 0, 500)
        need = -person.skill + rng.gauss(0, 0.6)
        answers["more-knowledge"] = "yes" if need > 0.1 else "partly" if need > -0.6 else "no"
        if frequency in ("never", "yearly") and rng.random() < 0.35:
            answers["what-would-help"] = rng.choice(WHAT_WOULD_HELP)
        if rng.random() < 0.07:
            answers["comment"] = rng.choice(COMMENTS)
        return answers

    # -- the leadership self-assessment

    def leadership(self, person: _Person) -> dict[str, object]:
        rng = self.rng
        role = person.member.job_role
        municipality = self.municipalities[person.member.municipality]
        answers: dict[str, object] = {}
        levels: dict[str, int] = {}
        for code, competency in self.shape.leadership_items:
            need = self.shape.targets.get(role, {}).get(competency, 3)
            x = (
                need * (1 - LEADER_SHORTFALL.get(role, 0.3))
                + person.skill
                + person.domains[domain_of(competency)]
                + 0.15 * person.culture
                + rng.gauss(0, LEADER_NOISE_SD)
            )
            levels[competency] = answers[code] = clip(round_half_up(x), *LEADER_SCALE)
        mean = sum(levels.values()) / len(levels) if levels else 2.5

        def practice(level: float, thresholds, values):
            score = 0.8 * (level - 2.5) + 0.4 * person.culture + rng.gauss(0, 0.7)
            return values[sum(score >= t for t in thresholds)]

        answers["written-goals"] = practice(mean, (-0.3, 0.5), ("no", "in-progress", "yes"))
        answers["statistics-follow-up"] = practice(
            levels.get("D6.2", mean), (-1.0, -0.1, 0.8), ("never", "yearly", "quarterly", "monthly")
        )
        answers["dissemination-forum"] = practice(
            levels.get("D6.4", mean),
            (-1.2, -0.5, 0.3, 1.0),
            ("never", "yearly", "quarterly", "monthly", "weekly"),
        )
        answers["dissemination-time"] = practice(mean, (-0.1, 1.0), ("no", "yes-some", "yes-all"))
        answers["competence-plan"] = practice(
            levels.get("D6.5", mean), (-0.2, 0.6), ("no", "in-progress", "yes")
        )
        if rng.random() < 0.8:
            hours = math.exp(rng.gauss(1.7 + 0.3 * person.culture + 0.2 * (mean - 2.5), 0.6))
            answers["staff-learning-hours"] = clip(round_half_up(hours), 0, 200)
        head = role == JobRole.HEAD_OF_LIBRARIES
        if rng.random() < (0.04 if head else 0.15):
            answers["collaboration"] = "dont-know"
        else:
            answers["collaboration"] = "yes" if municipality.collaborates else "no"
        deciders = (
            {"head-of-library": 45, "management-team": 20, "municipality": 15, "other": 5}
            if head
            else {"head-of-library": 35, "management-team": 30, "staff-group": 20, "other": 2}
        )
        if municipality.collaborates:
            deciders["collaboration"] = 15 if head else 10
        answers["licence-decision"] = rng.choices(list(deciders), list(deciders.values()))[0]
        chances = {
            "usage-statistics": 0.3 + 0.2 * (levels.get("D6.2", mean) - 2),
            "cost-per-loan": 0.15 + 0.2 * (levels.get("D6.6", mean) - 2),
            "user-surveys": 0.2,
            "other-libraries": 0.5 if municipality.collaborates else 0.15,
            "vendor-offers": 0.55,
        }
        tools = [tool for tool, p in chances.items() if rng.random() < p]
        answers["selection-tools"] = tools or ["none"]
        if rng.random() < 0.35:
            answers["biggest-challenge"] = rng.choice(LEADER_CHALLENGES)
        return answers


def generate(
    members: Iterable[Member],
    shape: SurveyShape,
    *,
    seed: int = DEFAULT_SEED,
    forced: Iterable[str] = (),
) -> dict[str, list[Invitee]]:
    """Invitations and answers of the three demo rounds, by survey key; everyone in `forced`
    (e-mail addresses) answers. The same members, shape and seed give the same result."""
    generator = _Generator(list(members), shape, seed)
    forced = set(forced)
    competence, barriers, leadership = PLANS
    return {
        competence.key: generator.round(competence, generator.competence, forced=forced),
        barriers.key: generator.round(barriers, generator.barriers, forced=forced),
        leadership.key: generator.round(
            leadership, generator.leadership, forced=forced, bonus=LEADERSHIP_ROUND_BONUS
        ),
    }


def title_of(plan: RoundPlan, opens_at: datetime.datetime) -> str:
    local = timezone.localtime(opens_at)
    return f"{plan.title} {SEASONS[local.month]} {local.year} {DEMO_SUFFIX}"


# -- the database -------------------------------------------------------------------------------


def demo_rounds():
    """The rounds of the demo: a shipped survey, a title ending in DEMO_SUFFIX, no creator."""
    return Round.objects.filter(
        survey__key__in=SURVEY_KEYS,
        title__endswith=f" {DEMO_SUFFIX}",
        created_by__isnull=True,
    )


def is_loaded() -> bool:
    """True when the three demo rounds exist; DemoError when only some do."""
    found = demo_rounds().count()
    if 0 < found < len(PLANS):
        raise DemoError(
            f"Only {found} of the {len(PLANS)} demo rounds exist; "
            "run load_survey_demo --reset to load them again."
        )
    if found and demo_rounds().filter(invitations__isnull=True).exists():
        # load_demo --reset deleted the people, and their invitations with them.
        raise DemoError(
            "The demo rounds have lost their invitations (the national demo was loaded again); "
            "run load_survey_demo --reset to answer them anew."
        )
    return found >= len(PLANS)


def remove() -> int:
    """Delete the demo rounds with their invitations, responses and answers; returns how many
    rounds were deleted."""
    rounds = list(demo_rounds().values_list("pk", flat=True))
    delete_rounds(rounds)
    return len(rounds)


def delete_rounds(round_ids: Sequence[int]) -> None:
    """Delete rounds with their invitations, responses and answers, leaf first.

    Answers are deleted by the ids of their responses, a batch at a time, so that every
    statement reads one table through an index. A DELETE that joins answers to responses
    leaves the plan to the table statistics, and just after a bulk load PostgreSQL may not
    have any yet: it then chose a nested loop that ran for an hour."""
    response_ids = list(Response.objects.filter(round__in=round_ids).values_list("pk", flat=True))
    for start in range(0, len(response_ids), BATCH):
        Answer.objects.filter(response__in=response_ids[start : start + BATCH]).delete()
    Response.objects.filter(round__in=round_ids).delete()
    Invitation.objects.filter(round__in=round_ids).delete()
    Round.objects.filter(pk__in=round_ids).delete()


@dataclass(frozen=True)
class RoundSummary:
    title: str
    anonymity: str
    invited: int
    responses: int

    @property
    def percent(self) -> float:
        return 100 * self.responses / self.invited if self.invited else 0.0


def summary() -> list[RoundSummary]:
    result = []
    for round in demo_rounds().order_by("pk"):
        result.append(
            RoundSummary(
                title=round.title,
                anonymity=round.anonymity,
                invited=round.invitations.count(),
                responses=round.responses.count(),
            )
        )
    return result


@dataclass(frozen=True)
class _Where:
    """The database side of a Member."""

    person_id: int
    library_id: int | None
    municipality_id: int
    region_id: int


def _members() -> dict[Member, _Where]:
    """The demo's staff and leaders (with a library) and heads of libraries (with a municipality
    through their grant, having no library)."""
    demo_address = Q(email__iendswith=f"@{orgs_demo.DEMO_DOMAIN}") | Q(
        email__iendswith=f".{orgs_demo.DEMO_DOMAIN}"
    )
    result = {}
    for pk, email, job_role, library, code, municipality, m_code, region, r_code in (
        Person.objects.filter(demo_address, library__isnull=False)
        .filter(job_role__in=STAFF_ROLES + LEADER_ROLES)
        .values_list(
            "pk",
            "email",
            "job_role",
            "library_id",
            "library__code",
            "library__municipality_id",
            "library__municipality__code",
            "library__municipality__region_id",
            "library__municipality__region__code",
        )
    ):
        result[Member(email, job_role, code, m_code, r_code)] = _Where(
            pk, library, municipality, region
        )
    heads = (
        RoleGrant.objects.filter(
            role=Role.MUNICIPAL_LEADER,
            person__in=Person.objects.filter(
                demo_address, library__isnull=True, job_role=JobRole.HEAD_OF_LIBRARIES
            ),
        )
        .order_by("person_id", "municipality__code")
        .values_list(
            "person_id",
            "person__email",
            "municipality_id",
            "municipality__code",
            "municipality__region_id",
            "municipality__region__code",
        )
    )
    seen = set()
    for pk, email, municipality, m_code, region, r_code in heads:
        if pk not in seen:  # the first municipality of someone who heads several
            seen.add(pk)
            member = Member(email, JobRole.HEAD_OF_LIBRARIES, None, m_code, r_code)
            result[member] = _Where(pk, None, municipality, region)
    return result


def _shape(surveys, framework: Framework) -> tuple[SurveyShape, dict[str, dict[str, Item]]]:
    items = {
        key: {
            item.code: item
            for item in survey.items.select_related("competency", "barrier").order_by(
                "section__position", "position"
            )
        }
        for key, survey in surveys.items()
    }

    def rated(key):
        return tuple(
            (code, item.competency.code) for code, item in items[key].items() if item.competency
        )

    targets: dict[str, dict[str, int]] = {}
    for role, code, level in TargetLevel.objects.filter(
        profile__framework=framework, profile__library_kind=""
    ).values_list("profile__job_role", "competency__code", "level"):
        targets.setdefault(role, {})[code] = level
    levels = list(framework.levels.values_list("value", flat=True))
    shape = SurveyShape(
        competence_items=rated(COMPETENCE_SURVEY_KEY),
        barrier_items=tuple(
            (code, item.barrier.code)
            for code, item in items[BARRIER_SURVEY_KEY].items()
            if item.barrier
        ),
        leadership_items=rated(LEADERSHIP_SURVEY_KEY),
        targets=targets,
        scale=(min(levels), max(levels)) if levels else (0, 4),
    )
    return shape, items


def _surveys():
    framework, _created = load_default_framework()
    if not framework.is_published:
        raise DemoError("The default framework must be published before the survey demo.")
    load_default_surveys(framework=framework)
    surveys = {s.key: s for s in Survey.objects.filter(key__in=SURVEY_KEYS)}
    return surveys, surveys[COMPETENCE_SURVEY_KEY].framework or framework


BATCH = 1000


def _write(
    round: Round,
    invitees: list[Invitee],
    where: Mapping[str, tuple[Member, _Where]],
    items: Mapping[str, Item],
    rng: random.Random,
) -> None:
    opens_at = round.opens_at
    sent_at = opens_at + datetime.timedelta(minutes=5)
    reminded_at = opens_at + REMINDER_AFTER
    invitations = []
    anonymous = round.anonymity != AnonymityMode.CONFIDENTIAL
    for invitee in invitees:
        answered_at = opens_at + invitee.answered_after if invitee.answered_after else None
        if anonymous and answered_at:
            # As services.answered_at: an anonymous round keeps no moment of an answer.
            answered_at = round.opens_at
        invitations.append(
            Invitation(
                round=round,
                person_id=where[invitee.email][1].person_id,
                sent_at=sent_at,
                reminded_at=reminded_at if invitee.reminded else None,
                started_at=(
                    max(sent_at, answered_at - datetime.timedelta(minutes=rng.uniform(3, 20)))
                    if answered_at and not anonymous
                    else None
                ),
                responded_at=answered_at,
            )
        )
    invitations = Invitation.objects.bulk_create(invitations, batch_size=BATCH)
    answered = [
        (invitee, invitation)
        for invitee, invitation in zip(invitees, invitations, strict=True)
        if invitation.responded_at
    ]
    confidential = round.anonymity == AnonymityMode.CONFIDENTIAL
    if not confidential:
        # Nothing may tie an anonymous response to its invitation: not the order the rows are
        # written in (their ids), nor the moment of submission, which is not kept.
        rng.shuffle(answered)
    scale_items = list(items.values())
    for start in range(0, len(answered), BATCH):
        batch = answered[start : start + BATCH]
        responses = []
        for invitee, invitation in batch:
            member, unit = where[invitee.email]
            submitted_at = invitation.responded_at
            responses.append(
                Response(
                    round=round,
                    invitation=invitation if confidential else None,
                    person_id=unit.person_id if confidential else None,
                    library_id=unit.library_id,
                    municipality_id=unit.municipality_id,
                    region_id=unit.region_id,
                    job_role=member.job_role,
                    submitted_at=submitted_at,
                    scores=scores.pack(scores.scale_pairs(scale_items, invitee.answers)),
                )
            )
        responses = Response.objects.bulk_create(responses)
        Answer.objects.bulk_create(
            (
                _answer(response, items[code], value)
                for response, (invitee, _invitation) in zip(responses, batch, strict=True)
                for code, value in invitee.answers.items()
                if code in items
            ),
            batch_size=BATCH * 5,
        )


def load(
    *, seed: int = DEFAULT_SEED, reset: bool = False, today: datetime.date | None = None
) -> list[Round]:
    """Create and answer the three demo rounds in one transaction (after removing the old ones
    on reset). Needs the national demo of libraries and people; loads the default framework and
    surveys when they are missing."""
    with transaction.atomic():
        if reset:
            remove()
        elif is_loaded():
            raise DemoError("The survey demo is loaded already; --reset loads it again.")
        try:
            people_loaded = orgs_demo.is_loaded()
        except orgs_demo.DemoError as error:
            raise DemoError(str(error)) from None
        if not people_loaded:
            raise DemoError(
                "The survey demo needs the national demo of libraries and people; "
                "run load_demo first."
            )
        surveys, framework = _surveys()
        shape, items = _shape(surveys, framework)
        members = _members()
        where = {member.email: (member, unit) for member, unit in members.items()}
        logins = {login.email for login in orgs_demo.DEMO_LOGINS}
        invitees = generate(members, shape, seed=seed, forced=logins)

        today = today or timezone.localdate()
        tz = timezone.get_current_timezone()
        closes_at = datetime.datetime.combine(today - CLOSED_AGO, datetime.time(0, 0), tz)
        opens_at = datetime.datetime.combine((closes_at - OPEN_FOR).date(), datetime.time(8, 0), tz)
        # Timestamps and shuffles draw from their own generator, so that the answers depend on
        # the seed and the people only.
        rng = random.Random(seed + 1)  # noqa: S311 – repeatable demo data, not a secret  # nosec B311
        rounds = []
        for plan in PLANS:
            round = Round.objects.create(
                survey=surveys[plan.key],
                title=title_of(plan, opens_at),
                opens_at=opens_at,
                closes_at=closes_at,
                anonymity=plan.anonymity,
                job_roles=sorted(plan.job_roles),
            )
            _write(round, invitees[plan.key], where, items[plan.key], rng)
            rounds.append(round)
        _analyze(Invitation, Response, Answer)
    return rounds


def _analyze(*models) -> None:
    """Give PostgreSQL's planner statistics of the tables just filled, rather than leave the
    first queries to guess until autovacuum comes by."""
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
