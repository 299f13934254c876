"""Forms of the usage pages: a usage file, a SUSHI endpoint, a harvest, a metric to show."""

from __future__ import annotations

import datetime
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import sushi
from .models import DigitalResource, SushiEndpoint

# COUNTER files come as TSV (often named .txt), CSV, Excel or SUSHI JSON; monthly counts as
# CSV or Excel.
USAGE_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".json")
# The longest period one harvest asks for: servers refuse or time out on longer ones.
MAX_HARVEST_MONTHS = 36


class UsageFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Usage file"),
        widget=forms.FileInput(attrs={"accept": ",".join(USAGE_EXTENSIONS)}),
    )
    resource = forms.ModelChoiceField(
        label=gettext_lazy("Resource"),
        queryset=DigitalResource.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("Find it by the platform named in the file"),
        help_text=gettext_lazy(
            "Choose the resource when the file does not name a platform (monthly counts), or "
            "names it differently from the resource’s COUNTER platform."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A COUNTER report (Release 4, 5 or 5.1: TSV, CSV, Excel or SUSHI JSON) or monthly "
            "counts (CSV or Excel) of at most %(max)s."
        ) % {"max": filesizeformat(settings.IMPORT_MAX_BYTES)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in USAGE_EXTENSIONS:
            raise forms.ValidationError(
                _(
                    "The file must be a COUNTER report or monthly counts saved as .tsv, .txt, "
                    ".csv, .xlsx or .json."
                )
            )
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; the largest file you can import is %(max)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(settings.IMPORT_MAX_BYTES),
                }
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class SushiEndpointForm(forms.ModelForm):
    class Meta:
        model = SushiEndpoint
        fields = ["resource", "url", "customer_id", "requestor_id", "api_key", "platform"]
        widgets = {"api_key": forms.PasswordInput(render_value=False)}
        help_texts = {
            "url": gettext_lazy(
                "The address the vendor gives for its COUNTER_SUSHI API, before /reports, e.g. "
                "https://sushi.example.com/counter/r5 or …/r51 for Release 5.1."
            ),
            "requestor_id": gettext_lazy("Only if the vendor gave you one."),
            "api_key": gettext_lazy("Only if the vendor gave you one. It is never shown again."),
            "platform": gettext_lazy("Only for vendors that host several platforms on one server."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = DigitalResource.objects.order_by("name")

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(
                _("The SUSHI server address must start with https:// or http://.")
            )
        if "?" in url:
            raise forms.ValidationError(
                _(
                    "Give the address without “?” and what follows: the customer ID and key "
                    "have their own fields."
                )
            )
        return url.rstrip("/")


class MonthInput(forms.TextInput):
    input_type = "month"


def parse_month(value: str) -> datetime.date:
    text = (value or "").strip()
    try:
        year, month = text.split("-")[:2]
        return datetime.date(int(year), int(month), 1)
    except ValueError:
        raise forms.ValidationError(
            _("Write the month as YYYY-MM, e.g. 2024-03."), code="invalid"
        ) from None


def months_between(first: datetime.date, last: datetime.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


class HarvestForm(forms.Form):
    report_id = forms.ChoiceField(
        label=gettext_lazy("Report"),
        choices=[(r, r) for r in sushi.REPORTS],
        initial="PR",
        help_text=gettext_lazy("PR, the platform report, gives the usage of the whole resource."),
    )
    first = forms.CharField(label=gettext_lazy("First month"), widget=MonthInput)
    last = forms.CharField(label=gettext_lazy("Last month"), widget=MonthInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The twelve complete months before this one.
        this_month = timezone.localdate().replace(day=1)
        last = (this_month - datetime.timedelta(days=1)).replace(day=1)
        first = (datetime.date(last.year - 1, last.month, 1) + datetime.timedelta(days=31)).replace(
            day=1
        )
        self.fields["first"].initial = f"{first:%Y-%m}"
        self.fields["last"].initial = f"{last:%Y-%m}"

    def clean_first(self):
        return parse_month(self.cleaned_data["first"])

    def clean_last(self):
        last = parse_month(self.cleaned_data["last"])
        if last > timezone.localdate().replace(day=1):
            self.add_error("last", _("There is no usage yet for months after this month."))
        return last

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first and last:
            if first > last:
                self.add_error("last", _("The last month must not be before the first month."))
            elif months_between(first, last) > MAX_HARVEST_MONTHS:
                self.add_error(
                    "last",
                    _("Harvest at most %(months)s months at a time.")
                    % {"months": MAX_HARVEST_MONTHS},
                )
        return cleaned


class MetricForm(forms.Form):
    """The metric whose cost per use the resource page shows."""

    metric = forms.ChoiceField(label=gettext_lazy("Metric for the cost per use"))

    def __init__(self, *args, metrics: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [(m, m) for m in metrics]
