"""The forms of the dissemination plan: a campaign, an activity, and the annual plan's filter."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from digikompas.frameworks.forms import Textarea
from digikompas.orgs.access import Actor
from digikompas.orgs.models import Library, Municipality, Person, Role, UserGroup

from .models import Activity, Campaign, Channel, DigitalResource, Status

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"})


def working_in(municipality: Municipality):
    """People who work in the municipality: at one of its libraries, or as its leader."""
    return (
        Person.objects.filter(
            Q(library__municipality=municipality)
            | Q(grants__role=Role.MUNICIPAL_LEADER, grants__municipality=municipality)
        )
        .distinct()
        .order_by("name", "pk")
    )


class CampaignForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, required=False, widget=CHECKBOXES
    )

    class Meta:
        model = Campaign
        fields = [
            "title",
            "resource",
            "library",
            "target_group",
            "channels",
            "starts_on",
            "ends_on",
            "owner",
            "priority",
            "status",
            "description",
        ]
        widgets = {
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
            "description": Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, municipality: Municipality, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["resource"].queryset = DigitalResource.objects.order_by("name")
        self.fields["resource"].error_messages = {
            "required": _("Choose the digital resource the campaign makes known."),
            "invalid_choice": _("Choose a digital resource from the list."),
        }
        libraries = Library.objects.filter(municipality=municipality).order_by("name")
        if municipality.pk not in actor.led_municipality_ids:
            # A library leader plans the campaigns of the libraries they lead.
            libraries = libraries.filter(pk__in=actor.led_library_ids)
            self.fields["library"].required = True
            self.fields["library"].help_text = _("A campaign of a library you lead.")
        else:
            self.fields["library"].help_text = _(
                "Leave empty for a campaign of the whole municipality."
            )
        self.fields["library"].queryset = libraries
        self.fields["library"].empty_label = _("The whole municipality")
        self.fields["library"].error_messages = {
            "required": _("Choose the library whose campaign it is."),
            "invalid_choice": _("Choose a library you plan for."),
        }
        self.fields["owner"].queryset = working_in(municipality)
        self.fields["owner"].empty_label = _("Nobody yet")
        self.fields["owner"].error_messages = {
            "invalid_choice": _("Choose someone who works in %(municipality)s.")
            % {"municipality": municipality.name}
        }
        self.fields["target_group"].choices = [("", _("Everyone")), *UserGroup.choices]
        self.fields["title"].error_messages = {"required": _("Give the campaign a title.")}
        self.fields["starts_on"].error_messages = {
            "required": _("Give the day the campaign starts."),
            "invalid": _("Give a date, e.g. 2026-03-01."),
        }
        self.fields["ends_on"].error_messages = {
            "required": _("Give the day the campaign ends."),
            "invalid": _("Give a date, e.g. 2026-03-31."),
        }

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error(
                "ends_on", _("The campaign cannot end before it starts (%(start)s).")
                % {"start": starts.isoformat()}
            )  # fmt: skip
        return data

    def _post_clean(self):
        self.instance.municipality = self.municipality
        super()._post_clean()


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["title", "channel", "due_on", "owner", "priority", "status"]
        widgets = {"due_on": DATE_INPUT}

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        municipality = campaign.municipality
        self.fields["owner"].queryset = working_in(municipality)
        self.fields["owner"].empty_label = _("Nobody yet")
        self.fields["owner"].error_messages = {
            "invalid_choice": _("Choose someone who works in %(municipality)s.")
            % {"municipality": municipality.name}
        }
        self.fields["title"].error_messages = {"required": _("Say what is to be done.")}
        self.fields["channel"].error_messages = {
            "required": _("Choose the channel of the activity.")
        }
        self.fields["due_on"].error_messages = {
            "required": _("Give the day the activity is due."),
            "invalid": _("Give a date, e.g. 2026-03-01."),
        }
        self.fields["due_on"].help_text = _("Within the campaign, %(start)s to %(end)s.") % {
            "start": campaign.starts_on.isoformat(),
            "end": campaign.ends_on.isoformat(),
        }

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        if not self.campaign.starts_on <= due <= self.campaign.ends_on:
            raise forms.ValidationError(
                _("The day must lie within the campaign, %(start)s to %(end)s.")
                % {
                    "start": self.campaign.starts_on.isoformat(),
                    "end": self.campaign.ends_on.isoformat(),
                }
            )
        return due

    def _post_clean(self):
        self.instance.campaign = self.campaign
        super()._post_clean()


class PlanFilterForm(forms.Form):
    """The annual plan's filters, read from the query string; a wrong value is an error."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    library = forms.TypedChoiceField(label=_("Library"), coerce=int, required=False)
    resource = forms.ModelChoiceField(
        label=_("Resource"), queryset=DigitalResource.objects.none(), required=False
    )
    target_group = forms.ChoiceField(label=_("Target group"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, municipality: Municipality, **kwargs):
        super().__init__(*args, **kwargs)
        everything = ("", _("All"))
        self.fields["library"].choices = [
            everything,
            (0, _("The whole municipality")),
            *Library.objects.filter(municipality=municipality)
            .order_by("name")
            .values_list("pk", "name"),
        ]
        self.fields["resource"].queryset = DigitalResource.objects.filter(
            campaigns__municipality=municipality
        ).distinct()
        self.fields["resource"].empty_label = _("All")
        self.fields["target_group"].choices = [everything, *UserGroup.choices]
        self.fields["channel"].choices = [everything, *Channel.choices]
        self.fields["status"].choices = [everything, *Status.choices]
