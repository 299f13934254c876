"""The certificate of a completed module: one A4 page printed by WeasyPrint in the active
language, with the participant, the module and its programme, when and how long, the
competencies it built, the facilitator and the certificate's number."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify

from digikompas.analysis.reports import pdf

from .models import Completion


def _context(completion: Completion) -> dict:
    module = completion.module
    session = completion.session
    held = timezone.localtime(session.starts_at if session else completion.completed_at)
    return {
        "completion": completion,
        "person": completion.person,
        "module": module,
        "programme": module.programme,
        "held_on": held.date(),
        "hours": module.hours,
        "competencies": module.competencies.order_by("domain__position", "position", "code"),
        "facilitator": session.facilitator if session else None,
        "issued_on": timezone.localtime(completion.completed_at).date(),
        "language": translation.get_language(),
        "assets": pdf.ASSETS,
    }


def render_html(completion: Completion) -> str:
    return render_to_string("pilot/enrolment/certificate_pdf.html", _context(completion))


def render_pdf(completion: Completion) -> bytes:
    return pdf.lay_out(render_html(completion)).write_pdf(**pdf.PDF_OPTIONS)


def filename(completion: Completion) -> str:
    name = slugify(completion.module.title_da)[:60] or "module"
    return f"certificate-{name}.pdf"
