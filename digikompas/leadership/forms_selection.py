"""The forms of the selection tool: the weights of the criteria and the library's target groups
(sent with GET, so that a ranking is a link), and the name to save them under."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from digikompas.orgs.models import UserGroup

from .models import SelectionScenario
from .selection import CRITERIA, DEFAULT_WEIGHTS, MAX_WEIGHT


class WeightsForm(forms.Form):
    """A weight 0–10 per criterion and the library's target groups."""

    target_groups = forms.MultipleChoiceField(
        label=_("The library's target groups"),
        choices=UserGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        help_text=_("The fit to target groups counts how many of these a resource is for."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in CRITERIA:
            self.fields[criterion.key] = forms.IntegerField(
                label=criterion.label,
                help_text=criterion.help,
                min_value=0,
                max_value=MAX_WEIGHT,
                initial=DEFAULT_WEIGHTS[criterion.key],
                error_messages={
                    "required": _("Give a weight from 0 to 10; 0 leaves the criterion out."),
                    "invalid": _("Write a whole number from 0 to 10."),
                    "min_value": _("The weight cannot be below 0."),
                    "max_value": _("The weight cannot be above 10."),
                },
                widget=forms.NumberInput(attrs={"class": "form-input input-width-xs"}),
            )
        # Target groups first in the form, then the weights in the order of the criteria.
        self.order_fields(["target_groups", *(c.key for c in CRITERIA)])

    @property
    def weight_fields(self):
        return [self[criterion.key] for criterion in CRITERIA]

    def clean(self):
        data = super().clean()
        weights = [data.get(criterion.key) for criterion in CRITERIA]
        if all(weight is not None for weight in weights) and not any(weights):
            raise forms.ValidationError(
                _("Give at least one criterion a weight above 0."), code="no_weights"
            )
        return data

    @property
    def weights(self) -> dict[str, int]:
        return {criterion.key: self.cleaned_data[criterion.key] for criterion in CRITERIA}

    @classmethod
    def initial_of(cls, scenario: SelectionScenario | None) -> dict:
        if scenario is None:
            return {**DEFAULT_WEIGHTS, "target_groups": []}
        return {
            **{key: scenario.weights.get(key, 0) for key in DEFAULT_WEIGHTS},
            "target_groups": list(scenario.target_groups),
        }


class ScenarioForm(WeightsForm):
    """The weights and target groups, saved under a name unique in the municipality."""

    name = forms.CharField(
        label=_("Name of the scenario"),
        max_length=200,
        error_messages={"required": _("Give the scenario a name.")},
    )

    def __init__(self, *args, municipality, **kwargs):
        self.municipality = municipality
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        # Compared in Python: SQLite folds the case of ASCII letters only (Ø, Æ, Å).
        taken = SelectionScenario.objects.filter(municipality=self.municipality).values_list(
            "name", flat=True
        )
        if any(other.casefold() == name.casefold() for other in taken):
            raise forms.ValidationError(
                _("%(municipality)s already has a scenario named “%(name)s”; choose another name."),
                params={"municipality": self.municipality.name, "name": name},
            )
        return name
