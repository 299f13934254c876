"""The forms of the offer catalogue: filters, an offer, its competencies, a provider, a file."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from digikompas import spreadsheets
from digikompas.frameworks.forms import Textarea
from digikompas.frameworks.models import Competency, Framework
from digikompas.orgs.models import JobRole, Person, Role

from . import importing
from .models import (
    MAX_LEVEL_REACHED,
    EducationOffer,
    OfferCompetency,
    OfferFormat,
    OfferKind,
    Provider,
)

TEXTAREA = Textarea(attrs={"rows": 4})
CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"})


# -- the catalogue's filters ----------------------------------------------------------------------


class YesCheckbox(forms.CheckboxInput):
    """A checkbox sent as "yes", so that a link to the filtered list reads ?online=yes."""

    def format_value(self, value):
        return "yes"


class CatalogueFilterForm(forms.Form):
    """The filters of the catalogue, sent with GET; an empty field filters nothing."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Words in the title or description, in Danish or English."),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    format = forms.ChoiceField(label=_("Format"), required=False)
    provider = forms.ModelChoiceField(
        label=_("Provider"),
        queryset=Provider.objects.order_by("name"),
        required=False,
        empty_label=_("All providers"),
    )
    competency = forms.ChoiceField(label=_("Competency"), required=False)
    role = forms.ChoiceField(
        label=_("Job role"),
        required=False,
        help_text=_("Offers for this job role, and offers for everyone."),
    )
    online = forms.BooleanField(label=_("Online only"), required=False, widget=YesCheckbox)

    def __init__(self, *args, framework: Framework | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *OfferKind.choices]
        self.fields["format"].choices = [("", _("All formats")), *OfferFormat.choices]
        self.fields["role"].choices = [("", _("All job roles")), *JobRole.choices]
        if framework is None:
            # No published default framework: no competency to filter by.
            del self.fields["competency"]
        else:
            competencies = framework.competencies.order_by("domain__position", "position", "code")
            self.fields["competency"].choices = [("", _("All competencies"))] + [
                (c.code, f"{c.code} {c.title}") for c in competencies
            ]

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


# -- an offer -------------------------------------------------------------------------------------


class DatesField(forms.CharField):
    """Start dates typed as YYYY-MM-DD, separated by commas or new lines; a sorted list of
    distinct dates as text, the way EducationOffer.start_dates keeps them."""

    widget = Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        dates = set()
        for item in (part.strip() for part in re.split(r"[,;\n]", text)):
            if not item:
                continue
            try:
                valid = bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", item)) and bool(
                    datetime.date.fromisoformat(item)
                )
            except ValueError:
                valid = False
            if not valid:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date written as YYYY-MM-DD."),
                    code="not_a_date",
                    params={"value": item},
                )
            dates.add(item)
        return sorted(dates)


class OfferForm(forms.ModelForm):
    """An offer's details; its competencies are chosen on their own page afterwards."""

    target_roles = forms.MultipleChoiceField(
        label=_("Target job roles"),
        choices=JobRole.choices,
        required=False,
        widget=CHECKBOXES,
        help_text=_("Choose none if the offer is for everyone."),
    )
    start_dates = DatesField(
        label=_("Start dates"),
        help_text=_("Write each date as YYYY-MM-DD, separated by commas or new lines."),
    )

    class Meta:
        model = EducationOffer
        fields = [
            "provider",
            "title_da",
            "title_en",
            "description_da",
            "description_en",
            "kind",
            "format",
            "ects",
            "hours",
            "duration",
            "price_dkk",
            "language",
            "place",
            "online",
            "target_roles",
            "start_dates",
            "link",
            "is_example",
        ]
        widgets = {
            "description_da": TEXTAREA,
            "description_en": TEXTAREA,
            "ects": forms.TextInput(attrs={"inputmode": "decimal"}),
        }
        # Danish users write 7,5.
        localized_fields = ["ects"]
        help_texts = {
            "duration": _("For example “2 days” or “3 years full time”."),
            "place": _("Leave it empty for an offer that is only online."),
            "link": _("The provider's page about the offer."),
        }

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers.order_by("name")

    def clean(self):
        data = super().clean()
        # The model's constraints would say the same as errors of the whole form; said here, they
        # point at the field to correct (and a field with an error leaves its constraint out).
        provider, title = data.get("provider"), data.get("title_da")
        if provider and title:
            others = EducationOffer.objects.filter(provider=provider, title_da=title)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                # The model's clean() reads the title from the instance, which a field with an
                # error does not reach; without it, it would add "The offer needs a Danish title".
                self.instance.title_da = title
                self.add_error("title_da", _("This provider already has an offer with this title."))
        if "place" in data and "online" in data and not data["place"] and not data["online"]:
            self.add_error("place", _("Give the place of the offer or mark it as online."))
        return data


