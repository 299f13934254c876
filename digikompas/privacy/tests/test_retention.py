import datetime

import numpy as np
import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone, translation

from digikompas.analysis import services as analysis
from digikompas.analysis.tests.conftest import LIBRARIAN, add_responses
from digikompas.privacy import retention, tasks
from digikompas.privacy.models import Action, AuditEvent
from digikompas.surveys import services as surveys
from digikompas.surveys.forms_rounds import RoundForm
from digikompas.surveys.models import Invitation, Response
from digikompas.surveys.tests.conftest import COMPLETE, open_round
from digikompas.testing import make_person

UTC = datetime.UTC


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def kept_round(settings, survey, odense, odense_main, odense_branch, staff):
    """A confidential round of Odense, closing 14 days from now and keeping its personal data
    for 12 months: Alice and 5 colleagues answered through their links, Nina did not; 12 people
    of Vollsmose answered, their rows imported with a key."""
    settings.ANONYMITY_MINIMUM = 5
    round = open_round(survey, municipalities=[odense], retention_months=12)
    add_responses(round, odense_branch, [LIBRARIAN] * 12)
    colleagues = [
        make_person(f"Medarbejder {n}", f"m{n}@odense.example", library=odense_main, login=False)
        for n in range(5)
    ]
    make_person("Nina Nør", "nina@odense.example", library=odense_main, login=False)
    surveys.invite(round=round)
    for person in [staff, *colleagues]:
        invitation = round.invitations.get(person=person)
        surveys.save_answers(invitation=invitation, answers=COMPLETE)
        surveys.submit(invitation=invitation)
    for response in Response.objects.filter(round=round, person=None):
        response.import_key = f"row-{response.pk}"
        response.save(update_fields=["import_key"])
    return round


def _figures(round):
    tables = analysis.analyse(round).competencies
    return {
        name: (table.n.tolist(), np.nan_to_num(table.mean).tolist())
        for name, table in tables.items()
    }


def test_months_are_added_to_the_same_day_or_the_last_of_a_shorter_month():
    assert retention.add_months(datetime.datetime(2026, 1, 31, 12, tzinfo=UTC), 1) == (
        datetime.datetime(2026, 2, 28, 12, tzinfo=UTC)
    )
    assert retention.add_months(datetime.datetime(2026, 11, 15, tzinfo=UTC), 14) == (
        datetime.datetime(2028, 1, 15, tzinfo=UTC)
    )


def test_nothing_goes_before_the_period_ends(kept_round):
    with time_machine.travel(retention.retained_until(kept_round) - datetime.timedelta(hours=1)):
        assert retention.apply_retention() == []

    assert kept_round.invitations.count() == 19
    assert Response.objects.filter(round=kept_round, person__isnull=False).count() == 6


def test_the_clean_up_removes_the_link_to_people_and_keeps_the_results(kept_round, staff):
    before = _figures(kept_round)

    with time_machine.travel(retention.retained_until(kept_round) + datetime.timedelta(hours=1)):
        cleaned = retention.apply_retention()

    assert [(c.round, c.invitations, c.responses) for c in cleaned] == [(kept_round, 19, 18)]
    assert not Invitation.objects.filter(round=kept_round).exists()
    responses = Response.objects.filter(round=kept_round)
    assert responses.count() == 18
    assert not responses.exclude(person=None, invitation=None, import_key="").exists()
    # Nothing her export could show, and the results are the same figures as before.
    assert not Response.objects.filter(person=staff).exists()
    assert _figures(kept_round) == before
    kept_round.refresh_from_db()
    assert kept_round.personal_data_removed_at is not None
    event = AuditEvent.objects.get(action=Action.APPLIED_RETENTION)
    assert (event.object_type, event.object_id, event.actor_email) == (
        "surveys.round",
        str(kept_round.pk),
        "",
    )


def test_running_it_again_changes_nothing(kept_round):
    with time_machine.travel(retention.retained_until(kept_round) + datetime.timedelta(days=1)):
        retention.apply_retention()
        assert retention.apply_retention() == []

    assert AuditEvent.objects.filter(action=Action.APPLIED_RETENTION).count() == 1


def test_a_round_without_a_period_keeps_its_data(survey, odense, staff):
    round = open_round(survey, municipalities=[odense])
    surveys.invite(round=round)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=3650)):
        assert retention.apply_retention() == []

    assert round.invitations.count() == 1


def test_the_dry_run_prints_what_would_go_and_removes_nothing(kept_round, capsys):
    with time_machine.travel(retention.retained_until(kept_round) + datetime.timedelta(days=1)):
        call_command("apply_retention", "--dry-run")

    out = capsys.readouterr().out
    assert (
        f"{kept_round.title}: 19 invitations would be deleted and 18 responses unlinked from "
        "people.\n1 round would be cleaned.\n"
    ) == out
    assert kept_round.invitations.count() == 19


def test_the_command_and_the_task_clean_expired_rounds(kept_round, capsys):
    with time_machine.travel(retention.retained_until(kept_round) + datetime.timedelta(days=1)):
        call_command("apply_retention")
        assert tasks.apply_retention.enqueue().return_value == 0

    assert not kept_round.invitations.exists()


def test_the_round_form_takes_the_period(survey):
    now = timezone.localtime()
    data = {
        "title": "Efterår",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + datetime.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "anonymity": "confidential",
        "retention_months": "24",
    }
    form = RoundForm(data, survey=survey)
    assert form.is_valid(), form.errors

    round = surveys.create_round(**form.round_arguments())

    assert round.retention_months == 24
    too_long = RoundForm({**data, "retention_months": "121"}, survey=survey)
    assert too_long.errors["retention_months"] == [
        "Ensure this value is less than or equal to 120."
    ]
