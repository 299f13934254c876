"""Forms of the licence and collaboration pages: a licence form per pricing model with its band
editor (rows "from inhabitants / price"), typed terms and the renewal decision; collaborations,
memberships and invoices. Each form turns text into typed values and says which field (or which
band row) is wrong and why; saving is left to the views and leadership.costsplit."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digikompas.orgs.models import Municipality

from .models import (
    Collaboration,
    DigitalResource,
    Invoice,
    Licence,
    Membership,
    PricingModel,
    RenewalDecision,
)
from .pricing import day_text

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal(0)}

# The fields each pricing model uses besides the common ones; the others are emptied on save.
MODEL_FIELDS = {
    PricingModel.FIXED: ["fixed_fee"],
    PricingModel.PER_INHABITANT: [],
    PricingModel.BASE_PLUS_USE: ["base_fee", "price_per_use", "usage_metric"],
    PricingModel.PER_LOAN: ["price_per_loan", "monthly_quota", "usage_metric"],
}
PRICING_FIELDS = [
    "fixed_fee",
    "base_fee",
    "price_per_use",
    "price_per_loan",
    "monthly_quota",
    "usage_metric",
]
# Models priced by population band, and the key of a band's amount.
BAND_KEY = {PricingModel.PER_INHABITANT: "price", PricingModel.BASE_PLUS_USE: "fee"}
# Rows of the band editor: the bands there are and at least this many empty ones to fill in.
EMPTY_BAND_ROWS = 2
MIN_BAND_ROWS = 3


class PricingModelForm(forms.Form):
    """The first step of a new licence: how it is priced."""

    pricing_model = forms.ChoiceField(
        label=gettext_lazy("How is the licence priced?"),
        choices=PricingModel.choices,
        widget=forms.RadioSelect,
    )


class BandForm(forms.Form):
    start = forms.IntegerField(label=gettext_lazy("From inhabitants"), min_value=0, required=False)
    amount = forms.DecimalField(label=gettext_lazy("Price (DKK)"), required=False, **MONEY)


class BaseBandFormSet(forms.BaseFormSet):
    """Population bands as rows; empty rows are left out. `required` says whether the pricing
    model needs bands (per inhabitant) or may do without (a base fee by band)."""

    required = False

    def clean(self):
        if any(self.errors):
            return
        seen: dict[int, int] = {}
        for number, form in enumerate(self.forms, start=1):
            start = form.cleaned_data.get("start")
            amount = form.cleaned_data.get("amount")
            if start is None and amount is None:
                continue
            if start is None:
                form.add_error(
                    "start",
                    _("Band row %(row)d: give the number of inhabitants the band starts at.")
                    % {"row": number},
                )
            elif amount is None:
                form.add_error(
                    "amount",
                    _("Band row %(row)d: give the price for the band from %(start)s inhabitants.")
                    % {"row": number, "start": start},
                )
            elif start in seen:
                form.add_error(
                    "start",
                    _("Band row %(row)d starts at %(start)s inhabitants, as row %(other)d does.")
                    % {"row": number, "start": start, "other": seen[start]},
                )
            else:
                seen[start] = number
        if any(form.errors for form in self.forms):
            return
        if not seen:
            if self.required:
                raise forms.ValidationError(
                    _(
                        "Give at least one population band: from how many inhabitants, at what "
                        "price."
                    )
                )
            return
        if min(seen) != 0:
            raise forms.ValidationError(
                _(
                    "The lowest band must start at 0 inhabitants, so that every population has a "
                    "price (it starts at %(start)s)."
                )
                % {"start": min(seen)}
            )

    def bands(self, key: str) -> list[dict]:
        """The bands as Licence.bands keeps them, lowest first, amounts as exact text."""
        rows = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data.get("start") is not None
            and form.cleaned_data.get("amount") is not None
        ]
        return [
            {"from": row["start"], key: str(row["amount"].quantize(Decimal("0.01")))}
            for row in sorted(rows, key=lambda row: row["start"])
        ]


BandFormSet = forms.formset_factory(BandForm, formset=BaseBandFormSet, extra=0)


def band_formset(data, *, licence: Licence | None, model: str) -> BaseBandFormSet:
    key = BAND_KEY.get(model, "price")
    initial = [
        {"start": band.get("from"), "amount": band.get(key) or band.get("price") or band.get("fee")}
        for band in (licence.bands if licence is not None else [])
    ]
    formset_class = forms.formset_factory(
        BandForm,
        formset=BaseBandFormSet,
        extra=max(EMPTY_BAND_ROWS, MIN_BAND_ROWS - len(initial)),
    )
    formset = formset_class(data, initial=initial, prefix="bands")
    formset.required = model == PricingModel.PER_INHABITANT
    label = (
        _("Price per inhabitant (DKK)")
        if model == PricingModel.PER_INHABITANT
        else _("Base fee (DKK)")
    )
    for form in formset.forms:
        form.fields["amount"].label = label
    return formset


class LicenceForm(forms.ModelForm):
    """A licence priced by one model (`model`): the fields of that model only, the holder (the
    municipality or a collaboration it coordinates) when the licence is new, the typed terms
    and the renewal decision."""

    holder = forms.ChoiceField(label=gettext_lazy("Held by"))
    concurrent_users = forms.IntegerField(
        label=gettext_lazy("Concurrent users"),
        min_value=1,
        required=False,
        help_text=gettext_lazy("Empty when the licence does not limit them."),
    )
    on_site_only = forms.BooleanField(
        label=gettext_lazy("On site in the library only"), required=False
    )
    remote_access = forms.BooleanField(
        label=gettext_lazy("Remote access (from home with a library login)"), required=False
    )

    class Meta:
        model = Licence
        fields = [
            "resource",
            "starts_on",
            "ends_on",
            *PRICING_FIELDS,
            "notes",
            "renewal_decision",
            "renewal_reason",
        ]
        widgets = {
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "renewal_reason": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "starts_on": gettext_lazy(
                "A licence year need not be a calendar year, e.g. 1 November."
            ),
            "ends_on": gettext_lazy("The last day of the licence period, e.g. 31 October."),
            "notes": gettext_lazy("Other terms and anything worth knowing at the next renewal."),
            "renewal_reason": gettext_lazy("Required when you cancel or renegotiate."),
        }

    def __init__(self, *args, model: str, municipality: Municipality, collaborations, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model
        self.instance.pricing_model = model
        self.collaborations = {str(c.pk): c for c in collaborations}
        self.municipality = municipality
        self.fields["resource"].queryset = DigitalResource.objects.order_by("name")
        if self.instance.pk is None:
            self.fields["holder"].choices = [("municipality", municipality.name)] + [
                (pk, _("The collaboration %(name)s") % {"name": c.name})
                for pk, c in self.collaborations.items()
            ]
            self.fields["holder"].initial = "municipality"
        else:
            del self.fields["holder"]
            terms = self.instance.terms or {}
            self.initial.update(
                concurrent_users=terms.get("concurrent_users"),
                on_site_only=bool(terms.get("on_site_only")),
                remote_access=bool(terms.get("remote_access")),
            )
        for name in PRICING_FIELDS:
            if name not in MODEL_FIELDS[model]:
                del self.fields[name]
        for name in ("fixed_fee", "price_per_use", "price_per_loan", "usage_metric"):
            if name in self.fields:
                self.fields[name].required = True
        if "usage_metric" in self.fields:
            self.fields["usage_metric"].help_text = _(
                "The metric the price applies to, as in the usage figures, e.g. loans or "
                "Total_Item_Requests."
            )
            if model == PricingModel.PER_LOAN and not self.instance.usage_metric:
                self.initial.setdefault("usage_metric", "loans")
        if "base_fee" in self.fields:
            self.fields["base_fee"].help_text = _(
                "Leave it empty when the base fee depends on the population: fill in the bands "
                "below instead."
            )
        if "monthly_quota" in self.fields:
            self.fields["monthly_quota"].help_text = _(
                "A term shown beside the cost: the quota limits the loans, not the price."
            )
        self.bands = None  # set by the view: the band formset, for the models with bands

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", _("The licence must end after it starts."))
        decision = data.get("renewal_decision")
        if (
            decision in (RenewalDecision.CANCEL, RenewalDecision.RENEGOTIATE)
            and not data.get("renewal_reason", "").strip()
        ):
            self.add_error(
                "renewal_reason",
                _("Give the reason for cancelling the licence.")
                if decision == RenewalDecision.CANCEL
                else _("Give the reason for renegotiating the licence."),
            )
        if data.get("on_site_only") and data.get("remote_access"):
            self.add_error(
                "remote_access",
                _("A licence for use on site only cannot also give remote access."),
            )
        if self.model == PricingModel.BASE_PLUS_USE and self.bands is not None:
            has_bands = self.bands.is_valid() and bool(self.bands.bands("fee"))
            if data.get("base_fee") is None and not has_bands and self.bands.is_valid():
                self.add_error(
                    "base_fee",
                    _("Give a base fee, or population bands with the base fee for each band."),
                )
            elif data.get("base_fee") is not None and has_bands:
                self.add_error(
                    "base_fee",
                    _("Give either a base fee or population bands, not both."),
                )
        holder = data.get("holder")
        if self.instance.pk is None and holder is not None:
            if holder == "municipality":
                self.instance.municipality = self.municipality
                self.instance.collaboration = None
            else:
                self.instance.municipality = None
                self.instance.collaboration = self.collaborations[holder]
        return data

    def save(self, commit=True):
        licence = super().save(commit=False)
        licence.pricing_model = self.model
        for name in PRICING_FIELDS:
            if name not in MODEL_FIELDS[self.model]:
                setattr(licence, name, "" if name == "usage_metric" else None)
        key = BAND_KEY.get(self.model)
        licence.bands = self.bands.bands(key) if key and self.bands is not None else []
        terms = {
            "on_site_only": self.cleaned_data["on_site_only"],
            "remote_access": self.cleaned_data["remote_access"],
        }
        if self.cleaned_data.get("concurrent_users") is not None:
            terms = {"concurrent_users": self.cleaned_data["concurrent_users"], **terms}
        licence.terms = terms
        if commit:
            licence.save()
        return licence


class LicenceFilterForm(forms.Form):
    """The analysts' national list of licences."""

    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Municipality"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        to_field_name="code",
    )
    resource = forms.ModelChoiceField(
        label=gettext_lazy("Resource"),
        queryset=DigitalResource.objects.order_by("name"),
        required=False,
    )
    pricing_model = forms.ChoiceField(
        label=gettext_lazy("Pricing model"),
        choices=[("", gettext_lazy("All")), *PricingModel.choices],
        required=False,
    )
    renewal_decision = forms.ChoiceField(
        label=gettext_lazy("Renewal decision"),
        choices=[("", gettext_lazy("All")), *RenewalDecision.choices],
        required=False,
    )
    holder = forms.ChoiceField(
        label=gettext_lazy("Held by"),
        choices=[
            ("", gettext_lazy("All")),
            ("municipality", gettext_lazy("A municipality")),
            ("collaboration", gettext_lazy("A collaboration")),
        ],
        required=False,
    )
    in_force = forms.BooleanField(label=gettext_lazy("In force today only"), required=False)

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


