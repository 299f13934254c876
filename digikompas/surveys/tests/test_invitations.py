"""Inviting a round's population and reminding it: services.invite and services.remind with the
background tasks they enqueue, read from the mail the real SMTP server on loopback received.

The tasks run when the transaction that enqueued them commits (the ImmediateBackend); each test
wraps the service call in django_capture_on_commit_callbacks(execute=True) to let them.
"""

import datetime

import pytest
from django.conf import settings
from django.db.models import Count
from django.utils import timezone, translation

from digikompas.orgs import demo
from digikompas.orgs.models import JobRole, Library, Municipality, Person
from digikompas.surveys import services
from digikompas.surveys.models import AnonymityMode, Invitation
from digikompas.testing import make_person

from .conftest import COMPLETE, open_round


@pytest.fixture
def population(staff, library_leader, branch_leader, municipal_leader, other_staff):
    """Odense staff: Alice and Bent at the main library, Birgit at the branch. Carla leads the
    municipality but works at no library, and Dorthe works in Aarhus: neither is asked."""
    return [staff, library_leader, branch_leader]


def recipients(smtp_server) -> list[str]:
    return sorted(message["To"] for message in smtp_server.messages)


def link_of(invitation: Invitation) -> str:
    return f"{settings.SITE_ROOT}/surveys/a/{invitation.token}/"


def invite(round, capture):
    with capture(execute=True):
        return services.invite(round=round)


def remind(round, capture):
    with capture(execute=True):
        return services.remind(round=round)


def answer(invitation):
    services.save_answers(invitation=invitation, answers=COMPLETE)
    services.submit(invitation=invitation)


# -- invitations ---------------------------------------------------------------------------------


def test_everyone_in_the_population_gets_one_invitation_with_their_own_link(
    round, population, smtp_server, django_capture_on_commit_callbacks
):
    invited = invite(round, django_capture_on_commit_callbacks)

    assert invited == 3
    assert recipients(smtp_server) == sorted(person.email for person in population)
    for message in smtp_server.messages:
        invitation = Invitation.objects.get(round=round, person__email=message["To"])
        text = smtp_server.text_of(message)
        assert link_of(invitation) in text
        # Nobody else's link is in it.
        others = Invitation.objects.filter(round=round).exclude(pk=invitation.pk)
        assert not any(link_of(other) in text for other in others)
        assert invitation.sent_at is not None


def test_inviting_again_sends_nothing_new(
    round, population, smtp_server, django_capture_on_commit_callbacks
):
    invite(round, django_capture_on_commit_callbacks)
    sent_at = dict(round.invitations.values_list("pk", "sent_at"))

    again = invite(round, django_capture_on_commit_callbacks)

    assert again == 0
    assert len(smtp_server.messages) == 3
    assert dict(round.invitations.values_list("pk", "sent_at")) == sent_at


def test_inviting_again_invites_only_people_who_joined_since(
    round, population, odense_branch, smtp_server, django_capture_on_commit_callbacks
):
    invite(round, django_capture_on_commit_callbacks)
    newcomer = make_person("Kim Kjær", "kim@odense.example", library=odense_branch, login=False)

    again = invite(round, django_capture_on_commit_callbacks)

    assert again == 1
    assert len(smtp_server.messages) == 4
    assert smtp_server.messages[-1]["To"] == newcomer.email


def test_a_closed_round_invites_no_one(survey, odense, population, smtp_server):
    now = timezone.now()
    closed = services.create_round(
        survey=survey,
        title="Efterår 2025",
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=1),
        municipalities=[odense],
    )

    with translation.override("en"), pytest.raises(services.RoundClosed) as refused:
        services.invite(round=closed)

    assert str(refused.value) == "The round is closed; no one can be invited to it."
    assert not closed.invitations.exists()
    assert smtp_server.messages == []


def test_an_invitation_that_cannot_be_sent_stays_unsent_and_the_others_go(
    round, population, odense_main, smtp_server, django_capture_on_commit_callbacks
):
    # A real failure, no mock: an address with a line break (as a broken import might leave)
    # is refused when the message is built, before anything reaches the SMTP server.
    broken = Person.objects.create(
        name="Brudt Adresse", email="broken\n@odense.example", library=odense_main
    )

    invite(round, django_capture_on_commit_callbacks)

    assert recipients(smtp_server) == sorted(person.email for person in population)
    assert round.invitations.get(person=broken).sent_at is None
    assert round.invitations.filter(sent_at__isnull=False).count() == 3

    # Once the address is corrected, inviting again sends the one that failed, and only it.
    Person.objects.filter(pk=broken.pk).update(email="brudt@odense.example")
    assert invite(round, django_capture_on_commit_callbacks) == 0
    assert len(smtp_server.messages) == 4
    assert smtp_server.messages[-1]["To"] == "brudt@odense.example"


