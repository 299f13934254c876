"""Every change in the surveys app: rounds, invitations, answering and submitting."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from digikompas.orgs.models import Library, Municipality, Person

from . import answers as answer_rules
from . import scores
from .models import (
    AnonymityMode,
    Answer,
    Invitation,
    Item,
    ItemKind,
    Response,
    Round,
    Section,
    Survey,
)


class SurveyError(Exception):
    """A request about a round that cannot be carried out; the message says why."""


class RoundClosed(SurveyError):
    pass


class AnswersIncomplete(SurveyError):
    def __init__(self, items: list[Item]):
        self.items = items
        super().__init__(
            _("Answer every required question before you submit: %(items)s.")
            % {"items": ", ".join(item.text for item in items)}
        )


def items_of(
    survey: Survey, *, section: Section | None = None, descriptors: bool = True
) -> list[Item]:
    """The survey's items in order (only one section's, when given), with what `is_shown`, the
    answer rules and the scales need: two queries, three with the level descriptors, which only
    a page showing the scales needs. Answering pages ask for the items of their own section:
    loading all of them with their descriptors for every save was most of a save's work."""
    items = survey.items.select_related("section", "show_if_item", "competency__framework")
    if section is not None:
        items = items.filter(section=section)
    items = items.prefetch_related("competency__framework__levels")
    if descriptors:
        items = items.prefetch_related("competency__descriptors")
    return list(items.order_by("section__position", "position"))


# The answering pages are the hot path: every respondent saves every page, and building the
# same queries for the survey's pages and questions on each save was half of its work. A
# survey's pages and questions never change once it is created (the product has no editor for
# them: surveys are loaded or created whole), nor does the scale of a published framework; so
# the answering pages keep them per process, read-only. The key holds the survey's creation
# time besides its id, so that a new survey never passes for a deleted one whose id it got. An
# editor of surveys would have to change the key (e.g. with a version column).
_ANSWERING: dict[tuple, list] = {}
_ANSWERING_MAX = 500


def _answering(survey: Survey, what: tuple, load) -> list:
    key = (survey.pk, survey.created_at, *what)
    found = _ANSWERING.get(key)
    if found is None:
        found = load()
        if len(_ANSWERING) >= _ANSWERING_MAX:
            _ANSWERING.clear()
        _ANSWERING[key] = found
    return found


def clear_answering_cache() -> None:
    """Forget the surveys the answering pages keep (tests that reuse ids)."""
    _ANSWERING.clear()


def answering_sections(survey: Survey) -> list[Section]:
    """The survey's pages in order, for the answering pages (kept; do not change the list)."""
    return _answering(survey, ("sections",), lambda: list(survey.sections.order_by("position")))


def answering_items(
    survey: Survey, *, section: Section | None = None, descriptors: bool = True
) -> list[Item]:
    """items_of() for the answering pages (kept; do not change the list or its items)."""
    return _answering(
        survey,
        ("items", section.pk if section else None, descriptors),
        lambda: items_of(survey, section=section, descriptors=descriptors),
    )


# -- rounds -------------------------------------------------------------------------------------


def population(round: Round) -> QuerySet[Person]:
    """The people a round is sent to: staff of the chosen libraries and municipalities (all,
    when none are chosen) with one of the chosen job roles (all, when none are chosen)."""
    people = Person.objects.filter(library__isnull=False)
    if round.job_roles:
        people = people.filter(job_role__in=round.job_roles)
    municipalities = list(round.municipalities.values_list("pk", flat=True))
    libraries = list(round.libraries.values_list("pk", flat=True))
    if municipalities or libraries:
        people = people.filter(
            Q(library__municipality_id__in=municipalities) | Q(library_id__in=libraries)
        )
    return people