# -- the competencies of an offer ----------------------------------------------------------------


def level_choices(framework: Framework | None) -> list[tuple[int, str]]:
    """The levels an offer can bring a participant to, with the names of the framework's scale
    (numbers alone without a framework)."""
    names = {}
    if framework is not None:
        names = {
            level.value: level.label
            for level in framework.levels.filter(value__lte=MAX_LEVEL_REACHED)
        }
    return [
        (value, f"{value} {names[value]}" if names.get(value) else str(value))
        for value in range(MAX_LEVEL_REACHED + 1)
    ]


class LevelField(forms.TypedChoiceField):
    def __init__(self, *, choices, **kwargs):
        super().__init__(choices=choices, coerce=int, label=_("Level reached"), **kwargs)


class AddCompetencyForm(forms.Form):
    """A competency of the published default framework and the level the offer reaches in it:
    added by hand, or accepted from the suggestions."""

    competency = forms.ModelChoiceField(
        label=_("Competency"), queryset=Competency.objects.none(), to_field_name="code"
    )

    def __init__(self, *args, framework: Framework, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competency"].queryset = framework.competencies.order_by(
            "domain__position", "position", "code"
        )
        self.fields["competency"].label_from_instance = lambda c: f"{c.code} {c.title}"
        self.fields["level"] = LevelField(choices=levels)


class RejectSuggestionForm(forms.Form):
    competency = forms.ModelChoiceField(queryset=Competency.objects.none(), to_field_name="code")

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competency"].queryset = framework.competencies.all()


class CoveredCompetencyForm(forms.Form):
    """One competency the offer covers: its new level, or its removal (no level needed)."""

    link = forms.ModelChoiceField(queryset=OfferCompetency.objects.none())

    def __init__(self, *args, offer: EducationOffer, levels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].queryset = offer.competencies.select_related("competency")
        if levels is not None:
            self.fields["level"] = LevelField(choices=levels)


# -- a provider -----------------------------------------------------------------------------------


class ProviderForm(forms.ModelForm):
    maintainers = forms.ModelMultipleChoiceField(
        label=_("Maintainers"),
        queryset=Person.objects.none(),
        required=False,
        widget=CHECKBOXES,
        help_text=_(
            "People with the education provider role who keep these offers up to date. "
            "Give someone the role first if they are not listed."
        ),
    )

    class Meta:
        model = Provider
        fields = ["name", "kind", "website", "note", "maintainers"]
        widgets = {"note": TEXTAREA}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["maintainers"].queryset = (
            Person.objects.filter(grants__role=Role.EDUCATION_PROVIDER)
            .distinct()
            .order_by("name", "email")
        )
        self.fields["maintainers"].label_from_instance = lambda p: f"{p.name} ({p.email})"

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Provider.objects.filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("There is already a provider with this name."))
        return name


# -- a catalogue file -----------------------------------------------------------------------------


class OfferFileForm(spreadsheets.UploadForm):
    label = _("Catalogue file")
    wrong_type = importing.WRONG_TYPE

    def clean_file(self):
        """Refuse a wrong type or size before the file is read."""
        upload = self.cleaned_data["file"]
        try:
            importing.check_upload(filename=upload.name, size=upload.size)
        except importing.ImportRejected as rejected:
            raise forms.ValidationError(rejected.file_errors) from None
        return upload
