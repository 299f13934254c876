import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from digikompas.frameworks import services
from digikompas.frameworks.interchange import FORMATS
from digikompas.frameworks.models import Framework


class Command(BaseCommand):
    help = "Export a competence framework version as a CASE 1.0 package, CSV or Excel file."

    def add_arguments(self, parser):
        parser.add_argument(
            "framework",
            help="key (latest published version), key:version, number or identifier",
        )
        parser.add_argument("--format", choices=sorted(FORMATS), default="case", dest="file_format")
        parser.add_argument(
            "-o", "--output", type=Path, help="file to write; the default is standard output"
        )

    def handle(self, *, framework: str, file_format: str, output: Path | None, **options):
        try:
            found = services.find_framework(framework)
        except Framework.DoesNotExist as missing:
            raise CommandError(str(missing)) from None
        if output is None and file_format == "xlsx":
            raise CommandError(_("An Excel file cannot go to the terminal: name a file with -o."))
        data, _filename, _content_type = services.export_framework(
            framework=found, file_format=file_format
        )
        if output is None:
            sys.stdout.buffer.write(data)
            return
        try:
            output.write_bytes(data)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": output, "error": error.strerror}
            ) from None
        self.stderr.write(
            _("Wrote %(framework)s to %(file)s.") % {"framework": found, "file": output}
        )
