"""Forms of the enrolment pages (views_enrolment): choosing people to enrol, registering
attendance and changing a session's seats."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from digikompas.orgs.models import Person

from .models import Enrolment, Session

# The most people enrolled with one press of the button: a page of the list.
MAX_PEOPLE = 100


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or e-mail address"), max_length=100, required=False)


class EnrolPeopleForm(forms.Form):
    """Whom to enrol, out of the people the actor may enrol."""

    people = forms.ModelMultipleChoiceField(
        label=_("People"),
        queryset=Person.objects.none(),
        error_messages={
            "required": _("Choose at least one person to enrol."),
            "invalid_choice": _("One of the people chosen is not someone you can enrol."),
            "invalid_pk_value": _("One of the people chosen is not someone you can enrol."),
        },
    )

    def __init__(self, *args, people: QuerySet[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people

    def clean_people(self):
        people = self.cleaned_data["people"]
        if len(people) > MAX_PEOPLE:
            raise forms.ValidationError(
                _("Choose at most %(max)s people at a time."), params={"max": MAX_PEOPLE}
            )
        return people


# The three answers of attendance, as sent by the radio buttons.
ATTENDED, ABSENT, NOT_REGISTERED = "attended", "absent", "unknown"
ATTENDANCE_CHOICES = [
    (ATTENDED, _("Attended")),
    (ABSENT, _("Absent")),
    (NOT_REGISTERED, _("Not registered")),
]
_VALUES = {ATTENDED: True, ABSENT: False, NOT_REGISTERED: None}


def attendance_choice(value: bool | None) -> str:
    return {True: ATTENDED, False: ABSENT, None: NOT_REGISTERED}[value]


class AttendanceForm(forms.Form):
    """One radio group per person with a seat, named `attendance-<enrolment id>`."""

    def __init__(self, *args, session: Session, enrolments: list[Enrolment], **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.enrolments = enrolments
        for enrolment in enrolments:
            self.fields[self.field_name(enrolment)] = forms.ChoiceField(
                label=enrolment.person.name,
                choices=ATTENDANCE_CHOICES,
                initial=attendance_choice(enrolment.attended),
                widget=forms.RadioSelect,
                # A person who got their seat after the page was loaded is not in the post:
                # their attendance is left as it is.
                required=False,
            )

    @staticmethod
    def field_name(enrolment: Enrolment) -> str:
        return f"attendance-{enrolment.pk}"

    def clean(self):
        cleaned = super().clean()
        if not self.session.has_started():
            raise forms.ValidationError(
                _("Attendance can be registered once the session has started."),
                code="not_started",
            )
        return cleaned

    def rows(self):
        """Each enrolment with its bound radio group."""
        return [(enrolment, self[self.field_name(enrolment)]) for enrolment in self.enrolments]

    def attendance(self) -> dict[int, bool | None]:
        """Enrolment id → attended (True), absent (False) or not registered (None), for the
        groups that were sent."""
        return {
            enrolment.pk: _VALUES[self.cleaned_data[self.field_name(enrolment)]]
            for enrolment in self.enrolments
            if self.cleaned_data.get(self.field_name(enrolment))
        }


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        max_value=1000,
        help_text=_(
            "More seats move people up from the waiting list. There cannot be fewer seats than "
            "people who already have one."
        ),
        error_messages={"required": _("Give the number of seats.")},
    )
