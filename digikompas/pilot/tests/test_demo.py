"""The pilot demo, on the national demo cut down to a dozen municipalities (surveys' fixtures):
a programme half run, loaded once and then left alone, whose round after pairs with the demo's
competence round."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from digikompas.orgs import demo as orgs_demo
from digikompas.orgs.models import Person
from digikompas.pilot import demo
from digikompas.pilot.models import (
    Completion,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    ExperienceLog,
    Material,
    MaterialKind,
    Programme,
    Session,
)
from digikompas.surveys import demo as surveys_demo
from digikompas.surveys import scores
from digikompas.surveys.models import AnonymityMode, Answer, Invitation, Response
from digikompas.surveys.tests.test_demo import people, rounds  # noqa: F401 (fixtures)

# A few days after the day the survey demo's rounds were loaded (surveys' TODAY, 25 November).
TODAY = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


# What load() reports on: the programme, its materials, modules and sessions, the round after.
PARTS = 1 + len(demo.MATERIALS) + len(demo.MODULES) + len(demo.SESSIONS) + 1


def load_pilot_demo(*args) -> str:
    out = StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("load_pilot_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "sessions": sorted(
            Session.objects.values_list("module__position", "starts_at", "place", "capacity")
        ),
        "enrolments": sorted(
            Enrolment.objects.values_list(
                "session__starts_at", "person__email", "status", "attended"
            )
        ),
        "completions": Completion.objects.count(),
        "evaluations": Evaluation.objects.count(),
        "experiences": sorted(ExperienceLog.objects.values_list("title", "person__email")),
        "after": sorted(
            Answer.objects.filter(response__round__title__startswith=demo.AFTER_TITLE).values_list(
                "response__person__email", "item__code", "number"
            )
        ),
    }


def test_it_refuses_to_load_without_the_survey_demo(people):  # noqa: F811
    with pytest.raises(CommandError, match="load_survey_demo"):
        load_pilot_demo()
    assert not Programme.objects.exists()


def test_it_loads_a_programme_half_run_once(rounds):  # noqa: F811
    before = rounds["kompetencer"]
    out = load_pilot_demo()
    assert out.strip() == f"{PARTS} created, 0 updated, 0 unchanged."
    first = snapshot()
    assert load_pilot_demo().strip() == f"0 created, 0 updated, {PARTS} unchanged."
    assert snapshot() == first

    programme = Programme.objects.get(key=demo.PROGRAMME_KEY)
    assert programme.is_example
    assert programme.framework == before.survey.framework
    now = TODAY
    assert programme.starts_on < now.date() < programme.ends_on

    # Modules of every format, with competencies, target groups, hours and materials.
    modules = list(programme.modules.all())
    assert len(modules) == 5
    assert {m.format for m in modules} == {"workshop", "webinar", "e_learning"}
    for module in modules:
        assert module.title_en
        assert module.description_da
        assert module.competencies.exists()
        assert module.target_groups
        assert module.hours
        assert module.materials.exists()

    # Sessions in the past and in the future, within their seats; one full with a waiting list.
    sessions = Session.objects.filter(module__programme=programme).annotate(
        seated=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED)),
        waiting=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITLISTED)),
    )
    past = [s for s in sessions if s.ends_at < now]
    future = [s for s in sessions if s.starts_at > now]
    assert past
    assert future
    assert len(past) + len(future) == len(sessions)
    assert all(s.seated <= s.capacity for s in sessions)
    assert all(s.waiting == 0 or s.seated == s.capacity for s in sessions)
    assert [s.waiting > 0 for s in future].count(True) == 1
    assert all(s.facilitator is not None for s in sessions)
    assert any(s.meeting_url.startswith("https://meet.example/") for s in sessions)
    assert any("Hovedbibliotek" in s.place for s in sessions)
    # Attendance is registered in the past sessions only, for people with a seat.
    enrolments = Enrolment.objects.filter(session__module__programme=programme)
    assert not enrolments.filter(session__starts_at__gt=now, attended__isnull=False).exists()
    assert not enrolments.filter(
        session__ends_at__lt=now, status=EnrolmentStatus.ENROLLED, attended__isnull=True
    ).exists()
    assert enrolments.filter(attended=False).exists()  # some did not come
    assert enrolments.filter(status=EnrolmentStatus.CANCELLED).exists()
    # Nobody holds two places in one module.
    active = enrolments.filter(status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED))
    per_module = Counter(active.values_list("person", "session__module"))
    assert max(per_module.values()) == 1

    # A completion for every attended enrolment, and none else.
    attended = set(enrolments.filter(attended=True).values_list("person", "session__module"))
    completions = Completion.objects.filter(module__programme=programme)
    assert set(completions.values_list("person", "module")) == attended
    assert completions.count() == len(attended)
    assert all(c.session.module_id == c.module_id for c in completions.select_related("session"))

    # The staff login completed a module and has a seat in a future session.
    staff = Person.objects.get(email=orgs_demo.STAFF_LOGIN.email)
    assert completions.filter(person=staff).count() == 1
    assert enrolments.filter(
        person=staff, status=EnrolmentStatus.ENROLLED, session__starts_at__gt=now
    ).exists()

    # Evaluations of attended enrolments: most sessions have enough to show, one has fewer.
    evaluations = Evaluation.objects.filter(enrolment__session__module__programme=programme)
    assert not evaluations.exclude(enrolment__attended=True).exists()
    counts = Counter(evaluations.values_list("enrolment__session", flat=True))
    assert len([n for n in counts.values() if n >= settings.ANONYMITY_MINIMUM]) >= 5
    assert any(0 < n < settings.ANONYMITY_MINIMUM for n in counts.values())

    # Experiences from participants who completed the module, spread over libraries.
    logs = ExperienceLog.objects.filter(module__programme=programme)
    assert logs.count() >= 25
    assert logs.values("library").distinct().count() >= 15
    for log in logs:
        assert completions.filter(person=log.person, module=log.module).exists()
        assert log.tried_on < now.date()

    # The round after: confidential, after the round before, paired with it.
    after = programme.after_round
    assert after.anonymity == AnonymityMode.CONFIDENTIAL
    assert after.survey == before.survey
    assert after.title.endswith(f" {surveys_demo.DEMO_SUFFIX}")
    assert before.closes_at <= after.opens_at < after.closes_at < now
    assert programme.before_round == before
    programme.full_clean()
    answered_before = set(Response.objects.filter(round=before).values_list("person", flat=True))
    answered_after = set(Response.objects.filter(round=after).values_list("person", flat=True))
    assert answered_after <= answered_before
    assert set(Invitation.objects.filter(round=after).values_list("person", flat=True)) == (
        answered_before
    )
    participants = set(completions.values_list("person", flat=True))
    assert len(answered_after & participants) >= 60
    assert len(answered_after - participants) >= 20
    assert staff.pk in answered_after

    # Participants grew on their modules' competencies; the others hardly changed.
    def levels(round):
        return {
            (person, code): number
            for person, code, number in Answer.objects.filter(response__round=round).values_list(
                "response__person", "item__competency__code", "number"
            )
        }

    old, new = levels(before), levels(after)
    trained = {
        (person, code)
        for person, code in completions.values_list("person", "module__competencies__code")
    }
    grown = [new[key] - old[key] for key in new if key in trained]
    other = [new[key] - old[key] for key in new if key[0] not in participants]
    assert 0.4 <= sum(grown) / len(grown) <= 1.0
    assert -0.1 <= sum(other) / len(other) <= 0.25
    # The packed scores agree with the answers.
    responses = list(Response.objects.filter(round=after).prefetch_related("answers"))
    rows, item_ids, values = scores.unpack([r.scores for r in responses])
    packed = set(zip(rows.tolist(), item_ids.tolist(), values.tolist(), strict=True))
    stored = {
        (row, answer.item_id, answer.number)
        for row, response in enumerate(responses)
        for answer in response.answers.all()
    }
    assert packed == stored

    # Material files were written to the media folder.
    files = [m for m in Material.objects.filter(modules__programme=programme).distinct() if m.file]
    assert len(files) == 2
    for material in files:
        assert material.kind == MaterialKind.FILE
        path = Path(settings.MEDIA_ROOT) / material.file.name
        assert path.is_file()
        assert path.stat().st_size == material.size > 0
    pdf = next(m for m in files if m.content_type == "application/pdf")
    assert (Path(settings.MEDIA_ROOT) / pdf.file.name).read_bytes().startswith(b"%PDF-")


def test_what_went_missing_is_made_again_and_reset_loads_the_same(rounds):  # noqa: F811
    load_pilot_demo()
    first = snapshot()
    # The survey demo loaded again: its rounds, the round after among them, are new.
    surveys_demo.remove()
    with time_machine.travel(TODAY - timedelta(days=2), tick=False):
        surveys_demo.load()
    # A material's file lost from the media folder.
    material = Material.objects.get(file_name__endswith=".pdf")
    Path(settings.MEDIA_ROOT, material.file.name).unlink()

    out = load_pilot_demo()
    assert out.startswith("1 created, 2 updated, ")  # the round after; the programme, the file
    programme = Programme.objects.get(key=demo.PROGRAMME_KEY)
    assert programme.before_round is not None
    assert programme.after_round is not None
    assert snapshot() == first
    material = Material.objects.get(pk=material.pk)
    assert Path(settings.MEDIA_ROOT, material.file.name).is_file()

    assert load_pilot_demo("--reset").startswith(f"{PARTS} created, 0 updated, ")
    assert snapshot() == first
    assert Programme.objects.count() == 1
    assert Material.objects.count() == len(demo.MATERIALS)
