from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from digikompas.privacy import erasure, export


class Command(BaseCommand):
    help = (
        "Erase a person and their login (found by e-mail address) with everything linked to "
        "them, as the administrators' erasure page does. Without --yes it only lists what would "
        "go. The erasure is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--yes", action="store_true", help="Erase; without it, a dry run.")

    def handle(self, *, email, yes, **options):
        person, user = export.subject_by_email(email)
        if person is None and user is None:
            raise CommandError(
                _("No person or login has the e-mail address %(email)s.") % {"email": email}
            )
        if person is not None:
            for line in erasure.plan(person):
                self.stdout.write(f"{line.count:>6}  {line.text}")
        else:
            self.stdout.write(f"{1:>6}  " + _("A login without a person"))
        if not yes:
            self.stdout.write(_("Nothing was erased: add --yes to erase."))
            return
        erased = erasure.erase(person=person, user=user)
        self.stdout.write(
            _(
                "Erased %(email)s: %(responses)s confidential responses, %(reports)s stored "
                "reports and %(experiences)s experiences deleted."
            )
            % {
                "email": email,
                "responses": erased.responses,
                "reports": erased.reports,
                "experiences": erased.experiences,
            }
        )
