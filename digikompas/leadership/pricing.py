"""What a licence costs, and what a use of a resource costs a municipality.

`licence_cost(licence)` prices a licence by its pricing model (see models.Licence):

- fixed: the fixed fee for the licence period;
- per_inhabitant: the band whose "from" is the largest not above the population applies to all
  inhabitants; the population is the municipality's (Municipality.population) or, for a
  collaboration, its members' – each member counting for the days of the period it was a member,
  and the band chosen by the members' average population over the period;
- base_plus_use: a base fee (fixed, or by population band as above) plus the price per use
  times the uses of the licence's usage metric in the period;
- per_loan: the price per loan times the loans (the usage metric); the monthly loan quota per
  borrower is a term shown beside the cost: it limits the loans, not the price.

A licence period need not be a calendar year (November–October is common). The cost of part of
a licence period is pro rata by days: fees and population prices scale by the days of the part
over the days of the licence period; usage is monthly, so a month that lies partly in the period
counts pro rata by its days inside it, and the priced uses are rounded to whole uses. Every amount
is a Decimal rounded to the øre (ROUND_HALF_UP) once, at the end, from exact fractions.

`cost_per_use(resource, municipality, metric, first=, last=)` divides the municipality's cost of
the resource in a period by its uses. A collaboration's licence costs the municipality its share:
its InvoiceShares of the licence's invoices when there are invoices in the period (pro rata by
days for an invoice reaching outside the period), else the collaboration's split rule applied to
the computed cost (leadership.costsplit). Each licence here covers one resource, so no package
cost is split between resources.

A licence that cannot be priced (a fee missing, no population known, no band for the
population, no usage metric named) raises PricingError with the reason in words.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Licence, PricingModel

ORE = Decimal("0.01")
ZERO = Decimal("0.00")


class PricingError(ValueError):
    """The licence lacks what its pricing model needs; the message says what, in words."""


@dataclass(frozen=True)
class Cost:
    amount: Decimal
    explanation: str
    uses: int | None = None
    complete: bool = True


@dataclass(frozen=True)
class CostPerUse:
    cost: Decimal | None
    uses: int
    per_use: Decimal | None
    metric: str
    rule: str
    missing_months: list[datetime.date] = field(default_factory=list)


# -- numbers and periods ------------------------------------------------------------------------


def to_ore(value: Fraction | Decimal | int) -> Decimal:
    """Kroner to the øre, half up (0.005 → 0.01, -0.005 → -0.01), exactly: from a fraction,
    not from a rounded float."""
    ore = Fraction(value) * 100
    rounded = math.floor(abs(ore) + Fraction(1, 2))
    return (Decimal(rounded if ore >= 0 else -rounded) / 100).quantize(ORE)


def round_half_up(value: Fraction) -> int:
    """A whole number of uses, half up."""
    rounded = math.floor(abs(value) + Fraction(1, 2))
    return rounded if value >= 0 else -rounded


def kroner(amount: Decimal | Fraction) -> str:
    """An amount as the page shows it, e.g. 1.234,50 kr. in Danish."""
    return _("%(amount)s kr.") % {
        "amount": formats.number_format(to_ore(amount), decimal_pos=2, force_grouping=True)
    }


def whole(number: int | Fraction) -> str:
    if isinstance(number, Fraction):
        number = round_half_up(number)
    return formats.number_format(number, decimal_pos=0, force_grouping=True)


def day_text(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def days(first: datetime.date, last: datetime.date) -> int:
    """Days from first to last, both included (0 when last is before first)."""
    return max((last - first).days + 1, 0)


def overlap(
    first: datetime.date, last: datetime.date, other_first: datetime.date, other_last
) -> tuple[datetime.date, datetime.date] | None:
    """The days two periods share (other_last None: open-ended), or None."""
    start = max(first, other_first)
    end = last if other_last is None else min(last, other_last)
    return (start, end) if start <= end else None


def months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months the period touches."""
    month = first.replace(day=1)
    out = []
    while month <= last:
        out.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Uses:
    """Uses of a metric in a period: exact (months partly inside count pro rata by days), the
    months without a figure, and whether any month counted only in part."""

    count: Fraction
    missing: list[datetime.date]
    partial_months: bool


def uses_between(resource, municipality, metric: str, first, last) -> Uses:
    from . import usage

    touched = months(first, last)
    if not touched:
        return Uses(Fraction(0), [], False)
    figures = usage.monthly(resource, municipality, metric, touched[0], touched[-1])
    total = Fraction(0)
    missing = []
    partial = False
    for month in touched:
        inside = days(max(first, month), min(last, month_end(month)))
        whole_month = days(month, month_end(month))
        if month not in figures:
            missing.append(month)
            continue
        if inside < whole_month:
            partial = True
        total += Fraction(figures[month]) * Fraction(inside, whole_month)
    return Uses(total, missing, partial)


