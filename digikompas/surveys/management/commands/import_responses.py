import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from digikompas.surveys.importing import (
    ImportRejected,
    automatic_choices,
    choices_from_json,
    make_mapping,
    read_sheet,
)
from digikompas.surveys.importing_service import import_responses
from digikompas.surveys.models import Round
from digikompas.surveys.services import items_of


class Command(BaseCommand):
    help = (
        "Import responses collected with another tool (CSV or XLSX, one row per respondent) "
        "into a round. Columns are matched to items by their headers (item code or question), "
        "or by a mapping file. Nothing is imported if any row has a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("round", type=int, help="the id of the round")
        parser.add_argument("file", type=Path, help="the responses, .csv or .xlsx")
        parser.add_argument(
            "--mapping",
            type=Path,
            metavar="MAPPING.json",
            help=(
                'a JSON object {"header": "item-code" | "respondent" | "email" | "library" | '
                '"job_role" | null}; columns it does not name are matched by their headers'
            ),
        )

    def handle(self, *, round: int, file: Path, mapping: Path | None, **options):
        round_obj = Round.objects.select_related("survey").filter(pk=round).first()
        if round_obj is None:
            raise CommandError(_("There is no round with the id %(id)s.") % {"id": round})
        content = _read(file)
        mapping_data = None
        if mapping is not None:
            try:
                mapping_data = json.loads(_read(mapping))
            except ValueError as error:
                raise CommandError(
                    _("The mapping file %(file)s is not valid JSON: %(error)s")
                    % {"file": mapping, "error": error}
                ) from None
        items = items_of(round_obj.survey)
        try:
            sheet = read_sheet(content=content, filename=file.name)
            choices = (
                automatic_choices(sheet.headers, items)
                if mapping_data is None
                else choices_from_json(sheet.headers, items, mapping_data)
            )
            column_mapping = make_mapping(sheet.headers, items, choices)
            result = import_responses(round=round_obj, sheet=sheet, mapping=column_mapping)
        except ImportRejected as rejected:
            for message in rejected.file_errors:
                self.stderr.write(message)
            for error in rejected.errors:
                self.stderr.write(
                    _("Row %(row)s, %(field)s: %(reason)s")
                    % {"row": error.row, "field": error.column, "reason": error.reason}
                )
            raise CommandError(_("Nothing was imported.")) from None
        if column_mapping.ignored:
            self.stdout.write(
                _("Ignored columns: %(columns)s") % {"columns": ", ".join(column_mapping.ignored)}
            )
        self.stdout.write(
            _("%(created)s created, %(unchanged)s unchanged (imported before).")
            % {"created": result.created, "unchanged": result.unchanged}
        )
        for unit in result.units:
            self.stdout.write(
                _("%(library)s: %(count)s new")
                % {
                    "library": f"{unit.library.code} {unit.library.name}"
                    if unit.library
                    else _("No library"),
                    "count": unit.created,
                }
            )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandError(
            _("Cannot read %(file)s: %(error)s") % {"file": path, "error": error.strerror}
        ) from None
