"""A person with something in every table that can hold a person or a login (`linked`), so that
the export and the erasure can be checked against the whole model graph."""

import datetime
from dataclasses import dataclass, field

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from rest_framework.authtoken.models import Token

from digikompas.analysis.models import Report, ReportKind
from digikompas.leadership.models import (
    Activity,
    Campaign,
    Channel,
    DigitalResource,
    ResourceType,
    SelectionScenario,
    UsageImport,
)
from digikompas.offers.models import EducationOffer, OfferFormat, OfferKind, RejectedSuggestion
from digikompas.orgs.models import Person, Role, RoleGrant, UserGroup
from digikompas.pilot.models import (
    CalendarFeed,
    Completion,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    ExperienceLog,
    Material,
    MaterialKind,
    Module,
    ModuleFormat,
    Programme,
    Session,
    WouldRepeat,
)
from digikompas.privacy import audit
from digikompas.privacy.models import Action
from digikompas.surveys import services as surveys
from digikompas.surveys.models import AnonymityMode
from digikompas.surveys.tests.conftest import (
    COMPLETE,
    make_survey,
    open_round,
    published_framework,  # noqa: F401
)
from digikompas.testing import enable_totp, make_person

# What Alice wrote in the anonymous round: it must not reach her export.
ANONYMOUS_TEXT = "Anonymt svar om tid"
CONFIDENTIAL_TEXT = "Fortroligt svar om tid"


@dataclass
class Linked:
    person: Person
    totp_secret: str
    token_key: str
    objects: dict = field(default_factory=dict)


@pytest.fixture
def survey(published_framework):  # noqa: F811
    return make_survey(published_framework)


