"""E-mails as template triplets: emails/<name>_subject.txt, <name>.txt and <name>.html."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.utils import translation


def build(name: str, to: str, context: dict, *, language: str | None = None):
    """The message, rendered in `language` (the site's default when None)."""
    context = {"site_root": settings.SITE_ROOT, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{name}_subject.txt", context)
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[to],
        from_email=None,
    )
    message.attach_alternative(html, "text/html")
    return message


def send(name: str, to: str, context: dict, *, language: str | None = None, mailer=None) -> None:
    """Render and send one message, through `mailer` (an open backend) or the default one."""
    (mailer or mailers.default).send_messages([build(name, to, context, language=language)])


def send_invitation(*, user, person, invited_by_name: str, link: str) -> None:
    send(
        "invitation",
        user.email,
        {"person": person, "invited_by": invited_by_name, "link": link},
    )
