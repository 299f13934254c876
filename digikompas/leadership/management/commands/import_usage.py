from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from digikompas.leadership import counter, usage
from digikompas.leadership.models import DigitalResource
from digikompas.orgs.models import Municipality


class Command(BaseCommand):
    help = (
        "Import a usage file: COUNTER 5/5.1 (TSV, CSV, XLSX, JSON), COUNTER 4 JR1, DB1, BR1, "
        "BR2, PR1, or monthly counts (month, resource, metric, count). Nothing is stored if "
        "the file has any problem; months imported before are replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the usage file")
        parser.add_argument(
            "--holder",
            type=int,
            metavar="CODE",
            help="the municipality code of the licence holder, e.g. 461 for Odense; needed when "
            "the database has more than one municipality",
        )
        parser.add_argument(
            "--resource",
            metavar="NAME",
            help="the digital resource all figures belong to (by name); without it each "
            "platform goes to the resource with that COUNTER platform",
        )

    def handle(self, *, file: Path, holder: int | None, resource: str | None, **options):
        municipality = self._municipality(holder)
        chosen = None
        if resource:
            chosen = DigitalResource.objects.filter(name__iexact=resource.strip()).first()
            if chosen is None:
                raise CommandError(
                    _("No digital resource is called %(name)s.") % {"name": resource}
                )
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from None
        try:
            report = counter.parse(content, file.name)
            imported = usage.store(
                report, municipality=municipality, resource=chosen, file_name=file.name
            )
        except counter.CounterError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("Nothing was imported from %(file)s.") % {"file": file.name}
            ) from None
        self.stdout.write(
            _(
                "%(file)s (%(report)s, %(first)s to %(last)s) for %(holder)s: %(records)s "
                "figures stored, %(replaced)s of them replacing figures imported before."
            )
            % {
                "file": file.name,
                "report": imported.report,
                "first": f"{imported.first_month:%Y-%m}",
                "last": f"{imported.last_month:%Y-%m}",
                "holder": municipality.name,
                "records": imported.records,
                "replaced": imported.replaced,
            }
        )
        for exception in imported.exceptions:
            self.stdout.write(
                _("COUNTER exception %(code)s (%(severity)s): %(message)s") % exception
                + (f" ({exception['data']})" if exception.get("data") else "")
            )

    def _municipality(self, code: int | None) -> Municipality:
        if code is not None:
            try:
                return Municipality.objects.get(code=code)
            except Municipality.DoesNotExist:
                raise CommandError(
                    _("No municipality has the code %(code)s.") % {"code": code}
                ) from None
        only = list(Municipality.objects.all()[:2])
        if len(only) == 1:
            return only[0]
        raise CommandError(
            _("Give the holder's municipality code with --holder, e.g. --holder 461 for Odense.")
        )
