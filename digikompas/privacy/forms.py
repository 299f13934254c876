from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Action


class AuditFilterForm(forms.Form):
    """The filters of the audit log, sent with GET; empty filters nothing."""

    who = forms.CharField(
        label=_("By"),
        required=False,
        max_length=254,
        help_text=_("The e-mail address, or a part of it, of who did it."),
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("This day included."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions")), *Action.choices]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The period must end on or after the day it starts."))
        return data

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())

    def filter(self, events):
        data = self.cleaned_data
        if data["who"]:
            events = events.filter(actor_email__icontains=data["who"])
        if data["action"]:
            events = events.filter(action=data["action"])
        zone = timezone.get_current_timezone()
        if data["since"]:
            start = datetime.datetime.combine(data["since"], datetime.time.min, tzinfo=zone)
            events = events.filter(at__gte=start)
        if data["until"]:
            end = datetime.datetime.combine(
                data["until"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
            )
            events = events.filter(at__lt=end)
        return events


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
