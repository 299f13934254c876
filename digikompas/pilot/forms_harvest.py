"""The forms of materials, the toolbox, the experience harvest, the idea bank and evaluations."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from digikompas.frameworks.forms import Textarea
from digikompas.orgs.models import Municipality, UserGroup

from . import harvest, uploads
from .models import (
    Evaluation,
    ExperienceLog,
    Material,
    MaterialKind,
    Module,
    Programme,
    WouldRepeat,
)

TEXTAREA = Textarea(attrs={"rows": 4})
CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"})


class ModuleChoiceField(forms.ModelChoiceField):
    """A module named with its programme, as two programmes can have modules of one name."""

    def label_from_instance(self, obj):
        return f"{obj.programme.title} – {obj.title}"


class ModuleMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.programme.title} – {obj.title}"


def _modules():
    return Module.objects.select_related("programme").order_by(
        "-programme__starts_on", "programme__key", "position", "pk"
    )


# -- materials ----------------------------------------------------------------------------------


class MaterialForm(forms.ModelForm):
    """A material: a file to upload or a link, with the modules that use it. The file is checked
    by uploads.check_upload; the checked upload is in `checked` after validation."""

    upload = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.FileInput(attrs={"accept": uploads.ACCEPT}),
        error_messages={
            "empty": _("The file is empty."),
            "invalid": _("No file was received. Choose the file again."),
            "missing": _("No file was received. Choose the file again."),
        },
    )
    modules = ModuleMultipleChoiceField(
        label=_("Used in the modules"),
        queryset=_modules(),
        required=False,
        widget=CHECKBOXES,
        help_text=_("Participants of these modules can open the material."),
    )

    class Meta:
        model = Material
        fields = [
            "title_da",
            "title_en",
            "description_da",
            "description_en",
            "kind",
            "url",
            "is_tool",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "description_da": TEXTAREA,
            "description_en": TEXTAREA,
        }
        help_texts = {
            "url": _("For a link: the address, starting with https://."),
        }
        error_messages = {
            "title_da": {"required": _("The material needs a Danish title.")},
            "kind": {"required": _("Choose whether the material is a file or a link.")},
            "url": {"invalid": _("Enter the full address of the link, starting with https://.")},
        }

    field_order = [
        "title_da",
        "title_en",
        "description_da",
        "description_en",
        "kind",
        "upload",
        "url",
        "is_tool",
        "modules",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.checked: uploads.CheckedUpload | None = None
        self.fields["title_da"].required = True
        self.fields["kind"].choices = MaterialKind.choices
        self.fields["upload"].help_text = uploads.allowed_types_text()
        if self.instance.pk is not None and self.instance.file:
            self.fields["upload"].help_text = _(
                "Leave it empty to keep the file %(name)s. %(allowed)s"
            ) % {"name": self.instance.file_name, "allowed": uploads.allowed_types_text()}
            self.initial.setdefault("modules", list(self.instance.modules.all()))
        elif self.instance.pk is not None:
            self.initial.setdefault("modules", list(self.instance.modules.all()))

    def clean_url(self):
        url = self.cleaned_data["url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise ValidationError(_("The link must start with http:// or https://."))
        return url

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == MaterialKind.FILE:
            upload = data.get("upload")
            if upload:
                try:
                    self.checked = uploads.check_upload(upload)
                except ValidationError as error:
                    self.add_error("upload", error)
            elif "upload" not in self.errors and not (self.instance.pk and self.instance.file):
                self.add_error("upload", _("Choose the file to upload."))
        elif kind == MaterialKind.LINK and "url" in data and not data["url"]:
            self.add_error("url", _("Give the address of the link."))
        return data


# -- the toolbox --------------------------------------------------------------------------------


class ToolboxFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Words in the title or description."),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.order_by("-starts_on", "key"),
        required=False,
        empty_label=_("All programmes"),
    )
    module = ModuleChoiceField(
        label=_("Module"), queryset=_modules(), required=False, empty_label=_("All modules")
    )

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


# -- experiences --------------------------------------------------------------------------------


class DatalistInput(forms.TextInput):
    """A text input with suggestions (a <datalist>) that still takes any text."""

    def __init__(self, attrs=None, options=()):
        super().__init__(attrs)
        self.options = list(options)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id', name)}_suggestions"
        attrs["list"] = list_id
        attrs.setdefault("autocomplete", "off")
        options = format_html_join("", '<option value="{}"></option>', ((o,) for o in self.options))
        return super().render(name, value, attrs, renderer) + format_html(
            '<datalist id="{}">{}</datalist>', list_id, options
        )


class ExperienceForm(forms.ModelForm):
    """What a participant tried after a module. The module, person and library are not on the
    form: the page's module, the person logged in and their library."""

    class Meta:
        model = ExperienceLog
        fields = [
            "resource",
            "target_group",
            "title",
            "what_tried",
            "what_happened",
            "lesson",
            "would_repeat",
            "tried_on",
        ]
        widgets = {
            "what_tried": TEXTAREA,
            "what_happened": TEXTAREA,
            "lesson": TEXTAREA,
            "would_repeat": forms.RadioSelect,
            "tried_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "resource": _("E.g. eReolen, Filmstriben or Infomedia."),
            "target_group": _("The library users the activity was for."),
            "title": _("One line that tells others what the idea is."),
            "tried_on": _("The day you tried it (or the first day)."),
        }
        error_messages = {
            "resource": {"required": _("Name the digital resource.")},
            "target_group": {"required": _("Choose the target group.")},
            "title": {"required": _("Give the experience a headline.")},
            "what_tried": {"required": _("Describe what you did.")},
            "what_happened": {"required": _("Describe what happened.")},
            "lesson": {"required": _("Describe what you learned.")},
            "would_repeat": {"required": _("Say whether you would do it again.")},
            "tried_on": {"invalid": _("Enter the date as YYYY-MM-DD.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        suggestions = dict.fromkeys([*harvest.COMMON_RESOURCES, *harvest.resources_in_use()])
        self.fields["resource"].widget = DatalistInput(options=suggestions)
        self.fields["target_group"].choices = [("", _("Choose a target group")), *UserGroup.choices]
        self.fields["would_repeat"].choices = WouldRepeat.choices
        self.fields["tried_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_tried_on(self):
        tried_on = self.cleaned_data["tried_on"]
        if tried_on is not None and tried_on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return tried_on


class NewExperienceForm(ExperienceForm):
    """The form for a new experience, with the key that makes a repeated post harmless: made when
    the form is shown, so a double click or a reload sends the same key again."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("submission_key", uuid.uuid4())
        self.fields["submission_key"].error_messages["required"] = _(
            "The form was incomplete. Send it again."
        )
        self.fields["submission_key"].error_messages["invalid"] = _(
            "The form was incomplete. Send it again."
        )


# -- the idea bank ------------------------------------------------------------------------------


class IdeaFilterForm(forms.Form):
    """The filters of the idea bank (and its export), sent with GET; empty filters nothing."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Words in the headline, the descriptions or the resource."),
    )
    resource = forms.ChoiceField(label=_("Digital resource"), required=False)
    target_group = forms.ChoiceField(label=_("Target group"), required=False)
    module = ModuleChoiceField(
        label=_("Module"), queryset=_modules(), required=False, empty_label=_("All modules")
    )
    would_repeat = forms.ChoiceField(label=_("Would do it again"), required=False)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        # Only municipalities with experiences: the list of all 98 would mostly find nothing.
        queryset=Municipality.objects.filter(
            pk__in=ExperienceLog.objects.filter(library__isnull=False).values(
                "library__municipality"
            )
        ).order_by("name"),
        required=False,
        empty_label=_("All municipalities"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [("", _("All resources"))] + [
            (name, name) for name in harvest.resources_in_use()
        ]
        self.fields["target_group"].choices = [("", _("All target groups")), *UserGroup.choices]
        self.fields["would_repeat"].choices = [("", _("All answers")), *WouldRepeat.choices]

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


# -- evaluations --------------------------------------------------------------------------------

SATISFACTION_CHOICES = [
    (1, _("1 – Very dissatisfied")),
    (2, _("2 – Dissatisfied")),
    (3, _("3 – Neither satisfied nor dissatisfied")),
    (4, _("4 – Satisfied")),
    (5, _("5 – Very satisfied")),
]
USEFULNESS_CHOICES = [
    (1, _("1 – Not useful")),
    (2, _("2 – Of little use")),
    (3, _("3 – Somewhat useful")),
    (4, _("4 – Useful")),
    (5, _("5 – Very useful")),
]


class EvaluationForm(forms.ModelForm):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with the session?"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how satisfied you are."),
            "invalid_choice": _("Choose a number from 1 to 5."),
        },
    )
    usefulness = forms.TypedChoiceField(
        label=_("How useful is what you learned for your work?"),
        choices=USEFULNESS_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how useful the session was."),
            "invalid_choice": _("Choose a number from 1 to 5."),
        },
    )

    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=TEXTAREA,
        error_messages={"max_length": _("Keep the comment to at most %(limit_value)d characters.")},
    )

    class Meta:
        model = Evaluation
        fields = ["satisfaction", "usefulness", "comment"]

    def __init__(self, *args, minimum: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].help_text = _(
            "Shown without your name, and only when at least %(minimum)s have evaluated."
        ) % {"minimum": minimum}
