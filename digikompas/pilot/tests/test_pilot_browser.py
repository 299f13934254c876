"""In Chromium, the whole way through a pilot module: a staff member enrols in a session, the
facilitator registers that she attended, and she downloads her certificate and shares what she
tried in her own library, which then stands in the idea bank without her name. Every page on
the way passes axe-core."""

import datetime
import io
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from digikompas.pilot.models import Completion, Enrolment, EnrolmentStatus, ExperienceLog, Session
from digikompas.testing import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_a_participant_enrols_attends_shares_and_gets_a_certificate(
    page, session, staff, facilitator, smtp_server
):
    module = session.module

    # Alice enrols from the module's page.
    log_in(page, staff.user.email)
    page.goto(f"/pilot/modules/{module.pk}/")
    assert_accessible(page)
    page.locator(f'form[action="/pilot/sessions/{session.pk}/enrol/"] button').click()
    page.wait_for_url(f"**/pilot/modules/{module.pk}/")
    assert page.locator(".alert-success").count() == 1
    enrolment = Enrolment.objects.get(session=session, person=staff)
    assert enrolment.status == EnrolmentStatus.ENROLLED
    # The confirmation reached her mailbox, with the session for her calendar.
    assert [m["To"] for m in smtp_server.messages] == [staff.email]
    assert "text/calendar" in smtp_server.messages[0].as_string()
    # Her page shows the seat, the link to the session's calendar file and no certificate yet.
    page.goto("/pilot/mine/")
    assert_accessible(page)
    assert page.locator(f'a[href="/pilot/sessions/{session.pk}/calendar.ics"]').count() >= 1
    assert page.locator('a[href^="/pilot/certificates/"]').count() == 0

    # The session takes place.
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        ends_at=timezone.now() - datetime.timedelta(minutes=5),
    )

    # The facilitator registers who came.
    page.context.clear_cookies()
    log_in(page, facilitator.user.email)
    page.wait_for_url(lambda url: "/accounts/" not in url)
    page.goto(f"/pilot/sessions/{session.pk}/participants/")
    assert_accessible(page)
    row = page.locator("tr", has_text=staff.name)
    row.locator('input[type=radio][value="attended"]').check()
    page.locator('button[type=submit][name="save_attendance"], form button[type=submit]').filter(
        has_text="Gem fremmøde"
    ).click()
    page.wait_for_load_state()
    assert Completion.objects.filter(person=staff, module=module).exists()

    # Alice downloads her certificate and shares what she tried.
    page.context.clear_cookies()
    log_in(page, staff.user.email)
    page.wait_for_url(lambda url: "/accounts/" not in url)
    page.goto("/pilot/mine/")
    completion = Completion.objects.get(person=staff, module=module)
    with page.expect_download() as download:
        page.locator(f'a[href="/pilot/certificates/{completion.pk}.pdf"]').first.click()
    text = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes())).pages[0].extract_text()
    assert staff.name in text
    assert module.title_da in text

    page.goto(f"/pilot/modules/{module.pk}/")
    page.locator(f'a[href="/pilot/modules/{module.pk}/experiences/new/"]').click()
    page.wait_for_url(f"**/pilot/modules/{module.pk}/experiences/new/")
    assert_accessible(page)
    page.fill("input[name=resource]", "eReolen")
    page.select_option("select[name=target_group]", "seniors")
    page.fill("input[name=title]", "Lydbogscafé for seniorer")
    page.fill("textarea[name=what_tried]", "Vi viste eReolens app ved en kaffeeftermiddag.")
    page.fill("textarea[name=what_happened]", "Tolv seniorer lånte deres første lydbog.")
    page.fill("textarea[name=lesson]", "Små hold og egne telefoner virker bedst.")
    page.locator("input[name=would_repeat][value=yes]").check()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert ExperienceLog.objects.filter(person=staff, module=module).count() == 1

    page.goto("/pilot/ideas/?q=Lydbogscaf%C3%A9")
    assert_accessible(page)
    main = page.locator("main")
    assert "Lydbogscafé for seniorer" in main.inner_text()
    assert staff.library.name in main.inner_text()
    assert staff.name not in main.inner_text()
