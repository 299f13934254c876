"""Retention: a round keeps what links its answers to people for `Round.retention_months` after
it closes; then the clean-up (`manage.py apply_retention`, or the task of the same name) removes
that link and stamps the round (`Round.personal_data_removed_at`).

What goes: every invitation of the round (who was asked, their personal links, answers saved but
never submitted, when they answered) and, in the responses, the person, the invitation and the
key of an imported row. What stays: the responses with their answers and the unit and job role
they were given for, exactly as the anonymous results need them. Because no response is
deleted, every published figure stays what it was, and the analysis engine goes on hiding every
group below the anonymity minimum, so the clean-up makes nothing derivable that was not before.
A round without a retention period keeps its data until someone deletes it.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digikompas.surveys.models import Round

from . import audit
from .models import Action


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time `months` later, or the month's last day when it is shorter."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def retained_until(round: Round) -> datetime.datetime | None:
    """When the round's personal data is due to be removed; None when it is kept."""
    if round.retention_months is None:
        return None
    return add_months(round.closes_at, round.retention_months)


def expired_rounds(now: datetime.datetime | None = None) -> list[Round]:
    """Rounds whose retention period has ended and whose personal data is still there."""
    now = now or timezone.now()
    candidates = Round.objects.filter(
        retention_months__isnull=False, personal_data_removed_at__isnull=True, closes_at__lt=now
    ).order_by("closes_at", "pk")
    # Months have different lengths, so the end is worked out here rather than in SQL; there
    # are a few rounds a year.
    return [round for round in candidates if retained_until(round) <= now]


@dataclass(frozen=True)
class Cleaned:
    round: Round
    invitations: int
    responses: int
    dry_run: bool = False

    def describe(self) -> str:
        values = {"round": self.round, "invitations": self.invitations, "responses": self.responses}
        if self.dry_run:
            return (
                _(
                    "%(round)s: %(invitations)s invitations would be deleted and %(responses)s "
                    "responses unlinked from people."
                )
                % values
            )
        return (
            _(
                "%(round)s: %(invitations)s invitations deleted, %(responses)s responses unlinked "
                "from people."
            )
            % values
        )


def _counts(round: Round) -> tuple[int, int]:
    linked = round.responses.exclude(person=None, invitation=None, import_key="")
    return round.invitations.count(), linked.count()


def apply_retention(
    *, now: datetime.datetime | None = None, dry_run: bool = False
) -> list[Cleaned]:
    """Remove the personal data of every expired round (see the module's docstring); with
    dry_run, only say what would go. Each round is cleaned in its own transaction and claimed by
    a conditional update, so two runs at once clean each round once."""
    now = now or timezone.now()
    done = []
    for round in expired_rounds(now):
        if dry_run:
            invitations, responses = _counts(round)
            done.append(Cleaned(round, invitations, responses, dry_run=True))
            continue
        with transaction.atomic():
            claimed = Round.objects.filter(
                pk=round.pk, personal_data_removed_at__isnull=True
            ).update(personal_data_removed_at=now)
            if not claimed:
                continue  # another run has it
            invitations, responses = _counts(round)
            round.responses.update(person=None, invitation=None, import_key="")
            round.invitations.all().delete()
            cleaned = Cleaned(round, invitations, responses)
            audit.record_system(Action.APPLIED_RETENTION, obj=round, detail=cleaned.describe())
        done.append(cleaned)
    return done