# -- collaborations -----------------------------------------------------------------------------


class CollaborationForm(forms.ModelForm):
    class Meta:
        model = Collaboration
        fields = ["name", "description", "coordinator", "split_rule", "usage_metric"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "split_rule": forms.RadioSelect,
        }
        help_texts = {
            "usage_metric": gettext_lazy(
                "Only for splits by usage: the metric whose counts set the shares, e.g. loans."
            ),
            "coordinator": gettext_lazy(
                "Its municipal leader keeps the members, the rule and the invoices."
            ),
        }

    def __init__(self, *args, coordinators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = coordinators
        self.fields["coordinator"].required = True
        self.fields["coordinator"].empty_label = None
        if self.instance.pk is None:
            self.fields["joined_on"] = forms.DateField(
                label=_("The coordinating municipality is a member from"),
                widget=DATE_INPUT,
                initial=datetime.date.today,
            )

    def clean(self):
        data = super().clean()
        if (
            data.get("split_rule") == Collaboration.SplitRule.USAGE
            and not data.get("usage_metric", "").strip()
        ):
            self.add_error(
                "usage_metric",
                _("Name the usage metric the invoices are split by, e.g. loans."),
            )
        return data


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["municipality", "joined_on", "left_on", "share"]
        widgets = {"joined_on": DATE_INPUT, "left_on": DATE_INPUT}
        help_texts = {
            "left_on": gettext_lazy("Empty while it is a member."),
            "share": gettext_lazy(
                "Only for agreed shares: a weight, e.g. 2 pays twice what a member with 1 pays."
            ),
        }

    def __init__(self, *args, collaboration: Collaboration, **kwargs):
        super().__init__(*args, **kwargs)
        self.collaboration = collaboration
        self.instance.collaboration = collaboration
        self.fields["municipality"].queryset = Municipality.objects.order_by("name")
        if self.instance.pk is not None:
            self.fields["municipality"].disabled = True

    def clean(self):
        data = super().clean()
        municipality = data.get("municipality")
        joined, left = data.get("joined_on"), data.get("left_on")
        if joined and left and left < joined:
            self.add_error("left_on", _("A member cannot leave before it joined."))
            return data
        if (
            self.collaboration.split_rule == Collaboration.SplitRule.CUSTOM
            and data.get("share") is None
            and "share" not in self.errors
        ):
            self.add_error(
                "share",
                _("The collaboration splits by agreed shares: give this member's share."),
            )
        if municipality and joined:
            others = self.collaboration.memberships.filter(municipality=municipality).exclude(
                pk=self.instance.pk
            )
            for other in others:
                if other.joined_on <= (left or datetime.date.max) and (
                    other.left_on is None or joined <= other.left_on
                ):
                    until = day_text(other.left_on) if other.left_on else _("with no end")
                    self.add_error(
                        "joined_on",
                        _(
                            "%(name)s is already a member from %(first)s to %(last)s; the "
                            "memberships of one municipality cannot overlap."
                        )
                        % {
                            "name": municipality.name,
                            "first": day_text(other.joined_on),
                            "last": until,
                        },
                    )
                    break
        return data


class InvoiceForm(forms.ModelForm):
    class Meta:
        model = Invoice
        fields = ["licence", "reference", "issued_on", "period_start", "period_end", "amount"]
        widgets = {
            "issued_on": DATE_INPUT,
            "period_start": DATE_INPUT,
            "period_end": DATE_INPUT,
        }
        help_texts = {
            "amount": gettext_lazy("In kroner and øre, e.g. 125000.00."),
        }

    def __init__(self, *args, collaboration: Collaboration, **kwargs):
        super().__init__(*args, **kwargs)
        licences = collaboration.licences.select_related("resource").order_by("-starts_on")
        self.fields["licence"].queryset = licences
        self.fields["licence"].label_from_instance = lambda licence: (
            f"{licence.resource.name}, {day_text(licence.starts_on)}–{day_text(licence.ends_on)}"
        )
        self.fields["issued_on"].initial = datetime.date.today
        if len(licences) == 1 and not self.is_bound:
            only = licences[0]
            self.initial.update(
                licence=only.pk, period_start=only.starts_on, period_end=only.ends_on
            )

    def clean(self):
        data = super().clean()
        start, end, licence = data.get("period_start"), data.get("period_end"), data.get("licence")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end after it starts."))
        elif start and end and licence and (start < licence.starts_on or end > licence.ends_on):
            self.add_error(
                "period_start",
                _("The invoice period must lie within the licence period, %(first)s–%(last)s.")
                % {"first": day_text(licence.starts_on), "last": day_text(licence.ends_on)},
            )
        return data
