from django import forms
from django.utils.translation import gettext_lazy as _

from digikompas.orgs.models import JobRole, LibraryKind

from . import models as m
from .content import FrameworkRejected, language_names
from .interchange import check_upload


class Textarea(forms.Textarea):
    """A textarea whose text keeps plain line breaks: browsers send CRLF, which files (and an
    Excel cell) would not give back, so an export and import would no longer compare equal."""

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        if isinstance(value, str):
            return value.replace("\r\n", "\n").replace("\r", "\n")
        return value


TEXTAREA = Textarea(attrs={"rows": 3})


def _require_a_title(form, name: str = "title") -> None:
    data = form.cleaned_data
    if not data.get(f"{name}_da") and not data.get(f"{name}_en"):
        message = (
            _("Write the label in Danish, English or both.")
            if name == "label"
            else _("Write the title in Danish, English or both.")
        )
        form.add_error(f"{name}_da", message)


class FrameworkDetailsForm(forms.ModelForm):
    class Meta:
        model = m.Framework
        fields = ["title_da", "title_en", "description_da", "description_en"]
        widgets = {"description_da": TEXTAREA, "description_en": TEXTAREA}

    def clean(self):
        super().clean()
        _require_a_title(self)


class LevelForm(forms.ModelForm):
    class Meta:
        model = m.ProficiencyLevel
        fields = ["label_da", "label_en", "description_da", "description_en"]
        widgets = {"description_da": TEXTAREA, "description_en": TEXTAREA}

    def clean(self):
        super().clean()
        _require_a_title(self, "label")


class _CodedForm(forms.ModelForm):
    """A domain or competency form: the code is unique within the framework."""

    def __init__(self, *args, framework: m.Framework, **kwargs):
        self.framework = framework
        super().__init__(*args, **kwargs)

    def clean_code(self):
        # Domains and competencies share one set of codes: a file names either by its code.
        code = self.cleaned_data["code"].strip()
        taken = []
        for model in (m.Domain, m.Competency):
            others = model.objects.filter(framework=self.framework, code=code)
            if self.instance.pk and model is self._meta.model:
                others = others.exclude(pk=self.instance.pk)
            taken.append(others.exists())
        if any(taken):
            raise forms.ValidationError(
                _("The code %(code)s is already used in this framework."), params={"code": code}
            )
        return code

    def clean(self):
        super().clean()
        _require_a_title(self)


class DomainForm(_CodedForm):
    class Meta:
        model = m.Domain
        fields = ["code", "title_da", "title_en", "description_da", "description_en"]
        widgets = {"description_da": TEXTAREA, "description_en": TEXTAREA}

    def save(self, commit=False):
        domain = super().save(commit=False)
        domain.framework = self.framework
        return domain


class KeywordsField(forms.CharField):
    """Keywords typed as one line, separated by commas or semicolons."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Separate the keywords with commas."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        words = [w.strip() for w in text.replace(";", ",").split(",")]
        return list(dict.fromkeys(w for w in words if w))


class CompetencyForm(_CodedForm):
    """A competency with its descriptor for every level of the framework's scale."""

    keywords_da = KeywordsField(label=_("Keywords (Danish)"))
    keywords_en = KeywordsField(label=_("Keywords (English)"))

    class Meta:
        model = m.Competency
        fields = [
            "domain",
            "code",
            "title_da",
            "title_en",
            "description_da",
            "description_en",
            "keywords_da",
            "keywords_en",
        ]
        widgets = {"description_da": TEXTAREA, "description_en": TEXTAREA}

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, framework=framework, **kwargs)
        self.fields["domain"].queryset = framework.domains.order_by("position", "code")
        self.fields["domain"].empty_label = None
        self.levels = list(framework.levels.order_by("value"))
        existing = {}
        if self.instance.pk:
            existing = {d.level: d for d in self.instance.descriptors.all()}
        self.descriptor_rows = []
        for level in self.levels:
            names = []
            for language, label in language_names():
                name = f"descriptor_{level.value}_{language}"
                descriptor = existing.get(level.value)
                self.fields[name] = forms.CharField(
                    label=_("Level %(value)s %(label)s, in %(language)s")
                    % {"value": level.value, "label": level.label, "language": label},
                    required=False,
                    widget=Textarea(attrs={"rows": 2}),
                    initial=getattr(descriptor, f"text_{language}", ""),
                )
                names.append(name)
            self.descriptor_rows.append((level, [self[n] for n in names]))

    @property
    def main_fields(self):
        return [f for f in self.visible_fields() if not f.name.startswith("descriptor_")]

    def descriptors(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            level.value: (
                data[f"descriptor_{level.value}_da"].strip(),
                data[f"descriptor_{level.value}_en"].strip(),
            )
            for level in self.levels
        }

    def save(self, commit=False):
        return super().save(commit=False)


class ProfileForm(forms.ModelForm):
    """A target profile: the level its job role needs in each competency (or none)."""

    class Meta:
        model = m.TargetProfile
        fields = ["job_role", "library_kind", "note_da", "note_en"]
        widgets = {"note_da": TEXTAREA, "note_en": TEXTAREA}

    def __init__(self, *args, framework: m.Framework, **kwargs):
        self.framework = framework
        super().__init__(*args, **kwargs)
        self.fields["library_kind"].choices = [
            ("", _("All kinds of library")),
            *LibraryKind.choices,
        ]
        self.fields["job_role"].choices = JobRole.choices
        choices = [("", _("No requirement"))] + [
            (str(level.value), f"{level.value} {level.label}")
            for level in framework.levels.order_by("value")
        ]
        current = {}
        if self.instance.pk:
            current = {t.competency_id: t.level for t in self.instance.targets.all()}
        self.competencies = list(
            framework.competencies.select_related("domain").order_by(
                "domain__position", "position", "code"
            )
        )
        self.level_fields = []
        for competency in self.competencies:
            name = f"level_{competency.pk}"
            level = current.get(competency.pk)
            self.fields[name] = forms.TypedChoiceField(
                label=f"{competency.code} {competency.title}",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial="" if level is None else str(level),
            )
            self.level_fields.append((competency, self[name]))

    @property
    def main_fields(self):
        return [f for f in self.visible_fields() if not f.name.startswith("level_")]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        others = m.TargetProfile.objects.filter(
            framework=self.framework,
            job_role=data.get("job_role"),
            library_kind=data.get("library_kind", ""),
        )
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            self.add_error(
                "job_role",
                _(
                    "The framework already has a target profile "
                    "for this job role and kind of library."
                ),
            )

    def levels(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data[f"level_{c.pk}"] for c in self.competencies}

    def save(self, commit=False):
        profile = super().save(commit=False)
        profile.framework = self.framework
        return profile


class CompareForm(forms.Form):
    old = forms.ModelChoiceField(queryset=m.Framework.objects.none(), label=_("Older version"))
    new = forms.ModelChoiceField(queryset=m.Framework.objects.none(), label=_("Newer version"))

    def __init__(self, *args, frameworks, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("old", "new"):
            self.fields[name].queryset = frameworks


class FrameworkFileForm(forms.Form):
    file = forms.FileField(
        label=_("Framework file"),
        help_text=_("A CASE package (.json), a CSV file (.csv) or an Excel file (.xlsx)."),
    )

    def clean_file(self):
        """Refuse a wrong type or size before the file is read."""
        upload = self.cleaned_data["file"]
        try:
            check_upload(filename=upload.name, size=upload.size)
        except FrameworkRejected as rejected:
            raise forms.ValidationError([p.reason for p in rejected.problems]) from None
        return upload
