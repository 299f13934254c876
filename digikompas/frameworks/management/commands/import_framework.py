from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from digikompas.frameworks import services
from digikompas.frameworks.content import FrameworkRejected


class Command(BaseCommand):
    help = (
        "Import a competence framework from a CASE 1.0 package (.json), a CSV file or an Excel "
        "file (.xlsx) as a new draft. Nothing is imported if the file has any problem."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="the framework file: .json (CASE), .csv or .xlsx"
        )
        parser.add_argument(
            "--publish", action="store_true", help="publish the imported version at once"
        )

    def handle(self, *, file: Path, publish: bool, **options):
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from None
        try:
            with transaction.atomic():
                framework, notes = services.import_framework(raw=raw, filename=file.name)
                if publish:
                    services.publish(framework=framework)
        except FrameworkRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(_("Nothing was imported.")) from None
        for note in notes:
            self.stdout.write(_("Note: %(note)s") % {"note": note})
        values = {"framework": framework, "key": framework.key, "pk": framework.pk}
        if publish:
            message = _("Imported and published %(framework)s (key %(key)s, number %(pk)s).")
        else:
            message = _("Imported %(framework)s as a draft (key %(key)s, number %(pk)s).")
        self.stdout.write(message % values)
