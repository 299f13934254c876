"""Enrolment in sessions: the only code that changes an Enrolment's status.

A session never holds more enrolled people than its seats, also when many enrol at once: every
change locks the session's row (SELECT … FOR UPDATE on PostgreSQL; SQLite writes one transaction
at a time) and counts the seats taken inside the lock. Whoever does not get a seat joins the
waiting list; when someone cancels, or the session gets more seats, the first on the waiting list
moves up and is told by e-mail. Mails are sent after the transaction commits, so a rolled-back
change sends nothing.

Every call is idempotent: enrolling twice keeps one enrolment, cancelling twice cancels once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from digikompas.orgs.models import Person

from .models import Completion, Enrolment, EnrolmentStatus, Session

ACTIVE = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)


class EnrolmentError(Exception):
    """Why an enrolment cannot be made or changed, in words for the user."""


@dataclass(frozen=True)
class Seats:
    capacity: int
    taken: int
    waiting: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)


def seats(session: Session) -> Seats:
    counts = dict.fromkeys(ACTIVE, 0)
    for row in (
        session.enrolments.filter(status__in=ACTIVE).values("status").annotate(n=Count("pk"))
    ):
        counts[row["status"]] = row["n"]
    return Seats(
        session.capacity, counts[EnrolmentStatus.ENROLLED], counts[EnrolmentStatus.WAITLISTED]
    )


def waiting_positions(enrolments) -> dict[int, int]:
    """Enrolment id → number on its session's waiting list (1 is next) for the waiting ones
    among `enrolments`, in one query. The order is the one pilot.enrolment promotes in."""
    sessions = {e.session_id for e in enrolments if e.status == EnrolmentStatus.WAITLISTED}
    if not sessions:
        return {}
    positions, counters = {}, defaultdict(int)
    waiting = (
        Enrolment.objects.filter(session__in=sessions, status=EnrolmentStatus.WAITLISTED)
        .order_by("session", "waitlisted_at", "pk")
        .values_list("pk", "session_id")
    )
    for pk, session_id in waiting:
        counters[session_id] += 1
        positions[pk] = counters[session_id]
    return positions


def _locked(session: Session) -> Session:
    """The session's row, locked until the transaction ends."""
    return Session.objects.select_for_update().select_related("module").get(pk=session.pk)


def _taken(session: Session) -> int:
    return session.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()


def _after_commit(kind: str, enrolment: Enrolment) -> None:
    from .emails import send_enrolment_mail

    transaction.on_commit(lambda: send_enrolment_mail(kind, enrolment_id=enrolment.pk))