# -- reminders -----------------------------------------------------------------------------------


@pytest.mark.parametrize("anonymity", [AnonymityMode.CONFIDENTIAL, AnonymityMode.ANONYMOUS])
def test_only_those_who_have_not_answered_are_reminded_once(
    survey, odense, population, staff, smtp_server, django_capture_on_commit_callbacks, anonymity
):
    round = open_round(survey, municipalities=[odense], anonymity=anonymity)
    invite(round, django_capture_on_commit_callbacks)
    answer(round.invitations.get(person=staff))
    smtp_server.messages.clear()

    waiting = remind(round, django_capture_on_commit_callbacks)

    assert waiting == 2
    assert recipients(smtp_server) == sorted(
        person.email for person in population if person != staff
    )
    for message in smtp_server.messages:
        invitation = round.invitations.get(person__email=message["To"])
        assert link_of(invitation) in smtp_server.text_of(message)
        assert invitation.reminded_at is not None
    assert round.invitations.get(person=staff).reminded_at is None

    # A second reminder goes to no one: each person is reminded once.
    smtp_server.messages.clear()
    remind(round, django_capture_on_commit_callbacks)
    assert smtp_server.messages == []


def test_people_who_were_never_sent_an_invitation_are_not_reminded(
    round, population, smtp_server, django_capture_on_commit_callbacks
):
    services.invite(round=round)  # the send never ran: nothing was committed

    assert remind(round, django_capture_on_commit_callbacks) == 0
    assert smtp_server.messages == []


def test_a_closed_round_sends_no_reminders(
    round, population, smtp_server, django_capture_on_commit_callbacks
):
    invite(round, django_capture_on_commit_callbacks)
    smtp_server.messages.clear()
    round.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    round.save()

    with translation.override("en"), pytest.raises(services.RoundClosed) as refused:
        services.remind(round=round)

    assert str(refused.value) == "Reminders can only be sent while the round is open."
    assert smtp_server.messages == []


# -- the population at the scale of the national demo -------------------------------------------


@pytest.fixture
def national_demo(reference_data):
    demo.load()


def test_a_round_for_a_municipality_asks_all_its_staff(survey, national_demo):
    copenhagen = Municipality.objects.get(name="København")
    round = open_round(survey, municipalities=[copenhagen])

    staff_there = Person.objects.filter(library__municipality=copenhagen)
    assert services.population(round).count() == staff_there.count()
    assert staff_there.count() > 300  # the demo's largest library service

    librarians = open_round(survey, municipalities=[copenhagen], job_roles=[JobRole.LIBRARIAN])
    assert (
        services.population(librarians).count()
        == staff_there.filter(job_role=JobRole.LIBRARIAN).count()
    )


def test_a_round_for_all_of_denmark_asks_everyone_who_works_at_a_library(survey, national_demo):
    round = open_round(survey)

    assert services.population(round).count() == Person.objects.exclude(library=None).count()


def test_inviting_a_large_population_costs_the_same_few_queries(
    survey, national_demo, django_assert_max_num_queries
):
    odense = Municipality.objects.get(name="Odense")
    branch = Library.objects.filter(municipality=odense).order_by("code").last()
    round = open_round(survey, municipalities=[odense], libraries=[branch])
    everyone = open_round(survey)

    # The invited, the population, bulk inserts of at most 1,000 rows, and the savepoint.
    with django_assert_max_num_queries(12):
        invited = services.invite(round=round)
    assert invited == Person.objects.filter(library__municipality=odense).count()
    with django_assert_max_num_queries(20):
        invited = services.invite(round=everyone)
    assert invited == Person.objects.exclude(library=None).count()
    per_person = everyone.invitations.values("person").annotate(n=Count("pk"))
    assert {row["n"] for row in per_person} == {1}


def test_a_demo_municipality_is_invited_by_mail_and_only_those_who_did_not_answer_are_reminded(
    survey, national_demo, smtp_server, django_capture_on_commit_callbacks
):
    odense = Municipality.objects.get(name="Odense")
    round = open_round(survey, municipalities=[odense])
    staff_there = Person.objects.filter(library__municipality=odense).order_by("pk")

    invited = invite(round, django_capture_on_commit_callbacks)

    assert invited == staff_there.count() > 20
    assert recipients(smtp_server) == sorted(person.email for person in staff_there)
    answering = list(staff_there[::3])
    for person in answering:
        answer(round.invitations.get(person=person))
    smtp_server.messages.clear()

    reminded = remind(round, django_capture_on_commit_callbacks)

    silent = sorted(set(staff_there) - set(answering), key=lambda person: person.email)
    assert reminded == len(silent)
    assert recipients(smtp_server) == [person.email for person in silent]