@pytest.fixture
def linked(staff, odense, odense_main, survey, coordinator, smtp_server):
    """Alice (staff in Odense) with a row in every relation to Person and User."""
    person = staff
    user = person.user
    now = timezone.now()
    objects = {}
    RoleGrant.objects.create(person=person, role=Role.LIBRARY_LEADER, library=odense_main)
    # Surveys: a confidential round she answered, an anonymous one she answered, a round she made.
    confidential = open_round(survey, municipalities=[odense], created_by=person)
    anonymous = open_round(survey, municipalities=[odense], anonymity=AnonymityMode.ANONYMOUS)
    for round, text in ((confidential, CONFIDENTIAL_TEXT), (anonymous, ANONYMOUS_TEXT)):
        surveys.invite(round=round)
        invitation = round.invitations.get(person=person)
        surveys.save_answers(invitation=invitation, answers={**COMPLETE, "why-not": text})
        surveys.submit(invitation=invitation)
    objects |= {"confidential": confidential, "anonymous": anonymous}
    objects["report"] = Report.objects.create(
        round=confidential,
        kind=ReportKind.LIBRARY,
        library=odense_main,
        file_format="json",
        requested_by=person,
    )
    # Offers: a provider she maintains, a suggestion she turned down.
    offer = EducationOffer.objects.create(
        provider=_provider(person),
        title_da="Formidling",
        kind=OfferKind.CONTINUING,
        format=OfferFormat.COURSE,
        online=True,
    )
    RejectedSuggestion.objects.create(
        offer=offer, competency=survey.framework.competencies.first(), rejected_by=person
    )
    # Pilot: a past session she attended, evaluated and wrote about; a coming one she facilitates
    # and has a seat in; a colleague she enrolled and whose attendance she recorded.
    programme = Programme.objects.create(
        key="pilot",
        title_da="Pilot",
        framework=survey.framework,
        starts_on=now.date() - datetime.timedelta(days=30),
        ends_on=now.date() + datetime.timedelta(days=30),
    )
    module = Module.objects.create(
        programme=programme, title_da="eReolen for seniorer", format=ModuleFormat.WORKSHOP
    )
    past = Session.objects.create(
        module=module,
        starts_at=now - datetime.timedelta(days=3),
        ends_at=now - datetime.timedelta(days=3, hours=-2),
        place="Odense",
        capacity=5,
    )
    coming = Session.objects.create(
        module=Module.objects.create(
            programme=programme, title_da="Filmstriben", format=ModuleFormat.WEBINAR
        ),
        starts_at=now + datetime.timedelta(days=7),
        ends_at=now + datetime.timedelta(days=7, hours=2),
        place="Odense",
        capacity=1,
        facilitator=person,
    )
    attended = Enrolment.objects.create(
        session=past, person=person, status=EnrolmentStatus.ENROLLED, attended=True
    )
    Evaluation.objects.create(enrolment=attended, satisfaction=5, usefulness=4, comment="Godt")
    Completion.objects.create(person=person, module=module, session=past)
    ExperienceLog.objects.create(
        module=module,
        person=person,
        library=odense_main,
        resource="eReolen",
        target_group=UserGroup.SENIORS,
        title="Læseklub på eReolen",
        what_tried="En læseklub.",
        what_happened="Ti kom.",
        lesson="Gentag.",
        would_repeat=WouldRepeat.YES,
    )
    objects["seat"] = Enrolment.objects.create(
        session=coming, person=person, status=EnrolmentStatus.ENROLLED
    )
    objects["waiting"] = Enrolment.objects.create(
        session=coming,
        person=coordinator,
        status=EnrolmentStatus.WAITLISTED,
        waitlisted_at=now,
    )
    colleague = make_person("Nina Nør", "nina@odense.example", library=odense_main, login=False)
    Enrolment.objects.create(
        session=past,
        person=colleague,
        status=EnrolmentStatus.ENROLLED,
        enrolled_by=person,
        attended=True,
        attendance_recorded_by=person,
        attendance_recorded_at=now,
    )
    Material.objects.create(
        title_da="Guide", kind=MaterialKind.LINK, url="https://example.org/g", uploaded_by=person
    )
    CalendarFeed.objects.create(person=person)
    # Leadership: a usage import, a scenario, a campaign and an activity she owns.
    resource = DigitalResource.objects.create(name="eReolen", type=ResourceType.E_BOOKS)
    UsageImport.objects.create(
        report="PR",
        municipality=odense,
        first_month=datetime.date(2026, 1, 1),
        last_month=datetime.date(2026, 3, 1),
        imported_by=person,
    )
    SelectionScenario.objects.create(name="Forår", municipality=odense, created_by=person)
    objects["campaign"] = Campaign.objects.create(
        municipality=odense,
        library=odense_main,
        title="eReolen for seniorer",
        resource=resource,
        starts_on=now.date(),
        ends_on=now.date() + datetime.timedelta(days=30),
        owner=person,
    )
    Activity.objects.create(
        campaign=objects["campaign"],
        title="Opslag",
        channel=Channel.SOCIAL_MEDIA,
        due_on=now.date(),
        owner=person,
    )
    # The login: addresses, second factor, single sign-on, API key, groups, permissions, admin log.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    secret = enable_totp(user)
    SocialAccount.objects.create(user=user, provider="openid_connect", uid="alice-42")
    token = Token.objects.create(user=user)
    user.groups.add(Group.objects.create(name="Redaktører"))
    user.user_permissions.add(Permission.objects.get(codename="view_person"))
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(colleague.pk),
        object_repr=str(colleague),
        action_flag=CHANGE,
        change_message="[]",
    )
    # The audit log: she looked at a colleague; a leader looked at her.
    audit.record_system(Action.VIEWED_PERSON, obj=colleague, actor_email=user.email)
    from digikompas.privacy.models import AuditEvent

    AuditEvent.objects.filter(actor_email=user.email).update(user=user)
    audit.record_system(Action.VIEWED_PERSON, obj=person, actor_email="bent@odense.example")
    return Linked(person=person, totp_secret=secret, token_key=token.key, objects=objects)


def _provider(person):
    from digikompas.offers.models import Provider

    provider = Provider.objects.create(name="Københavns Professionshøjskole")
    provider.maintainers.add(person)
    return provider
