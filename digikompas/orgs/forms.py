from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from digikompas.orgs.importing import EXTENSIONS, ImportRejected, check_upload


class StaffListForm(forms.Form):
    """The upload of a staff list; services.import_people reads and checks its rows."""

    file = forms.FileField(
        label=_("Staff list"),
        widget=forms.FileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A CSV file (.csv) or an Excel workbook (.xlsx) of at most %(max)s."
        ) % {"max": filesizeformat(settings.IMPORT_MAX_BYTES)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload(filename=upload.name, size=upload.size)
        except ImportRejected as rejected:
            raise forms.ValidationError(rejected.file_errors) from None
        return upload
