from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from digikompas.offers import services
from digikompas.offers.importing import ImportRejected


class Command(BaseCommand):
    help = (
        "Import a catalogue of education offers (CSV or XLSX, one row per offer). "
        "Nothing is imported if any row has a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the catalogue, .csv or .xlsx")

    def handle(self, *, file: Path, **options):
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from None
        try:
            result = services.import_offers(content=content, filename=file.name)
        except services.DefaultFrameworkMissing as error:
            raise CommandError(str(error)) from None
        except ImportRejected as rejected:
            for message in rejected.file_errors:
                self.stderr.write(message)
            for error in rejected.errors:
                self.stderr.write(
                    _("Row %(row)s, %(field)s: %(reason)s")
                    % {"row": error.row, "field": error.field, "reason": error.reason}
                )
            raise CommandError(_("Nothing was imported.")) from None
        self.stdout.write(
            _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