@transaction.atomic
def enrol(session: Session, person: Person, *, by: Person | None = None) -> Enrolment:
    """Give the person a seat, or a place on the waiting list when the session is full.

    Raises EnrolmentError when the session has started, or when the person already holds a
    place in another session of the same module."""
    session = _locked(session)
    now = timezone.now()
    if session.has_started(now):
        raise EnrolmentError(_("The session has already started; enrolment is closed."))
    other = (
        Enrolment.objects.filter(person=person, session__module=session.module, status__in=ACTIVE)
        .exclude(session=session)
        .select_related("session")
        .first()
    )
    if other is not None:
        raise EnrolmentError(
            _(
                "%(name)s already has a place in another session of this module (%(when)s). "
                "Cancel that place first."
            )
            % {
                "name": person.name,
                "when": timezone.localtime(other.session.starts_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    enrolment = Enrolment.objects.filter(session=session, person=person).first()
    if enrolment is not None and enrolment.status in ACTIVE:
        return enrolment  # idempotent: already enrolled or waiting
    full = _taken(session) >= session.capacity
    status = EnrolmentStatus.WAITLISTED if full else EnrolmentStatus.ENROLLED
    if enrolment is None:
        enrolment = Enrolment(session=session, person=person, created_at=now)
    enrolment.status = status
    enrolment.enrolled_by = by if by is not None and by.pk != person.pk else None
    enrolment.waitlisted_at = now if full else None
    enrolment.promoted_at = None
    enrolment.cancelled_at = None
    enrolment.save()
    _after_commit("waitlisted" if full else "enrolled", enrolment)
    return enrolment


@transaction.atomic
def cancel(enrolment: Enrolment, *, by: Person | None = None) -> Enrolment | None:
    """Give up a seat or a place on the waiting list. Returns the enrolment that got the freed
    seat from the waiting list, if any."""
    session = _locked(enrolment.session)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status == EnrolmentStatus.CANCELLED:
        return None
    if session.has_started() and enrolment.status == EnrolmentStatus.ENROLLED:
        raise EnrolmentError(_("The session has already started; the place cannot be cancelled."))
    had_seat = enrolment.status == EnrolmentStatus.ENROLLED
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.cancelled_at = timezone.now()
    enrolment.attended = None
    enrolment.save()
    _after_commit("cancelled", enrolment)
    if had_seat:
        promoted = _promote(session)
        return promoted[0] if promoted else None
    return None


def _promote(session: Session) -> list[Enrolment]:
    """Fill free seats from the waiting list, first come first served. Call with the session
    locked."""
    if session.has_started():
        return []
    free = session.capacity - _taken(session)
    if free <= 0:
        return []
    waiting = list(
        session.enrolments.select_for_update()
        .filter(status=EnrolmentStatus.WAITLISTED)
        .order_by("waitlisted_at", "pk")[:free]
    )
    now = timezone.now()
    for enrolment in waiting:
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.promoted_at = now
        enrolment.save(update_fields=["status", "promoted_at"])
        _after_commit("promoted", enrolment)
    return waiting


@transaction.atomic
def change_capacity(session: Session, capacity: int) -> list[Enrolment]:
    """Set the number of seats. More seats move people up from the waiting list; fewer seats
    than are taken are refused, because nobody loses a seat they were given."""
    locked = _locked(session)
    taken = _taken(locked)
    if capacity < taken:
        raise EnrolmentError(
            _("%(taken)s people already have a seat; the session needs at least that many seats.")
            % {"taken": taken}
        )
    locked.capacity = capacity
    locked.save(update_fields=["capacity"])
    session.capacity = capacity
    return _promote(locked)


def notify_change(session: Session) -> int:
    """After a new time or place: everyone with a seat or on the waiting list is told (those
    with a seat get the new calendar event), and reminders go out again before the new time.
    Returns how many people are told."""
    active = list(session.enrolments.filter(status__in=ACTIVE))
    session.enrolments.update(reminder_sent_at=None)
    for enrolment in active:
        _after_commit("changed", enrolment)
    return len(active)


@transaction.atomic
def record_attendance(
    session: Session, attended: dict[int, bool | None], *, by: Person | None = None
) -> int:
    """Register who attended (True), who did not (False) and who is not yet registered (None),
    by enrolment id. Attending completes the module (a Completion with a certificate); marking
    someone absent again removes a completion that came from this session. Returns how many
    enrolments changed."""
    now = timezone.now()
    changed = 0
    enrolments = {
        e.pk: e
        for e in session.enrolments.select_for_update().filter(
            pk__in=attended, status=EnrolmentStatus.ENROLLED
        )
    }
    unknown = set(attended) - set(enrolments)
    if unknown:
        raise EnrolmentError(_("Attendance can only be registered for people with a seat."))
    for pk, value in attended.items():
        enrolment = enrolments[pk]
        if enrolment.attended == value:
            continue
        enrolment.attended = value
        enrolment.attendance_recorded_at = now if value is not None else None
        enrolment.attendance_recorded_by = by if value is not None else None
        enrolment.save(
            update_fields=["attended", "attendance_recorded_at", "attendance_recorded_by"]
        )
        changed += 1
        if value:
            Completion.objects.get_or_create(
                person_id=enrolment.person_id,
                module_id=session.module_id,
                defaults={"session": session, "completed_at": now},
            )
        else:
            Completion.objects.filter(
                person_id=enrolment.person_id, module_id=session.module_id, session=session
            ).delete()
    return changed
