"""The forms of the pilot's catalogue, on their own: which choices they offer and what they
refuse, with the message the coordinator reads."""

import datetime

import pytest
from django.utils import timezone

from digikompas.frameworks import services as frameworks
from digikompas.frameworks.tests.conftest import make_content
from digikompas.orgs.models import Role, RoleGrant
from digikompas.pilot.forms import ModuleForm, ProgrammeForm, SessionForm
from digikompas.pilot.models import Module, Programme
from digikompas.surveys import services as surveys
from digikompas.surveys.models import AnonymityMode
from digikompas.surveys.tests.conftest import make_survey, open_round
from digikompas.testing import make_person

UTC = datetime.UTC


def programme_data(framework, **changes) -> dict:
    data = {
        "key": "pilot-2028",
        "title_da": "Digital formidling",
        "framework": framework.pk,
        "starts_on": "2027-01-04",
        "ends_on": "2027-12-17",
    }
    data.update(changes)
    return data


def other_framework():
    return frameworks.publish(framework=frameworks.create_framework(content=make_content()))


@pytest.fixture
def year(published_framework):
    """A programme through 2027, so that sessions in summer and winter time fit in it."""
    return Programme.objects.create(
        key="aar-2027",
        title_da="Et år med digital formidling",
        framework=published_framework,
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
    )


@pytest.fixture
def year_module(year):
    return Module.objects.create(programme=year, format="workshop", title_da="Værksted")


@pytest.fixture
def competence_survey(published_framework):
    """The small survey of surveys/tests/conftest.py on the programme's framework."""
    return make_survey(published_framework)


# -- a programme --------------------------------------------------------------------------------


def test_only_published_frameworks_can_be_chosen(published_framework):
    draft = frameworks.new_version(framework=published_framework)
    form = ProgrammeForm(programme_data(draft))
    assert list(form.fields["framework"].queryset) == [published_framework]
    assert not form.is_valid()
    assert form.errors["framework"] == ["Choose a published framework."]


def test_only_confidential_competence_rounds_are_offered(competence_survey, odense):
    confidential = open_round(competence_survey, municipalities=[odense])
    open_round(competence_survey, municipalities=[odense], anonymity=AnonymityMode.ANONYMOUS)
    form = ProgrammeForm()
    assert list(form.fields["before_round"].queryset) == [confidential]
    label = form.fields["before_round"].label_from_instance(confidential)
    assert label.startswith("Forår 2026 – Test survey (")


def test_a_round_on_another_framework_is_refused(published_framework, odense):
    elsewhere = open_round(make_survey(other_framework(), key="andet"), municipalities=[odense])
    form = ProgrammeForm(programme_data(published_framework, before_round=elsewhere.pk))
    assert not form.is_valid()
    assert form.errors["before_round"] == ["The round must ask about the programme's framework."]


def test_the_same_round_cannot_be_before_and_after(competence_survey, odense):
    round = open_round(competence_survey, municipalities=[odense])
    form = ProgrammeForm(
        programme_data(competence_survey.framework, before_round=round.pk, after_round=round.pk)
    )
    assert not form.is_valid()
    assert form.errors["after_round"] == ["The rounds before and after must differ."]


def test_rounds_in_order_are_accepted(competence_survey, odense):
    before = open_round(competence_survey, municipalities=[odense])
    after = surveys.create_round(
        survey=competence_survey,
        title="Efterår",
        opens_at=before.closes_at + datetime.timedelta(days=30),
        closes_at=before.closes_at + datetime.timedelta(days=44),
    )
    form = ProgrammeForm(
        programme_data(competence_survey.framework, before_round=before.pk, after_round=after.pk)
    )
    assert form.is_valid(), form.errors


def test_a_programme_needs_a_danish_title(published_framework):
    form = ProgrammeForm(programme_data(published_framework, title_da=""))
    assert form.errors["title_da"] == ["This field is required."]


def test_the_framework_stays_while_modules_build_its_competencies(programme, module):
    form = ProgrammeForm(programme_data(other_framework(), key=programme.key), instance=programme)
    assert not form.is_valid()
    assert form.errors["framework"] == [
        "The modules of the programme build competencies of the framework it has now. Remove "
        "those competencies from the modules before you change the framework."
    ]


def test_the_framework_of_a_programme_without_competencies_can_change(programme, module):
    module.competencies.clear()
    new = other_framework()
    form = ProgrammeForm(programme_data(new, key=programme.key), instance=programme)
    assert form.is_valid(), form.errors
    assert form.save().framework == new


# -- a module -----------------------------------------------------------------------------------


