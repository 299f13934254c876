"""The certificate of a completed module: a one-page A4 PDF in the page's language, for the
participant only."""

import io

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from digikompas.pilot.enrolment import enrol, record_attendance
from digikompas.pilot.models import Completion
from digikompas.testing import log_in_client as log_in


@pytest.fixture
def completion(session, staff, facilitator):
    enrolment = enrol(session, staff)
    record_attendance(session, {enrolment.pk: True}, by=facilitator)
    return Completion.objects.get(person=staff, module=session.module)


def pdf_of(response) -> PdfReader:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def text_of(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_participant_downloads_a_one_page_certificate(client, completion, staff, session):
    log_in(client, staff)

    response = client.get(reverse("pilot:certificate", args=[completion.pk]))

    reader = pdf_of(response)
    assert response["Content-Disposition"] == (
        'attachment; filename="certificate-formidling-af-ereolen-til-seniorer.pdf"'
    )
    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 in points
    text = text_of(reader)
    assert "Certificate" in text
    assert "Alice Andersen" in text
    assert "Promoting eReolen to seniors" in text
    assert "Pilot education in digital dissemination" in text
    assert "S.1" in text
    competency = session.module.competencies.get()
    assert competency.title_en in text
    assert "Kirsten Krog" in text  # the facilitator
    assert str(completion.certificate_number) in text
    assert "Hours 3" in text


def test_the_certificate_is_in_danish_on_a_danish_page(client, completion, staff):
    log_in(client, staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"

    text = text_of(pdf_of(client.get(reverse("pilot:certificate", args=[completion.pk]))))

    assert "Formidling af eReolen til seniorer" in text
    assert "Pilotuddannelse i digital formidling" in text
    assert "Promoting eReolen to seniors" not in text


def test_the_mine_page_links_the_certificate(client, completion, staff, session):
    log_in(client, staff)

    with time_machine.travel(session.ends_at, tick=False):
        page = client.get(reverse("pilot:mine")).content.decode()

    assert f'href="/pilot/certificates/{completion.pk}.pdf"' in page


def test_another_persons_certificate_is_not_found(client, completion, library_leader, outsider):
    # Not even her leader gets it: the certificate is hers to share.
    log_in(client, library_leader)
    assert client.get(reverse("pilot:certificate", args=[completion.pk])).status_code == 404

    log_in(client, outsider)
    assert client.get(reverse("pilot:certificate", args=[completion.pk])).status_code == 404


def test_a_certificate_goes_when_the_attendance_is_taken_back(
    client, completion, staff, session, facilitator
):
    enrolment = session.enrolments.get(person=staff)
    record_attendance(session, {enrolment.pk: False}, by=facilitator)
    log_in(client, staff)

    assert client.get(reverse("pilot:certificate", args=[completion.pk])).status_code == 404
