"""The forms of the resource catalogue: its filters, and a resource as analysts curate it."""

from __future__ import annotations

from django import forms
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from digikompas.frameworks.forms import Textarea
from digikompas.orgs.models import UserGroup

from .models import DigitalResource, ResourceType

TEXTAREA = Textarea(attrs={"rows": 4})
CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"})


class ResourceFilterForm(forms.Form):
    """The filters of the catalogue, sent with GET; an empty field filters nothing."""

    type = forms.ChoiceField(label=_("Type"), required=False)
    group = forms.ChoiceField(label=_("Target group"), required=False)
    examples = forms.ChoiceField(
        label=_("Example data"),
        required=False,
        choices=[
            ("", _("All resources")),
            ("confirmed", _("Only confirmed facts")),
            ("examples", _("Only example data")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("All types")), *ResourceType.choices]
        self.fields["group"].choices = [("", _("All target groups")), *UserGroup.choices]

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


class MunicipalityChoiceForm(forms.Form):
    """For analysts on the start page: the municipality whose toolkit pages to open."""

    municipality = forms.TypedChoiceField(label=_("Municipality"), coerce=int, required=False)

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [("", _("Choose a municipality"))] + [
            (m.code, m.name) for m in municipalities
        ]


class AccessibleSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("unknown", _("Not known")),
            ("true", _("Yes: the vendor documents WCAG 2.1 AA")),
            ("false", _("No")),
        ]


class ResourceForm(forms.ModelForm):
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"),
        choices=UserGroup.choices,
        required=False,
        widget=CHECKBOXES,
    )
    accessible = forms.NullBooleanField(
        label=_("Meets accessibility requirements"),
        required=False,
        widget=AccessibleSelect,
    )

    class Meta:
        model = DigitalResource
        fields = [
            "name",
            "vendor",
            "type",
            "target_groups",
            "counter_platform",
            "website",
            "description_da",
            "description_en",
            "accessible",
            "is_example",
        ]
        widgets = {"description_da": TEXTAREA, "description_en": TEXTAREA}
        help_texts = {
            "counter_platform": _(
                "The Platform of its COUNTER reports, e.g. EBSCOhost; usage files are matched to "
                "the resource by it. Leave it empty for a service that reports monthly counts."
            ),
            "is_example": _("Tick it when facts about the resource are assumed, not confirmed."),
        }

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        others = DigitalResource.objects.annotate(lower=Lower("name")).filter(lower=name.lower())
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("There is already a resource named “%(name)s”."), params={"name": name}
            )
        return name

    def clean_counter_platform(self):
        platform = " ".join(self.cleaned_data["counter_platform"].split())
        if not platform:
            return ""
        others = DigitalResource.objects.filter(counter_platform__iexact=platform)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        other = others.first()
        if other is not None:
            raise forms.ValidationError(
                _(
                    "The resource “%(other)s” already has this COUNTER platform; usage files "
                    "could not tell the two apart."
                ),
                params={"other": other.name},
            )
        return platform
