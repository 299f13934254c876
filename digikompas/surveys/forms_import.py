from django import forms
from django.utils.translation import gettext_lazy as _

from digikompas import spreadsheets

from .importing import (
    WRONG_TYPE,
    Identity,
    ImportRejected,
    Sheet,
    automatic_choices,
    item_target,
    make_mapping,
)


class ResponsesFileForm(spreadsheets.UploadForm):
    """Step 1: the upload of a file of responses; importing.read_sheet reads it."""

    label = _("File of responses")
    wrong_type = WRONG_TYPE


class ColumnMappingForm(forms.Form):
    """Step 2: what each column of the kept file holds. One select per column, named by its
    position (headers may repeat or be empty), pre-filled with the automatic mapping.

    `cleaned_data["mapping"]` is the checked importing.ColumnMapping."""

    # The kept upload this mapping belongs to (see views_import).
    upload = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, sheet: Sheet, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        self.items = list(items)
        targets = [
            ("", _("Ignore this column")),
            (_("Who answered"), [(str(identity), identity.label) for identity in Identity]),
            (
                _("Questions"),
                [(item_target(item), f"{item.code} – {item.text}") for item in self.items],
            ),
        ]
        automatic = automatic_choices(sheet.headers, self.items)
        for index, header in enumerate(sheet.headers):
            self.fields[self.field_name(index)] = forms.ChoiceField(
                label=header, choices=targets, required=False, initial=automatic[index]
            )

    @staticmethod
    def field_name(index: int) -> str:
        return f"column_{index}"

    def columns(self):
        """Each column's select and its first values, for the preview table."""
        return [
            (self[self.field_name(index)], values)
            for index, values in enumerate(self.sheet.preview())
        ]

    def clean(self):
        cleaned = super().clean()
        choices = {
            index: cleaned.get(self.field_name(index)) or ""
            for index in range(len(self.sheet.headers))
        }
        try:
            cleaned["mapping"] = make_mapping(self.sheet.headers, self.items, choices)
        except ImportRejected as rejected:
            raise forms.ValidationError(rejected.file_errors) from None
        return cleaned
