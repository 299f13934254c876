from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from digikompas.pilot import effect_export
from digikompas.pilot.effect import programme_effect
from digikompas.pilot.models import Programme


class Command(BaseCommand):
    help = (
        "Write the effect of a pilot programme (before and after, participants and "
        "non-participants, cleared for anonymity) as JSON or an Excel workbook."
    )

    def add_arguments(self, parser):
        parser.add_argument("programme", help="the programme's key (or its id)")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument(
            "--output", type=Path, help="where to write; JSON goes to the terminal without it"
        )

    def handle(self, *, programme: str, format: str, output: Path | None, **options):
        if format == "xlsx" and output is None:
            raise CommandError(
                _("An Excel workbook cannot be written to the terminal: name a file with --output.")
            )
        found = Programme.objects.filter(key=programme).first()
        if found is None and programme.isdigit():
            found = Programme.objects.filter(pk=int(programme)).first()
        if found is None:
            raise CommandError(
                _("No programme has the key or id “%(programme)s”.") % {"programme": programme}
            )
        effect = programme_effect(found)
        for problem in effect.problems:
            self.stderr.write(problem)
        if format == "json":
            content = effect_export.render_json(effect)
        else:
            content = effect_export.render_xlsx(effect)
        if output is None:
            self.stdout.write(content.decode())
            return
        try:
            output.write_bytes(content)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": output, "error": error.strerror}
            ) from None
        self.stdout.write(_("Wrote %(file)s.") % {"file": output})