# -- population ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Population:
    """Inhabitant-days over a period, the average population, and how it was reached."""

    inhabitant_days: Fraction
    average: Fraction
    text: str


def population(licence: Licence, first, last) -> Population:
    period_days = days(first, last)
    if licence.municipality_id is not None:
        municipality = licence.municipality
        if municipality.population is None:
            raise PricingError(
                _(
                    "The population of %(name)s is not known, so a price per inhabitant cannot "
                    "be computed."
                )
                % {"name": municipality.name}
            )
        text = _("%(name)s has %(population)s inhabitants") % {
            "name": municipality.name,
            "population": whole(municipality.population),
        }
        return Population(
            Fraction(municipality.population * period_days), Fraction(municipality.population), text
        )
    from .costsplit import member_days

    members = member_days(licence.collaboration, first, last)
    if not members:
        raise PricingError(
            _("The collaboration %(name)s had no members from %(first)s to %(last)s.")
            % {"name": licence.collaboration.name, "first": day_text(first), "last": day_text(last)}
        )
    total = Fraction(0)
    pieces = []
    for municipality, member in members.items():
        if municipality.population is None:
            raise PricingError(
                _(
                    "The population of %(name)s is not known, so a price per inhabitant cannot "
                    "be computed."
                )
                % {"name": municipality.name}
            )
        total += municipality.population * member
        if member < period_days:
            pieces.append(
                _("%(name)s %(population)s for %(days)d of %(all)d days")
                % {
                    "name": municipality.name,
                    "population": whole(municipality.population),
                    "days": member,
                    "all": period_days,
                }
            )
        else:
            pieces.append(f"{municipality.name} {whole(municipality.population)}")
    average = total / period_days
    text = _(
        "the members had %(population)s inhabitants on average over the period (%(members)s)"
    ) % {
        "population": whole(average),
        "members": ", ".join(pieces),
    }
    return Population(total, average, text)


def band_for(bands: list[dict], population: Fraction, key: str) -> dict:
    """The band whose "from" is the largest not above the population."""
    chosen = None
    for band in sorted(bands, key=lambda b: int(b["from"])):
        if int(band["from"]) <= population:
            chosen = band
    if chosen is None:
        raise PricingError(
            _(
                "No population band covers %(population)s inhabitants; the lowest band starts "
                "at %(from)s."
            )
            % {
                "population": whole(population),
                "from": whole(min(int(b["from"]) for b in bands)),
            }
        )
    if chosen.get(key) in (None, ""):
        raise PricingError(
            _("The band from %(from)s inhabitants has no price.")
            % {"from": whole(int(chosen["from"]))}
        )
    return chosen


# -- the cost of a licence ----------------------------------------------------------------------


