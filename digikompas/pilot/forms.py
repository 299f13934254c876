"""The forms of the pilot's catalogue: a programme, a module and a session.

Times are typed in local time (Europe/Copenhagen, the site's TIME_ZONE) and stored as aware
datetimes. The forms check what a coordinator can correct, field by field; the database keeps the
same rules as constraints (pilot.models) for anything that does not come through a form.
"""

from __future__ import annotations

import datetime
from itertools import groupby

from django import forms
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from digikompas.frameworks.forms import Textarea
from digikompas.frameworks.models import Competency, Framework, FrameworkStatus
from digikompas.orgs.models import JobRole, Person, Role, UserGroup
from digikompas.surveys.models import AnonymityMode, Purpose, Round

from .models import Material, Module, Programme, Session

TEXTAREA = Textarea(attrs={"rows": 4})
CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"})
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
# Who can be chosen to run a session.
FACILITATOR_ROLES = (Role.EDUCATION_PROVIDER, Role.EDUCATION_COORDINATOR)


# -- a programme --------------------------------------------------------------------------------


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, round):
        # Translators: a survey round in a list, e.g. "Forår 2026 – Kompetenceundersøgelse
        # (1 March 2026 – 15 March 2026)".
        return _("%(round)s – %(survey)s (%(opens)s – %(closes)s)") % {
            "round": round.title,
            "survey": round.survey.title,
            "opens": formats.date_format(timezone.localtime(round.opens_at)),
            "closes": formats.date_format(timezone.localtime(round.closes_at)),
        }


def _round_field(label) -> RoundChoiceField:
    return RoundChoiceField(
        label=label,
        queryset=Round.objects.none(),
        required=False,
        empty_label=_("None yet"),
        error_messages={
            "invalid_choice": _(
                "Choose a confidential round of a competence survey: only its answers can be "
                "paired by person."
            )
        },
    )


