from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from digikompas.offers import services


class Command(BaseCommand):
    help = "Write the offer catalogue to a CSV or XLSX file that import_offers reads back."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="where to write, .csv or .xlsx")

    def handle(self, *, file: Path, **options):
        file_format = "xlsx" if file.suffix.lower() == ".xlsx" else "csv"
        data, _name, _type = services.export_offers(file_format=file_format)
        file.write_bytes(data)
        self.stdout.write(_("Wrote %(file)s.") % {"file": file})
