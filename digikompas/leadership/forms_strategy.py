"""The forms of the local strategy: a goal, an indicator, a measurement."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from digikompas.frameworks.forms import Textarea
from digikompas.frameworks.models import Competency, FrameworkStatus
from digikompas.orgs.models import Municipality

from .models import Campaign, DigitalResource, Indicator, Measurement, StrategyGoal

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"})


class GoalForm(forms.ModelForm):
    class Meta:
        model = StrategyGoal
        fields = ["title", "description", "horizon", "position"]
        widgets = {"description": Textarea(attrs={"rows": 4}), "horizon": DATE_INPUT}
        help_texts = {"position": _("Goals are listed by this number, smallest first.")}
        error_messages = {
            "title": {"required": _("Write the goal.")},
            "horizon": {
                "required": _("Give the day the goal is to be reached by."),
                "invalid": _("Give a date, e.g. 2027-12-31."),
            },
        }

    def __init__(self, *args, municipality: Municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality

    def _post_clean(self):
        self.instance.municipality = self.municipality
        super()._post_clean()


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "name",
            "unit",
            "baseline",
            "target",
            "usage_metric",
            "resources",
            "campaigns",
            "competencies",
        ]
        widgets = {"resources": CHECKBOXES, "campaigns": CHECKBOXES, "competencies": CHECKBOXES}
        help_texts = {
            "unit": _("E.g. loans, per cent, users."),
            "usage_metric": _(
                "To measure the indicator from usage: the metric, e.g. loans or "
                "Total_Item_Requests, summed over the linked resources in the last 12 months. "
                "Leave empty to enter measurements yourself."
            ),
            "competencies": _("Competencies whose gaps stand in the way of the goal."),
        }
        error_messages = {
            "name": {"required": _("Name the indicator.")},
            "baseline": {
                "required": _("Give the value the indicator starts from."),
                "invalid": _("Give a number, e.g. 1200 or 12.5."),
            },
            "target": {
                "required": _("Give the value to reach."),
                "invalid": _("Give a number, e.g. 1500 or 15."),
            },
        }

    def __init__(self, *args, goal: StrategyGoal, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal = goal
        self.fields["resources"].queryset = DigitalResource.objects.order_by("name")
        self.fields["campaigns"].queryset = Campaign.objects.filter(
            municipality=goal.municipality
        ).order_by("-starts_on", "title")
        self.fields["competencies"].queryset = Competency.objects.filter(
            framework__status=FrameworkStatus.PUBLISHED
        ).order_by("framework", "domain__position", "position", "code")

    def clean(self):
        data = super().clean()
        if data.get("usage_metric") and not data.get("resources"):
            self.add_error(
                "resources",
                _("Choose the resources whose %(metric)s measure the indicator.")
                % {"metric": data["usage_metric"]},
            )
        return data

    def _post_clean(self):
        self.instance.goal = self.goal
        super()._post_clean()


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["measured_on", "value", "note"]
        widgets = {"measured_on": DATE_INPUT}
        help_texts = {"measured_on": _("A second measurement on the same day replaces the first.")}
        error_messages = {
            "measured_on": {
                "required": _("Give the day of the measurement."),
                "invalid": _("Give a date, e.g. 2026-06-30."),
            },
            "value": {
                "required": _("Give the measured value."),
                "invalid": _("Give a number, e.g. 1350 or 13.5."),
            },
        }

    def validate_unique(self):
        # A measurement on a day already measured replaces it (strategy.add_measurement).
        pass