class ProgrammeForm(forms.ModelForm):
    """A programme's details. The rounds before and after are checked by Programme.clean(): a
    confidential round on the programme's framework, the one after opening when the one before
    closed; its errors are shown on those fields."""

    target_roles = forms.MultipleChoiceField(
        label=_("Target job roles"),
        choices=JobRole.choices,
        required=False,
        widget=CHECKBOXES,
        help_text=_("Choose none if the programme is for every job role."),
    )
    before_round = _round_field(_("Round before"))
    after_round = _round_field(_("Round after"))

    class Meta:
        model = Programme
        fields = [
            "key",
            "title_da",
            "title_en",
            "description_da",
            "description_en",
            "framework",
            "starts_on",
            "ends_on",
            "before_round",
            "after_round",
            "target_roles",
            "is_example",
        ]
        widgets = {
            "description_da": TEXTAREA,
            "description_en": TEXTAREA,
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
        }
        help_texts = {
            "key": _("Short name with letters, digits and hyphens, e.g. “pilot-2027”."),
            "is_example": _("Mark a programme made to show the pilot, not one that is run."),
        }
        error_messages = {
            "key": {"unique": _("There is already a programme with this key.")},
            "framework": {"invalid_choice": _("Choose a published framework.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title_da"].required = True
        self.fields["framework"].queryset = Framework.objects.filter(
            status=FrameworkStatus.PUBLISHED
        ).order_by("key", "-version")
        self.fields["framework"].help_text = _(
            "The published framework whose competencies the modules build."
        )
        rounds = (
            Round.objects.filter(
                anonymity=AnonymityMode.CONFIDENTIAL,
                survey__purpose=Purpose.COMPETENCE,
                survey__framework__isnull=False,
            )
            .select_related("survey")
            .order_by("-opens_at", "pk")
        )
        for name in ("before_round", "after_round"):
            self.fields[name].queryset = rounds
        self.fields["before_round"].help_text = _(
            "A confidential competence round on the programme's framework, answered before the "
            "programme. Only confidential rounds are listed: their answers can be paired by "
            "person, so the effect can be measured."
        )
        self.fields["after_round"].help_text = _(
            "The same survey again after the programme: it must open when the round before has "
            "closed."
        )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The programme cannot end before it starts."))
        framework = data.get("framework")
        if (
            self.instance.pk
            and framework is not None
            and framework.pk != self.instance.framework_id
            and Module.competencies.through.objects.filter(module__programme=self.instance)
            .exclude(competency__framework=framework)
            .exists()
        ):
            self.add_error(
                "framework",
                _(
                    "The modules of the programme build competencies of the framework it has "
                    "now. Remove those competencies from the modules before you change the "
                    "framework."
                ),
            )
        return data


# -- a module -----------------------------------------------------------------------------------


class ModuleForm(forms.ModelForm):
    """A module of one programme: the competencies are those of the programme's framework,
    grouped by domain."""

    competencies = forms.ModelMultipleChoiceField(
        label=_("Competencies"),
        queryset=Competency.objects.none(),
        required=False,
        widget=CHECKBOXES,
        help_text=_("The competencies of the programme's framework that the module builds."),
        error_messages={
            "invalid_choice": _("Choose only competencies of the programme's framework."),
            "invalid_pk_value": _("Choose only competencies of the programme's framework."),
        },
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups of users"),
        choices=UserGroup.choices,
        required=False,
        widget=CHECKBOXES,
        help_text=_("The library users the participants learn to reach."),
    )
    materials = forms.ModelMultipleChoiceField(
        label=_("Materials and tools"),
        queryset=Material.objects.none(),
        required=False,
        widget=CHECKBOXES,
        help_text=_("Files and links the participants get. Upload new ones among the materials."),
    )

    class Meta:
        model = Module
        fields = [
            "title_da",
            "title_en",
            "description_da",
            "description_en",
            "format",
            "position",
            "hours",
            "competencies",
            "target_groups",
            "materials",
        ]
        widgets = {
            "description_da": TEXTAREA,
            "description_en": TEXTAREA,
            "hours": forms.TextInput(attrs={"inputmode": "decimal"}),
        }
        # Danish users write 2,5.
        localized_fields = ["hours"]
        help_texts = {
            "position": _("Modules are listed in this order within the programme."),
            "hours": _("The participant's time, e.g. 3 or 2.5."),
        }

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.instance.programme = programme
        self.fields["title_da"].required = True
        self.fields["hours"].validators.append(MinValueValidator(0))
        competencies = list(
            programme.framework.competencies.select_related("domain").order_by(
                "domain__position", "domain__code", "position", "code"
            )
        )
        self._domain_of = {str(c.pk): c.domain for c in competencies}
        field = self.fields["competencies"]
        field.queryset = programme.framework.competencies.all()
        # The widget gets the same choices in the order of the framework (the queryset's
        # iterator would also work, but the grouping below needs the domains at hand).
        field.widget.choices = [(c.pk, f"{c.code} {c.title}") for c in competencies]
        self.fields["materials"].queryset = Material.objects.order_by("title_da", "pk")
        if not self.instance.pk and not self.is_bound:
            last = programme.modules.order_by("-position").values_list("position", flat=True)
            self.initial.setdefault("position", (last.first() or 0) + 1)

    def competency_groups(self):
        """The competency checkboxes by domain: (domain, checkboxes)."""
        widgets = self["competencies"].subwidgets
        return [
            (domain, list(members))
            for domain, members in groupby(
                widgets, key=lambda w: self._domain_of[str(w.data["value"])]
            )
        ]


# -- a session ----------------------------------------------------------------------------------


class FacilitatorField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person.name} ({person.email})"


class SessionForm(forms.ModelForm):
    """A session's time (a date with a start and an end in local time), place or meeting link,
    seats and facilitator. The seats of a session that people have enrolled in are changed
    through pilot.enrolment.change_capacity by the view, which puts its refusal on `capacity`."""

    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    start_time = forms.TimeField(
        label=_("Starts"), widget=TIME_INPUT, help_text=_("Danish time, e.g. 09:30.")
    )
    end_time = forms.TimeField(label=_("Ends"), widget=TIME_INPUT)
    capacity = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        error_messages={"min_value": _("A session needs at least one seat.")},
        help_text=_("When the seats are taken, people join the waiting list."),
    )
    facilitator = FacilitatorField(
        label=_("Facilitator"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Not decided yet"),
        help_text=_(
            "People with the education provider or education coordinator role. The facilitator "
            "sees the participants and registers their attendance."
        ),
    )

    field_order = [
        "date",
        "start_time",
        "end_time",
        "place",
        "meeting_url",
        "capacity",
        "facilitator",
    ]

    class Meta:
        model = Session
        fields = ["place", "meeting_url", "capacity", "facilitator"]
        help_texts = {
            "place": _("Address and room. Leave it empty for a session that is only online."),
            "meeting_url": _(
                "Shown only to the people who have a seat. Leave it empty for a session in a room."
            ),
        }

    def __init__(self, *args, module: Module, **kwargs):
        super().__init__(*args, **kwargs)
        self.module = module
        self.instance.module = module
        people = Q(grants__role__in=FACILITATOR_ROLES)
        if self.instance.facilitator_id:
            # Someone who no longer has the role stays choosable for their own session.
            people |= Q(pk=self.instance.facilitator_id)
        self.fields["facilitator"].queryset = (
            Person.objects.filter(people).distinct().order_by("name", "email")
        )
        if self.instance.pk and not self.is_bound:
            starts = timezone.localtime(self.instance.starts_at)
            ends = timezone.localtime(self.instance.ends_at)
            self.initial.update(
                date=starts.date(),
                start_time=starts.time().replace(second=0, microsecond=0),
                end_time=ends.time().replace(second=0, microsecond=0),
            )

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            if end <= start:
                self.add_error("end_time", _("The session must end after it starts."))
            else:
                zone = timezone.get_default_timezone()
                self.instance.starts_at = timezone.make_aware(
                    datetime.datetime.combine(day, start), zone
                )
                self.instance.ends_at = timezone.make_aware(
                    datetime.datetime.combine(day, end), zone
                )
        programme = self.module.programme
        if day and not programme.starts_on <= day <= programme.ends_on:
            self.add_error(
                "date",
                _("The session must lie within the programme, %(starts)s to %(ends)s.")
                % {
                    "starts": formats.date_format(programme.starts_on),
                    "ends": formats.date_format(programme.ends_on),
                },
            )
        # Said here rather than by the model's constraint, so that it points at a field.
        if (
            "place" in data
            and "meeting_url" in data
            and not data["place"]
            and not data["meeting_url"]
        ):
            self.add_error("place", _("Give the place of the session or its meeting link."))
        return data