def test_the_competencies_are_those_of_the_programme_grouped_by_domain(programme, module):
    form = ModuleForm(programme=programme)
    groups = [
        (domain.code, [choice.choice_label for choice in choices])
        for domain, choices in form.competency_groups()
    ]
    assert groups == [
        ("S", ["S.1 Searching eReolen", "S.2 Guidance"]),
        ("L", ["L.1 Prioritisation"]),
    ]
    # The next free position.
    assert form.initial["position"] == 2


def test_a_module_shows_its_competencies_checked(programme, module):
    form = ModuleForm(programme=programme, instance=module)
    checked = [
        choice.choice_label
        for _domain, choices in form.competency_groups()
        for choice in choices
        if choice.data["selected"]
    ]
    assert checked == ["S.1 Searching eReolen"]


def test_a_competency_of_another_framework_is_refused(programme):
    foreign = other_framework().competencies.get(code="S.1")
    form = ModuleForm(
        {"title_da": "Modul", "format": "webinar", "position": 1, "competencies": [foreign.pk]},
        programme=programme,
    )
    assert form.errors["competencies"] == ["Choose only competencies of the programme's framework."]


def test_hours_are_not_negative_and_groups_are_known(programme):
    form = ModuleForm(
        {
            "title_da": "Modul",
            "format": "webinar",
            "position": 1,
            "hours": "-1",
            "target_groups": ["aliens"],
        },
        programme=programme,
    )
    assert form.errors["hours"] == ["Ensure this value is greater than or equal to 0."]
    assert form.errors["target_groups"] == [
        "Select a valid choice. aliens is not one of the available choices."
    ]


# -- a session ----------------------------------------------------------------------------------


def session_data(**changes) -> dict:
    data = {
        "date": "2027-06-15",
        "start_time": "09:30",
        "end_time": "12:00",
        "place": "",
        "meeting_url": "https://meet.example/x",
        "capacity": "20",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("date", "utc_hour"),
    [("2027-06-15", 7), ("2027-12-15", 8)],  # summer time is UTC+2, winter time UTC+1
)
def test_times_are_danish_time_in_summer_and_winter(year_module, date, utc_hour):
    form = SessionForm(session_data(date=date), module=year_module)
    assert form.is_valid(), form.errors
    session = form.save()
    assert session.starts_at.astimezone(UTC).hour == utc_hour
    assert session.starts_at.astimezone(UTC).minute == 30
    assert session.ends_at - session.starts_at == datetime.timedelta(hours=2, minutes=30)


def test_a_session_lies_within_its_programme(year_module):
    form = SessionForm(session_data(date="2028-01-03"), module=year_module)
    assert form.errors["date"] == [
        "The session must lie within the programme, Jan. 1, 2027 to Dec. 31, 2027."
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"place": "Dokk1", "meeting_url": ""},  # a room
        {"place": "", "meeting_url": "https://meet.example/x"},  # online
        {"place": "Dokk1", "meeting_url": "https://meet.example/x"},  # both
    ],
)
def test_a_place_or_a_link_is_enough(year_module, changes):
    assert SessionForm(session_data(**changes), module=year_module).is_valid()


def test_an_end_at_the_start_is_refused(year_module):
    form = SessionForm(session_data(end_time="09:30"), module=year_module)
    assert form.errors == {"end_time": ["The session must end after it starts."]}


def test_the_facilitators_are_providers_and_coordinators_and_the_one_chosen(
    module, facilitator, coordinator, staff, session
):
    form = SessionForm(module=module)
    assert set(form.fields["facilitator"].queryset) == {facilitator, coordinator}
    # Kirsten is no longer a provider: she can still be seen as her session's facilitator.
    RoleGrant.objects.filter(person=facilitator).delete()
    assert set(SessionForm(module=module).fields["facilitator"].queryset) == {coordinator}
    form = SessionForm(module=module, instance=session)
    assert set(form.fields["facilitator"].queryset) == {facilitator, coordinator}
    assert form.fields["facilitator"].label_from_instance(facilitator) == (
        "Kirsten Krog (kirsten@provider.example)"
    )


def test_someone_with_both_roles_is_listed_once(module, reference_data):
    both = make_person(
        "Lone Lund",
        "lone@kl.example",
        grants=[(Role.EDUCATION_PROVIDER, None), (Role.EDUCATION_COORDINATOR, None)],
    )
    assert list(SessionForm(module=module).fields["facilitator"].queryset) == [both]


def test_the_form_of_a_session_shows_its_local_time(session):
    form = SessionForm(module=session.module, instance=session)
    local = timezone.localtime(session.starts_at)
    assert form.initial["date"] == local.date()
    assert form.initial["start_time"] == local.time().replace(second=0)
    assert form.initial["capacity"] == 2
