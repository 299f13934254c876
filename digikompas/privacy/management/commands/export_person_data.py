from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from digikompas.privacy import audit, export
from digikompas.privacy.models import Action


class Command(BaseCommand):
    help = (
        "Write everything digikompas stores about a person (found by e-mail address: a person, "
        "a login or both) as JSON, to the standard output or to a file. The export is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--output", "-o", help="The file to write; the standard output if not given."
        )

    def handle(self, *, email, output, **options):
        person, user = export.subject_by_email(email)
        if person is None and user is None:
            raise CommandError(
                _("No person or login has the e-mail address %(email)s.") % {"email": email}
            )
        data = export.person_data(person=person, user=user)
        text = export.dumps(data)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text + "\n")
        else:
            self.stdout.write(text)
        audit.record_system(
            Action.EXPORTED_PERSON_DATA,
            obj=person if person is not None else user,
            detail="manage.py export_person_data",
        )
        if output:
            self.stderr.write(
                _("Wrote the data of %(email)s to %(file)s.") % {"email": email, "file": output}
            )