@transaction.atomic
def create_round(
    *,
    survey: Survey,
    title: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    anonymity: str = AnonymityMode.CONFIDENTIAL,
    job_roles: Iterable[str] = (),
    municipalities: Iterable[Municipality] = (),
    libraries: Iterable[Library] = (),
    follows: Round | None = None,
    created_by: Person | None = None,
    retention_months: int | None = None,
) -> Round:
    if closes_at <= opens_at:
        raise SurveyError(_("A round must close after it opens."))
    round = Round.objects.create(
        survey=survey,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        anonymity=anonymity,
        job_roles=sorted(set(job_roles)),
        follows=follows,
        created_by=created_by,
        retention_months=retention_months,
    )
    round.municipalities.set(municipalities)
    round.libraries.set(libraries)
    return round


@transaction.atomic
def invite(*, round: Round) -> int:
    """Invite everyone in the population who is not invited yet, and send the invitations in
    the background once this commits. Returns how many were invited now."""
    if round.is_closed:
        raise RoundClosed(_("The round is closed; no one can be invited to it."))
    invited = set(round.invitations.values_list("person_id", flat=True))
    new = [
        Invitation(round=round, person_id=pk)
        for pk in population(round).values_list("pk", flat=True)
        if pk not in invited
    ]
    Invitation.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    from .tasks import send_invitations

    transaction.on_commit(lambda: send_invitations.enqueue(round_id=round.pk))
    return len(new)


@transaction.atomic
def remind(*, round: Round) -> int:
    """Send a reminder, in the background, to everyone invited who has not answered."""
    if not round.is_open():
        raise RoundClosed(_("Reminders can only be sent while the round is open."))
    waiting = round.invitations.filter(sent_at__isnull=False, responded_at__isnull=True).count()
    from .tasks import send_reminders

    transaction.on_commit(lambda: send_reminders.enqueue(round_id=round.pk))
    return waiting


# -- answering ----------------------------------------------------------------------------------


def _check_open(invitation: Invitation) -> None:
    if not invitation.round.is_open():
        raise RoundClosed(_("The survey is closed."))


@transaction.atomic
def save_answers(*, invitation: Invitation, answers: Mapping[str, object]) -> Invitation:
    """Save answers (item code → typed value, None to clear) to the invitation's draft.

    Saving after the response was submitted changes nothing: the submitted response stands."""
    # The round as the caller read it a moment ago: it is not locked either way. The lock is
    # on the invitation, for the fields a save reads and writes.
    round = invitation.round
    invitation = (
        Invitation.objects.select_for_update()
        .only("round_id", "token", "draft", "started_at", "responded_at")
        .get(pk=invitation.pk)
    )
    invitation.round = round
    return save_answers_locked(invitation=invitation, answers=answers)


def save_answers_locked(*, invitation: Invitation, answers: Mapping[str, object]) -> Invitation:
    """save_answers() for a caller that read the invitation with its row locked, in the
    transaction it is still in: the answering page does, to save with one read less."""
    _check_open(invitation)
    if invitation.responded_at is not None:
        return invitation
    draft = dict(invitation.draft)
    for code, value in answers.items():
        if value in (None, "", []):
            draft.pop(code, None)
        else:
            draft[code] = value
    invitation.draft = draft
    invitation.started_at = invitation.started_at or timezone.now()
    invitation.save(update_fields=["draft", "started_at"])
    return invitation


@dataclass(frozen=True)
class Submitted:
    """The outcome of a submission: `created` is False when it had been submitted already."""

    created: bool
    response: Response | None