def licence_cost(
    licence: Licence, *, first: datetime.date | None = None, last: datetime.date | None = None
) -> Cost:
    """What the licence costs for its whole period, or for the part of it from `first` to `last`
    (both included), with how it was computed in words. Raises PricingError when the licence
    lacks what its pricing model needs."""
    start, end = licence.starts_on, licence.ends_on
    first = max(first or start, start)
    last = min(last or end, end)
    if first > last:
        return Cost(
            ZERO,
            _("The period lies outside the licence period %(first)s–%(last)s: nothing is due.")
            % {"first": day_text(start), "last": day_text(end)},
            uses=None,
        )
    licence_days = days(start, end)
    part_days = days(first, last)
    fraction = Fraction(part_days, licence_days)
    sentences = []
    if part_days < licence_days:
        sentences.append(
            _(
                "For %(first)s–%(last)s: %(days)d of the %(all)d days of the licence period "
                "%(start)s–%(end)s, so fees count pro rata by days."
            )
            % {
                "first": day_text(first),
                "last": day_text(last),
                "days": part_days,
                "all": licence_days,
                "start": day_text(start),
                "end": day_text(end),
            }
        )
    model = licence.pricing_model
    if model == PricingModel.FIXED:
        if licence.fixed_fee is None:
            raise PricingError(_("The licence has no fixed fee."))
        amount = Fraction(licence.fixed_fee) * fraction
        sentences.append(
            _("A fixed fee of %(fee)s for the licence period.") % {"fee": kroner(licence.fixed_fee)}
        )
        return Cost(to_ore(amount), _join(sentences, amount), uses=None)

    if model == PricingModel.PER_INHABITANT:
        if not licence.bands:
            raise PricingError(_("The licence has no population bands."))
        people = population(licence, first, last)
        band = band_for(licence.bands, people.average, "price")
        price = Fraction(Decimal(str(band["price"])))
        amount = price * people.inhabitant_days / licence_days
        sentences.append(
            _(
                "Per inhabitant: %(population)s, in the band from %(from)s inhabitants at "
                "%(price)s per inhabitant for the licence period."
            )
            % {
                "population": people.text,
                "from": whole(int(band["from"])),
                "price": kroner(price),
            }
        )
        return Cost(to_ore(amount), _join(sentences, amount), uses=None)

    if model in (PricingModel.BASE_PLUS_USE, PricingModel.PER_LOAN):
        metric = licence.usage_metric
        if not metric:
            raise PricingError(_("The licence does not name the usage metric it is priced by."))
        amount = Fraction(0)
        if model == PricingModel.BASE_PLUS_USE:
            unit_price = licence.price_per_use
            if unit_price is None:
                raise PricingError(_("The licence has no price per use."))
            if licence.bands:
                people = population(licence, first, last)
                band = band_for(licence.bands, people.average, "fee")
                base = Fraction(Decimal(str(band["fee"])))
                sentences.append(
                    _(
                        "A base fee of %(fee)s for the licence period by population band: "
                        "%(population)s, in the band from %(from)s inhabitants."
                    )
                    % {
                        "fee": kroner(base),
                        "population": people.text,
                        "from": whole(int(band["from"])),
                    }
                )
            elif licence.base_fee is not None:
                base = Fraction(licence.base_fee)
                sentences.append(
                    _("A base fee of %(fee)s for the licence period.") % {"fee": kroner(base)}
                )
            else:
                raise PricingError(_("The licence has neither a base fee nor population bands."))
            amount += base * fraction
        else:
            unit_price = licence.price_per_loan
            if unit_price is None:
                raise PricingError(_("The licence has no price per loan."))
        used = _licence_uses(licence, metric, first, last)
        priced = round_half_up(used.count)
        amount += Fraction(unit_price) * priced
        if model == PricingModel.BASE_PLUS_USE:
            sentences.append(
                _("Plus %(price)s per use × %(uses)s %(metric)s.")
                % {"price": kroner(unit_price), "uses": whole(priced), "metric": metric}
            )
        else:
            sentences.append(
                _("%(price)s per loan × %(uses)s %(metric)s.")
                % {"price": kroner(unit_price), "uses": whole(priced), "metric": metric}
            )
            if licence.monthly_quota:
                sentences.append(
                    ngettext(
                        "Borrowers may borrow %(quota)d title a month (a term: the quota limits "
                        "the loans, not the price).",
                        "Borrowers may borrow %(quota)d titles a month (a term: the quota limits "
                        "the loans, not the price).",
                        licence.monthly_quota,
                    )
                    % {"quota": licence.monthly_quota}
                )
        if used.partial_months:
            sentences.append(
                _("Usage of a month partly inside the period counts pro rata by its days.")
            )
        if used.missing:
            sentences.append(
                _("No figures for %(months)s: the cost is incomplete.")
                % {
                    "months": ", ".join(
                        formats.date_format(m, "YEAR_MONTH_FORMAT") for m in used.missing
                    )
                }
            )
        return Cost(
            to_ore(amount), _join(sentences, amount), uses=priced, complete=not used.missing
        )
    raise PricingError(_("The licence has no known pricing model."))


def _join(sentences: list[str], amount: Fraction) -> str:
    return " ".join([*sentences, _("In all %(amount)s") % {"amount": kroner(amount)}])


def _licence_uses(licence: Licence, metric: str, first, last) -> Uses:
    """The licence holder's uses: a municipality's own, or each member's while it was a
    member."""
    if licence.municipality_id is not None:
        return uses_between(licence.resource, licence.municipality, metric, first, last)
    from .costsplit import member_periods

    total = Fraction(0)
    missing: set[datetime.date] = set()
    partial = False
    for municipality, periods in member_periods(licence.collaboration, first, last).items():
        for period_first, period_last in periods:
            used = uses_between(licence.resource, municipality, metric, period_first, period_last)
            total += used.count
            missing.update(used.missing)
            partial = partial or used.partial_months
    return Uses(total, sorted(missing), partial)


# -- cost per use -------------------------------------------------------------------------------


