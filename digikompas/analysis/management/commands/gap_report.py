import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import override

from digikompas.analysis import reports
from digikompas.analysis.models import FileFormat, GroupBy, ReportKind
from digikompas.orgs.models import Library
from digikompas.surveys.models import Round


class Command(BaseCommand):
    help = (
        "Write the gap analysis of a round as a file: the national analysis report, or with "
        "--library the report of one library. Built here and now, not in the task queue. "
        "No figure describes fewer respondents than the anonymity minimum."
    )

    def add_arguments(self, parser):
        parser.add_argument("round", help="the round: its id, or its exact title")
        parser.add_argument(
            "--group-by",
            choices=GroupBy.values,
            default=GroupBy.MUNICIPALITY,
            help="the units of the national report's heat map and tables (default: municipality)",
        )
        parser.add_argument(
            "--library",
            help="make the library report of this library instead: its id or library code",
        )
        parser.add_argument(
            "--format", dest="file_format", choices=FileFormat.values, required=True
        )
        parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="the language of the report (default: %(default)s)",
        )

    def handle(self, *, round, group_by, library, file_format, output, language, **options):
        round_obj = _find_round(round)
        library_obj = _find_library(library) if library else None
        _check_writable(output)
        spec = reports.ReportSpec(
            round=round_obj,
            kind=ReportKind.LIBRARY if library_obj else ReportKind.NATIONAL,
            file_format=file_format,
            group_by=group_by,
            library=library_obj,
            language=language,
        )
        with override(language):
            try:
                content = reports.collect(spec)
                data = reports.render(content)
            except reports.ReportError as error:
                raise CommandError(str(error)) from None
            try:
                output.write_bytes(data)
            except OSError as error:
                raise CommandError(
                    _("Could not write %(file)s: %(error)s")
                    % {"file": output, "error": error.strerror or error}
                ) from None
            self.stdout.write(
                _("Wrote %(title)s (%(format)s, %(size)s) to %(file)s.")
                % {
                    "title": content.title,
                    "format": file_format.upper(),
                    "size": filesizeformat(len(data)),
                    "file": output,
                }
            )
            self.stdout.write(content.summary())


def _find_round(reference: str) -> Round:
    rounds = Round.objects.select_related("survey")
    reference = reference.strip()
    if reference.isdigit():
        found = rounds.filter(pk=int(reference)).first()
        if found is not None:
            return found
    matches = list(rounds.filter(title=reference).order_by("pk")[:10])
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise CommandError(
            _("Several rounds are called “%(title)s”; name one by its id: %(ids)s.")
            % {"title": reference, "ids": ", ".join(str(r.pk) for r in matches)}
        )
    raise CommandError(
        _("There is no round with the id or title “%(round)s”.") % {"round": reference}
    )


def _find_library(reference: str) -> Library:
    libraries = Library.objects.select_related("municipality")
    reference = reference.strip()
    found = libraries.filter(code=reference).first()
    if found is None and reference.isdigit():
        found = libraries.filter(pk=int(reference)).first()
    if found is None:
        raise CommandError(
            _("There is no library with the id or code “%(library)s”.") % {"library": reference}
        )
    return found


def _check_writable(path: Path) -> None:
    """Refuse a path that cannot be written before the (slow) build, not after it."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise CommandError(_("%(file)s is a folder; name a file to write.") % {"file": path})
    if not folder.is_dir():
        raise CommandError(_("The folder %(folder)s does not exist.") % {"folder": folder})
    if not os.access(path if path.exists() else folder, os.W_OK):
        raise CommandError(_("%(file)s cannot be written here.") % {"file": path})
