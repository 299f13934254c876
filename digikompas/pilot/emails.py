"""The pilot's e-mails to participants, each a template triplet in templates/emails/
(pilot_<kind>_subject.txt, pilot_<kind>.txt, pilot_<kind>.html):

- enrolled, promoted: they have a seat (the session's .ics attached);
- waitlisted: the session is full, with their number on the waiting list;
- cancelled: their place is given up;
- changed: the session's time or place changed (the new .ics attached for a seat);
- reminder: the session starts within two days (pilot.tasks.send_session_reminders).

pilot.enrolment calls send_enrolment_mail when its transaction commits; the mail itself is sent
by a background task, so that nobody waits for the mail server and a failed delivery does not
undo the enrolment. Mails are in the site's language (Danish), as the other mails are.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import mailers
from django.utils import translation

from digikompas.accounts.emails import build

from .calendar import mine_url, session_calendar
from .enrolment import waiting_positions
from .models import Enrolment, EnrolmentStatus

KINDS = ("enrolled", "waitlisted", "promoted", "cancelled", "changed")
# The kinds that give a seat, whose mail carries the session for the calendar.
WITH_CALENDAR = ("enrolled", "promoted", "reminder")


def send_enrolment_mail(kind: str, *, enrolment_id: int) -> None:
    """Queue the mail telling the person what happened to their place."""
    if kind not in KINDS:
        raise ValueError(f"Unknown kind of enrolment mail: {kind}")
    from .tasks import mail_enrolment

    mail_enrolment.enqueue(kind=kind, enrolment_id=enrolment_id)


def _enrolment(enrolment_id: int) -> Enrolment | None:
    return (
        Enrolment.objects.select_related(
            "person", "enrolled_by", "session__module__programme", "session__facilitator"
        )
        .filter(pk=enrolment_id)
        .first()
    )


def build_mail(kind: str, enrolment: Enrolment):
    """The message of the kind for the enrolment, ready to send."""
    session = enrolment.session
    context = {
        "person": enrolment.person,
        "session": session,
        "module": session.module,
        "programme": session.module.programme,
        "facilitator": session.facilitator,
        "enrolled_by": enrolment.enrolled_by,
        "position": waiting_positions([enrolment]).get(enrolment.pk),
        "mine_link": mine_url(),
    }
    message = build(f"pilot_{kind}", enrolment.person.email, context)
    seat = enrolment.status == EnrolmentStatus.ENROLLED
    if kind in WITH_CALENDAR or (kind == "changed" and seat):
        with translation.override(settings.LANGUAGE_CODE):
            ics = session_calendar(session, status="CONFIRMED")
        message.attach("digikompas-session.ics", ics, "text/calendar")
    return message


def deliver(kind: str, *, enrolment_id: int, mailer=None) -> bool:
    """Send the mail now; False when the enrolment no longer exists (nothing to tell)."""
    enrolment = _enrolment(enrolment_id)
    if enrolment is None:
        return False
    (mailer or mailers.default).send_messages([build_mail(kind, enrolment)])
    return True
