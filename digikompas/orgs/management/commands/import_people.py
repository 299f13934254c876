from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from digikompas.accounts.models import User
from digikompas.orgs import services
from digikompas.orgs.access import actor_for
from digikompas.orgs.importing import ImportRejected


class Command(BaseCommand):
    help = (
        "Import a staff list (CSV or XLSX) as the given user, with that user's rights. "
        "Nothing is imported if any row has a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the staff list, .csv or .xlsx")
        parser.add_argument(
            "--as",
            dest="as_email",
            required=True,
            metavar="EMAIL",
            help="e-mail address of the leader or administrator the import is done as",
        )

    def handle(self, *, file: Path, as_email: str, **options):
        user = User.objects.filter(email__iexact=as_email, is_active=True).first()
        if user is None:
            raise CommandError(
                _("No active user has the e-mail address %(email)s.") % {"email": as_email}
            )
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from None
        try:
            result = services.import_people(
                actor=actor_for(user), content=content, filename=file.name
            )
        except PermissionDenied:
            raise CommandError(
                _("%(email)s may not import staff lists.") % {"email": user.email}
            ) from None
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