def submit(*, invitation: Invitation) -> Submitted:
    """Turn the invitation's saved answers into its one response.

    Idempotent: a double click, a retry after a dropped connection or a second tab all end in
    the same single response. The invitation row is locked while it is checked and marked, so
    two submissions at the same moment cannot both create one."""
    with transaction.atomic():
        # Lock the invitation row only: PostgreSQL refuses FOR UPDATE on the nullable side of
        # the outer join to the person's library, and locking the round would queue every
        # submission of the round behind one another.
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("round__survey", "person__library__municipality__region")
            .get(pk=invitation.pk)
        )
        if invitation.responded_at is not None:
            return Submitted(created=False, response=getattr(invitation, "response", None))
        _check_open(invitation)
        items = answering_items(invitation.round.survey, descriptors=False)
        incomplete = answer_rules.missing(items, invitation.draft)
        if incomplete:
            raise AnswersIncomplete(incomplete)
        response = _store_response(
            round=invitation.round,
            person=invitation.person,
            items=items,
            answers=answer_rules.shown_answers(items, invitation.draft),
            invitation=invitation,
            submitted_at=answered_at(invitation.round),
        )
        invitation.responded_at = response.submitted_at
        invitation.draft = {}
        if not invitation.round.is_confidential:
            invitation.started_at = None
        invitation.save(update_fields=["responded_at", "draft", "started_at"])
    return Submitted(created=True, response=response if invitation.round.is_confidential else None)


def answered_at(round: Round) -> datetime.datetime:
    """The moment a submission is recorded as made.

    An anonymous round keeps no moment of its own for an answer: the invitation names the
    person, and the invitation and the response would pair up by their moments (or by their
    order, which the moments give). So both carry the round's opening time, and the moment the
    person started answering is forgotten on submission."""
    return timezone.now() if round.is_confidential else round.opens_at


def _store_response(
    *,
    round: Round,
    person: Person | None,
    items: list[Item],
    answers: Mapping[str, object],
    invitation: Invitation | None = None,
    library: Library | None = None,
    job_role: str = "",
    import_key: str = "",
    submitted_at: datetime.datetime | None = None,
) -> Response:
    """One response with its answers. In an anonymous round nothing links it to the person."""
    library = library or (person.library if person else None)
    confidential = round.anonymity == AnonymityMode.CONFIDENTIAL
    response = Response.objects.create(
        round=round,
        invitation=invitation if confidential else None,
        person=person if confidential else None,
        library=library,
        municipality=library.municipality if library else None,
        region=library.municipality.region if library else None,
        job_role=job_role or (person.job_role if person else ""),
        import_key=import_key,
        submitted_at=submitted_at or timezone.now(),
        scores=scores.pack(scores.scale_pairs(items, answers)),
    )
    Answer.objects.bulk_create(
        _answer(response, item, answers[item.code]) for item in items if item.code in answers
    )
    return response


def _answer(response: Response, item: Item, value) -> Answer:
    if item.kind == ItemKind.MULTIPLE:
        return Answer(response=response, item=item, choices=list(value))
    if item.kind in (ItemKind.SINGLE, ItemKind.TEXT):
        return Answer(response=response, item=item, text=str(value))
    return Answer(response=response, item=item, number=int(value))


# -- response rates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    unit: object
    invited: int
    answered: int

    @property
    def shown(self) -> bool:
        """Rates of units with fewer invited people than the anonymity minimum are not shown:
        in a unit of three, "3 of 3 answered" says who answered."""
        return self.invited >= settings.ANONYMITY_MINIMUM

    @property
    def percent(self) -> float:
        return 100 * self.answered / self.invited if self.invited else 0.0


def response_rates(*, round: Round, by: str = "municipality", within=None) -> list[Rate]:
    """Invited and answered per municipality or library (of the invited person's library),
    optionally only within a queryset of libraries. Counts, never names."""
    invitations = round.invitations.all()
    if within is not None:
        invitations = invitations.filter(person__library__in=within)
    field = "person__library__municipality" if by == "municipality" else "person__library"
    rows = (
        invitations.values(field)
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(responded_at__isnull=False)))
        .order_by(field)
    )
    model = Municipality if by == "municipality" else Library
    units = model.objects.in_bulk([row[field] for row in rows])
    rates = [Rate(units.get(row[field]), row["invited"], row["answered"]) for row in rows]
    return sorted(rates, key=lambda rate: str(rate.unit))


def totals(*, round: Round) -> Rate:
    counts = round.invitations.aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(responded_at__isnull=False))
    )
    return Rate(round, counts["invited"], counts["answered"])
