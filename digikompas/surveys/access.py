"""Who may see surveys and rounds, and how much of a round's progress, on top of
digikompas.orgs.access.

Analysts run the surveys: they see every survey and round, with the counts of every unit, and
only they create rounds and send invitations and reminders. Library and municipal leaders see the
rounds that reach their units (a round for all of Denmark reaches everyone), with the counts of
their own units only; a round that does not reach them is not found (404). Everyone else,
administrators included (they manage people, not surveys), gets 403.

Counts are never names, and the counts of a group with fewer invited people than the anonymity
minimum are not shown at all (services.Rate.shown): in a unit of three, "3 of 3 answered" says who
answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from digikompas.orgs.access import Actor
from digikompas.orgs.models import Library, Role

from . import services
from .models import Round, Survey

ANALYSTS = (Role.ANALYST,)
LEADERS = (Role.LIBRARY_LEADER, Role.MUNICIPAL_LEADER)
# Who sees anything of surveys and rounds.
READERS = ANALYSTS + LEADERS

# How response rates are grouped (services.response_rates `by`).
BY_MUNICIPALITY = "municipality"
BY_LIBRARY = "library"


def runs_rounds(actor: Actor) -> bool:
    return actor.has_role(*ANALYSTS)


def require_reader(actor: Actor) -> None:
    if not actor.has_role(*READERS):
        raise PermissionDenied


def led_libraries(actor: Actor) -> QuerySet[Library]:
    """The libraries a leader leads, directly or through their municipality.

    Not orgs.access.managed_libraries: that one gives administrators every library, and
    administrators see no survey results."""
    return Library.objects.filter(
        Q(pk__in=actor.led_library_ids) | Q(municipality_id__in=actor.led_municipality_ids)
    )


def visible_rounds(actor: Actor) -> QuerySet[Round]:
    """Every round for analysts; for leaders the rounds whose population reaches one of their
    libraries: by municipality, by library, or because the round is for everyone."""
    if runs_rounds(actor):
        return Round.objects.all()
    if not actor.has_role(*LEADERS):
        raise PermissionDenied
    libraries = led_libraries(actor)
    by_municipality = Round.municipalities.through.objects
    by_library = Round.libraries.through.objects
    municipality_ids = libraries.values("municipality_id")
    return Round.objects.filter(
        Q(
            pk__in=by_municipality.filter(
                Q(municipality_id__in=municipality_ids)
                | Q(municipality_id__in=actor.led_municipality_ids)
            ).values("round_id")
        )
        | Q(pk__in=by_library.filter(library__in=libraries).values("round_id"))
        | (
            ~Exists(by_municipality.filter(round_id=OuterRef("pk")))
            & ~Exists(by_library.filter(round_id=OuterRef("pk")))
        )
    )


def get_survey(actor: Actor, pk: int) -> Survey:
    if not runs_rounds(actor):
        raise PermissionDenied
    try:
        return Survey.objects.select_related("framework").get(pk=pk)
    except Survey.DoesNotExist:
        raise Http404 from None


def get_round(actor: Actor, pk: int) -> Round:
    """A round the actor may read; 404 for a leader when it does not reach their units."""
    try:
        return visible_rounds(actor).select_related("survey", "follows").get(pk=pk)
    except Round.DoesNotExist:
        raise Http404 from None


def get_round_to_run(actor: Actor, pk: int) -> Round:
    """A round the actor may send invitations and reminders for."""
    if not runs_rounds(actor):
        raise PermissionDenied
    return get_round(actor, pk)


# -- what a reader may see of a round's progress -------------------------------------------------


def groupings(actor: Actor) -> tuple[str, ...]:
    """The groupings of response rates the actor may choose between, the default first.

    A leader of one library sees it by library only: "Odense" with only their library's people
    in it would read as the whole municipality."""
    if runs_rounds(actor) or actor.led_municipality_ids:
        return (BY_MUNICIPALITY, BY_LIBRARY)
    return (BY_LIBRARY,)


def rates_within(actor: Actor, by: str) -> QuerySet[Library] | None:
    """The libraries whose invitations count in the actor's response rates; None for all."""
    if runs_rounds(actor):
        return None
    if by == BY_MUNICIPALITY:
        # Whole municipalities only: a municipality is shown to the one who leads all of it.
        return Library.objects.filter(municipality_id__in=actor.led_municipality_ids)
    return led_libraries(actor)


def invitations_within(actor: Actor, round: Round):
    invitations = round.invitations.all()
    if not runs_rounds(actor):
        invitations = invitations.filter(person__library__in=led_libraries(actor))
    return invitations


@dataclass(frozen=True)
class Progress:
    """A round's progress as one reader may see it: totals over their scope (`total.shown` is
    False below the anonymity minimum, and then `sent` is not to be shown either) and the rates
    per unit of the chosen grouping."""

    total: services.Rate
    sent: int
    by: str
    rates: list[services.Rate]


def totals(actor: Actor, round: Round) -> tuple[services.Rate, int]:
    """Invited and answered over the actor's scope (one query), and how many were sent."""
    counts = invitations_within(actor, round).aggregate(
        invited=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        answered=Count("pk", filter=Q(responded_at__isnull=False)),
    )
    return services.Rate(round, counts["invited"], counts["answered"]), counts["sent"]


def rates(actor: Actor, round: Round, *, by: str) -> list[services.Rate]:
    """The response rates per unit the actor may see (two queries: the counts, the units)."""
    return services.response_rates(round=round, by=by, within=rates_within(actor, by))


def progress(actor: Actor, round: Round, *, by: str) -> Progress:
    """Totals and the rates of one grouping; an unknown or forbidden grouping gives the default."""
    if by not in groupings(actor):
        by = groupings(actor)[0]
    total, sent = totals(actor, round)
    return Progress(total=total, sent=sent, by=by, rates=rates(actor, round, by=by))


def with_rates(actor: Actor, rounds: QuerySet[Round]) -> QuerySet[Round]:
    """Rounds annotated with `invited` and `answered` over the actor's scope, in the same query."""
    answered = Q(invitations__responded_at__isnull=False)
    within = None
    if not runs_rounds(actor):
        within = Q(invitations__person__library__in=led_libraries(actor))
        answered &= within
    return rounds.annotate(
        invited=Count("invitations", filter=within), answered=Count("invitations", filter=answered)
    )
