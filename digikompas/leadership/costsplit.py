"""Each member's share of a collaboration's invoice, exact to the øre.

The rule is the collaboration's `split_rule`:

- equal: every member the same;
- population: in proportion to Municipality.population;
- usage: in proportion to the member's uses of the collaboration's `usage_metric` for the
  licence's resource over the invoice period (counted only while it was a member); a member
  with no usage pays 0, unless no member has any, when the shares are equal (said in the basis);
- custom: in proportion to the agreed shares (Membership.share, weights that need not sum to
  anything).

Only members active during the invoice period count. A member for part of the period counts
pro rata by days: its weight (1, its population or its agreed share) is multiplied by the days it
was a member over the days of the period, and the basis says so. (Usage needs no such factor: it
is only counted while the municipality was a member.)

The exact shares are fractions of the amount; the øre are handed out by the largest-remainder
method: every member first gets its exact share rounded down to the øre, then the øre left over
go one each to the members with the largest remainders. Ties are broken by municipality name
(alphabetically, then by id), so the same invoice always splits the same way. The shares are
never negative and always sum exactly to the invoice amount.

`store_split(invoice)` saves the shares as InvoiceShare rows, replacing any earlier split of the
invoice, so splitting again never doubles. Problems raise SplitError with the reason in words.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from digikompas.orgs.models import Municipality

from .models import Collaboration, Invoice, InvoiceShare
from .pricing import day_text, days, uses_between, whole

# The basis is stored in InvoiceShare.basis (200 characters).
BASIS_LENGTH = 200


class SplitError(ValueError):
    """The invoice cannot be split; the message says why, in words."""


@dataclass(frozen=True)
class Share:
    municipality: Municipality
    amount: Decimal
    basis: str


# -- members over a period ----------------------------------------------------------------------


def member_periods(
    collaboration: Collaboration, first: datetime.date, last: datetime.date
) -> dict[Municipality, list[tuple[datetime.date, datetime.date]]]:
    """The days from first to last each municipality was a member, as merged periods (a
    municipality that left and joined again has two), by municipality name."""
    spans: dict[Municipality, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    memberships = collaboration.memberships.filter(joined_on__lte=last).select_related(
        "municipality"
    )
    for membership in memberships:
        end = last if membership.left_on is None else min(last, membership.left_on)
        start = max(first, membership.joined_on)
        if start <= end:
            spans[membership.municipality].append((start, end))
    merged = {}
    for municipality, periods in spans.items():
        periods.sort()
        out = [periods[0]]
        for start, end in periods[1:]:
            if start <= out[-1][1] + datetime.timedelta(days=1):
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        merged[municipality] = out
    return dict(sorted(merged.items(), key=lambda item: (item[0].name, item[0].pk)))


def member_days(
    collaboration: Collaboration, first: datetime.date, last: datetime.date
) -> dict[Municipality, int]:
    """The number of days from first to last each municipality was a member."""
    return {
        municipality: sum(days(start, end) for start, end in periods)
        for municipality, periods in member_periods(collaboration, first, last).items()
    }


# -- the split ----------------------------------------------------------------------------------


def largest_remainder(total_ore: int, weights: dict, order) -> dict:
    """`total_ore` øre split in proportion to `weights` (non-negative fractions, not all 0):
    each key's exact share rounded down, and the øre left over one each to the keys with the
    largest remainders; `order(key)` breaks ties (smallest first)."""
    weight_sum = sum(weights.values(), Fraction(0))
    exact = {key: Fraction(total_ore) * weight / weight_sum for key, weight in weights.items()}
    shares = {key: math.floor(value) for key, value in exact.items()}
    left = total_ore - sum(shares.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - shares[k]), order(k)))[:left]:
        shares[key] += 1
    return shares


def split(invoice: Invoice) -> list[Share]:
    """Each member's share of the invoice, by the collaboration's rule, summing to the amount
    (a municipality's own licence: the municipality pays all of it)."""
    licence = invoice.licence
    if licence.collaboration_id is None:
        return [Share(licence.municipality, invoice.amount, _("The municipality's own licence."))]
    return split_amount(
        collaboration=licence.collaboration,
        resource=licence.resource,
        amount=invoice.amount,
        first=invoice.period_start,
        last=invoice.period_end,
    )


def split_amount(
    *,
    collaboration: Collaboration,
    resource,
    amount: Decimal,
    first: datetime.date,
    last: datetime.date,
) -> list[Share]:
    """An amount for the period from first to last split between the collaboration's members
    by its rule, as `split` does for an invoice."""
    amount = Decimal(amount)
    if amount < 0:
        raise SplitError(_("An amount below zero cannot be split."))
    if amount != amount.quantize(Decimal("0.01")):
        raise SplitError(_("The amount must be in kroner and øre (two decimals)."))
    period_days = days(first, last)
    periods = member_periods(collaboration, first, last)
    if not periods:
        raise SplitError(
            _("The collaboration had no members from %(first)s to %(last)s.")
            % {"first": day_text(first), "last": day_text(last)}
        )
    member = {m: sum(days(s, e) for s, e in spans) for m, spans in periods.items()}
    time = {m: Fraction(d, period_days) for m, d in member.items()}
    rule = collaboration.split_rule
    weights: dict[Municipality, Fraction] = {}
    bases: dict[Municipality, str] = {}
    # Whether the weights carry the time factor (all but a usage split, which counts usage only
    # while the municipality was a member).
    timed = True
    if rule == Collaboration.SplitRule.EQUAL:
        for m in periods:
            weights[m] = time[m]
            bases[m] = _("Equal shares")
    elif rule == Collaboration.SplitRule.POPULATION:
        unknown = [m.name for m in periods if m.population is None]
        if unknown:
            raise SplitError(
                _(
                    "The population of %(names)s is not known, so the invoice cannot be split "
                    "by population."
                )
                % {"names": ", ".join(unknown)}
            )
        for m in periods:
            weights[m] = m.population * time[m]
            bases[m] = _("By population: %(population)s inhabitants") % {
                "population": whole(m.population)
            }
    elif rule == Collaboration.SplitRule.USAGE:
        metric = collaboration.usage_metric
        if not metric:
            raise SplitError(
                _(
                    "The collaboration splits by usage but names no usage metric; choose one on "
                    "its page."
                )
            )
        used = {
            m: sum(
                (uses_between(resource, m, metric, s, e).count for s, e in spans),
                Fraction(0),
            )
            for m, spans in periods.items()
        }
        if all(count == 0 for count in used.values()):
            for m in periods:
                weights[m] = time[m]
                bases[m] = _("By usage, but no member had any %(metric)s: equal shares") % {
                    "metric": metric
                }
        else:
            timed = False
            for m in periods:
                weights[m] = used[m]
                bases[m] = _("By usage: %(uses)s %(metric)s while a member") % {
                    "uses": whole(used[m]),
                    "metric": metric,
                }
    elif rule == Collaboration.SplitRule.CUSTOM:
        agreed = _agreed_shares(collaboration, periods, first, last)
        missing = [m.name for m in periods if agreed.get(m) is None]
        if missing:
            raise SplitError(
                ngettext(
                    "The collaboration splits by agreed shares, but %(names)s has no agreed share.",
                    "The collaboration splits by agreed shares, but %(names)s have no agreed "
                    "share.",
                    len(missing),
                )
                % {"names": ", ".join(missing)}
            )
        if all(agreed[m] == 0 for m in periods):
            raise SplitError(
                _("The collaboration splits by agreed shares, but every member's share is zero.")
            )
        total_agreed = sum((agreed[m] for m in periods), Decimal(0))
        for m in periods:
            weights[m] = Fraction(agreed[m]) * time[m]
            bases[m] = _("Agreed share %(share)s of %(total)s") % {
                "share": formats.number_format(agreed[m].normalize(), force_grouping=True),
                "total": formats.number_format(total_agreed.normalize(), force_grouping=True),
            }
    else:
        raise SplitError(_("The collaboration has no known split rule."))
    for m in periods:
        if member[m] < period_days:
            if timed:
                bases[m] += _("; a member %(days)d of %(all)d days, pro rata") % {
                    "days": member[m],
                    "all": period_days,
                }
            else:
                bases[m] += _("; counted while a member, %(days)d of %(all)d days") % {
                    "days": member[m],
                    "all": period_days,
                }
    total_ore = int(amount * 100)
    if sum(weights.values(), Fraction(0)) == 0:
        # Only possible for agreed shares of 0 for the members active in the period.
        raise SplitError(_("Every member's weight in the period is zero."))
    ore = largest_remainder(total_ore, weights, order=lambda m: (m.name, m.pk))
    return [
        Share(m, (Decimal(ore[m]) / 100).quantize(Decimal("0.01")), bases[m][:BASIS_LENGTH])
        for m in periods
    ]


def _agreed_shares(collaboration, periods, first, last) -> dict[Municipality, Decimal | None]:
    """Each member's agreed share in the period: the share of its latest membership in it."""
    agreed: dict[Municipality, Decimal | None] = {}
    memberships = (
        collaboration.memberships.filter(joined_on__lte=last)
        .select_related("municipality")
        .order_by("joined_on", "pk")
    )
    for membership in memberships:
        if membership.left_on is not None and membership.left_on < first:
            continue
        if membership.municipality in periods:
            agreed[membership.municipality] = membership.share
    return agreed


def store_split(invoice: Invoice) -> list[InvoiceShare]:
    """Split the invoice and keep the shares, replacing an earlier split of it."""
    shares = split(invoice)
    with transaction.atomic():
        invoice.shares.all().delete()
        return InvoiceShare.objects.bulk_create(
            InvoiceShare(
                invoice=invoice, municipality=s.municipality, amount=s.amount, basis=s.basis
            )
            for s in shares
        )
