from django.utils.translation import gettext_lazy as _

from digikompas import spreadsheets
from digikompas.orgs.importing import WRONG_TYPE


class StaffListForm(spreadsheets.UploadForm):
    """The upload of a staff list; services.import_people reads and checks its rows."""

    label = _("Staff list")
    wrong_type = WRONG_TYPE
