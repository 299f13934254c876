"""The form that starts a round, and the date rules it shares with the API."""

from __future__ import annotations

import datetime
import re
from itertools import groupby

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from digikompas.orgs.models import JobRole, Library, Municipality

from .models import AnonymityMode, Round, Survey

# The datetime-local input sends and shows this.
DATETIME_INPUT = "%Y-%m-%dT%H:%M"
DEFAULT_LENGTH = datetime.timedelta(days=14)


def date_problems(
    opens_at: datetime.datetime | None,
    closes_at: datetime.datetime | None,
    *,
    now: datetime.datetime | None = None,
) -> dict[str, str]:
    """What is wrong with a round's dates, by field name (empty when nothing is)."""
    now = now or timezone.now()
    problems = {}
    # From the start of today rather than from now: the form suggests "now", and a minute passes
    # before it is sent.
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if opens_at is not None and opens_at < today:
        problems["opens_at"] = _("A round cannot open before today.")
    if closes_at is not None and closes_at <= now:
        problems["closes_at"] = _("That time has passed; a round must close in the future.")
    elif opens_at is not None and closes_at is not None and closes_at <= opens_at:
        problems["closes_at"] = _("A round must close after it opens.")
    return problems


def anonymity_explanations() -> dict[str, str]:
    minimum = settings.ANONYMITY_MINIMUM
    return {
        AnonymityMode.CONFIDENTIAL: _(
            "Answers are kept with the person who gave them, so that they can see their own "
            "profile and a later round can show what changed for each person. Leaders and "
            "analysts only ever see results for groups of at least %(minimum)s people."
        )
        % {"minimum": minimum},
        AnonymityMode.ANONYMOUS: _(
            "Answers are stored without any link to the person; digikompas only notes that they "
            "answered, so that reminders skip them. No one, not even the person, can see an "
            "individual's answers, and before/after comparisons are made for groups only."
        ),
    }


def library_codes(text: str) -> list[str]:
    """Codes typed as one text, separated by commas, semicolons, spaces or new lines."""
    return list(dict.fromkeys(code for code in re.split(r"[\s,;]+", text) if code))


class RoundForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        help_text=gettext_lazy("For example “Spring 2026”: it tells the rounds of a survey apart."),
    )
    opens_at = forms.DateTimeField(
        label=gettext_lazy("Opens"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    anonymity = forms.ChoiceField(
        label=gettext_lazy("Anonymity"),
        # The default first.
        choices=[
            (mode.value, mode.label)
            for mode in (AnonymityMode.CONFIDENTIAL, AnonymityMode.ANONYMOUS)
        ],
        initial=AnonymityMode.CONFIDENTIAL,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
    )
    job_roles = forms.MultipleChoiceField(
        label=gettext_lazy("Job roles"),
        choices=JobRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        help_text=gettext_lazy("Choose none to include every job role."),
    )
    municipalities = forms.MultipleChoiceField(
        label=gettext_lazy("Municipalities"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        help_text=gettext_lazy(
            "The staff of every library in the chosen municipalities. Choose no municipality and "
            "no library to include all of Denmark."
        ),
    )
    libraries = forms.CharField(
        label=gettext_lazy("Single libraries"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Library codes, for example 746100-01, separated by commas or spaces: libraries "
            "outside the chosen municipalities whose staff are included as well."
        ),
    )
    follows = forms.ModelChoiceField(
        label=gettext_lazy("Follows the round"),
        queryset=Round.objects.none(),
        required=False,
        empty_label=gettext_lazy("None: this is a first measurement"),
        help_text=gettext_lazy(
            "An earlier round of this survey that this one is the “after” of, for a before and "
            "after comparison."
        ),
    )

    retention_months = forms.IntegerField(
        label=gettext_lazy("Keep personal data for (months)"),
        required=False,
        min_value=1,
        max_value=120,
        initial=36,
        help_text=gettext_lazy(
            "How long after the round closes the answers stay linked to the people who gave "
            "them (for their own profile and before/after comparisons). Then the invitations are "
            "deleted and the answers are kept without names, for the results only. Leave it "
            "empty to keep them until the round is deleted."
        ),
    )

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.fields["follows"].queryset = survey.rounds.order_by("-opens_at")
        municipalities = list(
            Municipality.objects.select_related("region").order_by("region__code", "name")
        )
        self._region_of = {str(m.code): m.region.name for m in municipalities}
        self.fields["municipalities"].choices = [(str(m.code), m.name) for m in municipalities]
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("opens_at", now)
            self.initial.setdefault("closes_at", now + DEFAULT_LENGTH)
        self.anonymity_explanations = anonymity_explanations()

    def municipality_groups(self):
        """The municipality checkboxes by region: (region name, checkboxes, any checked)."""
        widgets = self["municipalities"].subwidgets
        groups = []
        for region, members in groupby(widgets, key=lambda w: self._region_of[w.data["value"]]):
            members = list(members)
            groups.append((region, members, any(w.data["selected"] for w in members)))
        return groups

    def anonymity_choices(self):
        """The radio buttons with the explanation of each mode."""
        return [
            (radio, self.anonymity_explanations[radio.data["value"]])
            for radio in self["anonymity"].subwidgets
        ]

    def clean_municipalities(self):
        codes = self.cleaned_data["municipalities"]
        return list(Municipality.objects.filter(code__in=codes).order_by("name"))

    def clean_libraries(self):
        codes = library_codes(self.cleaned_data["libraries"])
        libraries = list(Library.objects.filter(code__in=codes).order_by("code"))
        unknown = sorted(set(codes) - {library.code for library in libraries})
        if unknown:
            raise forms.ValidationError(
                ngettext(
                    "No library has the code %(codes)s.",
                    "No libraries have the codes %(codes)s.",
                    len(unknown),
                )
                % {"codes": ", ".join(unknown)}
            )
        return libraries

    def clean(self):
        data = super().clean()
        for field, problem in date_problems(data.get("opens_at"), data.get("closes_at")).items():
            if field not in self.errors:
                self.add_error(field, problem)
        return data

    def round_arguments(self) -> dict:
        """The keyword arguments of services.create_round from the cleaned form."""
        data = self.cleaned_data
        return {
            "survey": self.survey,
            "title": data["title"],
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "anonymity": data["anonymity"],
            "job_roles": data["job_roles"],
            "municipalities": data["municipalities"],
            "libraries": data["libraries"],
            "follows": data["follows"],
            "retention_months": data["retention_months"],
        }
