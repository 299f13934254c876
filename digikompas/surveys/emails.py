"""The survey e-mails: an invitation and a reminder, each a template triplet in
templates/emails/ (survey_<kind>_subject.txt, survey_<kind>.txt, survey_<kind>.html)."""

from django.conf import settings
from django.urls import reverse

from digikompas.accounts.emails import send

from .models import Invitation


def answer_link(invitation: Invitation) -> str:
    return settings.SITE_ROOT + reverse("surveys:answer", args=[invitation.token])


def send_survey_mail(kind: str, *, invitation: Invitation, mailer=None) -> None:
    round = invitation.round
    send(
        f"survey_{kind}",
        invitation.person.email,
        {
            "person": invitation.person,
            "round": round,
            "survey": round.survey,
            "link": answer_link(invitation),
        },
        mailer=mailer,
    )
