"""Background work of the pilot: the enrolment mails and the reminders before a session.

Tasks take ids. The reminders claim each enrolment with a conditional update ("one row updated,
so it is mine") before its mail goes out, so running them twice, or on two workers at once,
sends each reminder once.
"""

from __future__ import annotations

import datetime
import logging

from django.core.mail import mailers
from django.tasks import task
from django.utils import timezone

from . import emails
from .models import Enrolment, EnrolmentStatus

logger = logging.getLogger(__name__)

# Everyone with a seat in a session that starts within this time is reminded once.
REMINDER_WINDOW = datetime.timedelta(hours=48)
# Reminders sent over one SMTP connection before it is renewed.
BATCH = 200


@task
def mail_enrolment(kind: str, enrolment_id: int) -> bool:
    """Tell the person what happened to their place (see pilot.emails)."""
    return emails.deliver(kind, enrolment_id=enrolment_id)


def due_reminders(now: datetime.datetime | None = None):
    """Seats in sessions that start within the reminder window whose holder was not reminded."""
    now = now or timezone.now()
    return Enrolment.objects.filter(
        status=EnrolmentStatus.ENROLLED,
        reminder_sent_at__isnull=True,
        session__starts_at__gt=now,
        session__starts_at__lte=now + REMINDER_WINDOW,
    ).order_by("session__starts_at", "pk")


@task
def send_session_reminders() -> int:
    """Remind everyone with a seat in a session starting within 48 hours; returns how many
    reminders were sent."""
    pks = list(due_reminders().values_list("pk", flat=True))
    sent = 0
    for start in range(0, len(pks), BATCH):
        with mailers.default as mailer:
            for pk in pks[start : start + BATCH]:
                claimed = Enrolment.objects.filter(
                    pk=pk, status=EnrolmentStatus.ENROLLED, reminder_sent_at__isnull=True
                ).update(reminder_sent_at=timezone.now())
                if not claimed:
                    continue  # another run has it, or the place was cancelled meanwhile
                try:
                    emails.deliver("reminder", enrolment_id=pk, mailer=mailer)
                except Exception:
                    # Give it back so that the next run sends it; the others go on.
                    Enrolment.objects.filter(pk=pk).update(reminder_sent_at=None)
                    logger.exception("Could not send the reminder of enrolment %s", pk)
                    continue
                sent += 1
    return sent
