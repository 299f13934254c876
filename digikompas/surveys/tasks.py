"""Background work of the surveys app. Tasks take ids, claim each invitation with a conditional
update ("one row updated, so it is mine") and can run twice, or on two workers, without sending
anything twice."""

import logging

from django.core.mail import mailers
from django.tasks import task
from django.utils import timezone

from .emails import send_survey_mail
from .models import Invitation, Round

logger = logging.getLogger(__name__)

# Invitations sent over one SMTP connection before it is renewed.
BATCH = 200


def _send_all(round: Round, pending, *, stamp: str, kind: str) -> int:
    sent = 0
    pks = list(pending.values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        with mailers.default as mailer:
            for pk in pks[start : start + BATCH]:
                claimed = Invitation.objects.filter(pk=pk, **{f"{stamp}__isnull": True}).update(
                    **{stamp: timezone.now()}
                )
                if not claimed:
                    continue  # another worker has it
                invitation = Invitation.objects.select_related("person").get(pk=pk)
                try:
                    send_survey_mail(kind, invitation=invitation, mailer=mailer)
                except Exception:
                    # Give it back so that a retry sends it; the others go on.
                    Invitation.objects.filter(pk=pk).update(**{stamp: None})
                    logger.exception("Could not send the %s of invitation %s", kind, pk)
                    continue
                sent += 1
    return sent


@task
def send_invitations(round_id: int) -> int:
    """Send every invitation of the round that has not been sent."""
    round = Round.objects.select_related("survey").get(pk=round_id)
    pending = round.invitations.filter(sent_at__isnull=True).order_by("pk")
    return _send_all(round, pending, stamp="sent_at", kind="invitation")


@task
def send_reminders(round_id: int) -> int:
    """Remind everyone invited who has not answered and has not been reminded."""
    round = Round.objects.select_related("survey").get(pk=round_id)
    if not round.is_open():
        return 0
    pending = round.invitations.filter(
        sent_at__isnull=False, responded_at__isnull=True, reminded_at__isnull=True
    ).order_by("pk")
    return _send_all(round, pending, stamp="reminded_at", kind="reminder")