def licences_of(resource, municipality, first, last):
    """The licences of the resource in force in the period that the municipality pays for: its
    own, and those of collaborations it was a member of in the period."""
    return (
        Licence.objects.filter(resource=resource, starts_on__lte=last, ends_on__gte=first)
        .filter(
            Q(municipality=municipality)
            | Q(
                collaboration__memberships__municipality=municipality,
                collaboration__memberships__joined_on__lte=last,
            )
            & (
                Q(collaboration__memberships__left_on__isnull=True)
                | Q(collaboration__memberships__left_on__gte=first)
            )
        )
        .select_related("resource", "municipality", "collaboration")
        .distinct()
        .order_by("starts_on", "pk")
    )


def municipality_share(licence: Licence, municipality, first, last) -> tuple[Decimal, str]:
    """What a collaboration's licence costs one member from first to last, and the rule."""
    from . import costsplit

    first = max(first, licence.starts_on)
    last = min(last, licence.ends_on)
    invoices = list(
        licence.invoices.filter(period_start__lte=last, period_end__gte=first).prefetch_related(
            "shares"
        )
    )
    name = licence.collaboration.name
    if invoices:
        total = Fraction(0)
        covered = 0
        for invoice in invoices:
            stored = {share.municipality_id: share.amount for share in invoice.shares.all()}
            if not stored:
                stored = {s.municipality.pk: s.amount for s in costsplit.split(invoice)}
            part = overlap(first, last, invoice.period_start, invoice.period_end)
            part_days = days(*part)
            covered += part_days
            share = stored.get(municipality.pk, ZERO)
            total += Fraction(share) * Fraction(
                part_days, days(invoice.period_start, invoice.period_end)
            )
        rule = ngettext(
            "%(name)s's share of %(count)d invoice of the collaboration %(collaboration)s "
            "(invoices reaching outside the period count pro rata by days; they cover %(covered)d "
            "of %(all)d days).",
            "%(name)s's shares of %(count)d invoices of the collaboration %(collaboration)s "
            "(invoices reaching outside the period count pro rata by days; they cover %(covered)d "
            "of %(all)d days).",
            len(invoices),
        ) % {
            "name": municipality.name,
            "count": len(invoices),
            "collaboration": name,
            "covered": min(covered, days(first, last)),
            "all": days(first, last),
        }
        return to_ore(total), rule
    cost = licence_cost(licence, first=first, last=last)
    shares = costsplit.split_amount(
        collaboration=licence.collaboration,
        resource=licence.resource,
        amount=cost.amount,
        first=first,
        last=last,
    )
    mine = next((s for s in shares if s.municipality.pk == municipality.pk), None)
    rule = _(
        "No invoices yet: the computed cost of %(cost)s split by the rule of the collaboration "
        "%(collaboration)s (%(rule)s)%(basis)s."
    ) % {
        "cost": kroner(cost.amount),
        "collaboration": name,
        "rule": licence.collaboration.get_split_rule_display().lower(),
        "basis": f": {mine.basis}" if mine else "",
    }
    return (mine.amount if mine else ZERO), rule


def cost_per_use(resource, municipality, metric: str, *, first, last) -> CostPerUse:
    """The municipality's cost of the resource from first to last divided by its uses of the
    metric in the period. `cost` is None when there is no licence or one cannot be priced
    (`rule` says why); `per_use` is None without a cost or without uses."""
    used = uses_between(resource, municipality, metric, first, last)
    uses = round_half_up(used.count)
    licences = list(licences_of(resource, municipality, first, last))
    one_resource = _("Each licence covers this resource alone, so no package cost is split.")
    if not licences:
        return CostPerUse(
            None,
            uses,
            None,
            metric,
            _("%(name)s has no licence for %(resource)s in the period.")
            % {"name": municipality.name, "resource": resource.name},
            used.missing,
        )
    # Imported here: costsplit imports this module.
    from .costsplit import SplitError

    total = Decimal(0)
    rules = []
    try:
        for licence in licences:
            if licence.municipality_id is not None:
                cost = licence_cost(licence, first=first, last=last)
                total += cost.amount
                rules.append(
                    _("Own licence %(first)s–%(last)s: %(amount)s")
                    % {
                        "first": day_text(licence.starts_on),
                        "last": day_text(licence.ends_on),
                        "amount": kroner(cost.amount),
                    }
                )
            else:
                share, rule = municipality_share(licence, municipality, first, last)
                total += share
                rules.append(rule)
    except (PricingError, SplitError) as error:
        return CostPerUse(
            None,
            uses,
            None,
            metric,
            _("The cost cannot be computed: %(reason)s") % {"reason": error},
            used.missing,
        )
    rules.append(one_resource)
    per_use = to_ore(Fraction(total) / uses) if uses else None
    return CostPerUse(to_ore(total), uses, per_use, metric, " ".join(rules), used.missing)
