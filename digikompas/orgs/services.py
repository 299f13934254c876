"""State changes of organisations and people."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from digikompas.orgs.access import PEOPLE_MANAGERS, Actor, managed_libraries, require_role
from digikompas.orgs.importing import (
    ImportRejected,
    ValidRow,
    read_staff_list,
    validate_staff_rows,
)
from digikompas.orgs.models import Library, Person

# Keeps each `IN (...)` list well below SQLite's limit on query parameters.
_BATCH = 500


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    # The libraries the file named, for links to their staff pages.
    libraries: tuple[Library, ...] = ()

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def import_people(*, actor: Actor, content: bytes, filename: str) -> ImportResult:
    """Create or update the people of a staff list (CSV or XLSX), all of them or none.

    People are matched by e-mail address, case-insensitively. A row may move a person between
    libraries the actor manages, never out of or into a library they do not manage. Rows that
    change nothing are not saved, so importing the same file twice leaves updated_at alone.
    Raises PermissionDenied for an actor who manages no people and ImportRejected, listing every
    problem, for a file that cannot be imported.
    """
    require_role(actor, *PEOPLE_MANAGERS)
    rows = read_staff_list(content=content, filename=filename)
    codes = {row["library"] for row in rows if row["library"]}
    emails = {row["email"].lower() for row in rows if row["email"]}
    try:
        with transaction.atomic():
            libraries = {
                library.code: library
                for batch in _batches(codes)
                for library in Library.objects.filter(code__in=batch)
            }
            # Locked until the import commits, so that nobody moves one of these people out of
            # the actor's scope between the check below and the write.
            existing = {
                person.email_lower: person
                for batch in _batches(emails)
                for person in Person.objects.select_for_update()
                .annotate(email_lower=Lower("email"))
                .filter(email_lower__in=batch)
            }
            wanted_library_ids = {lib.pk for lib in libraries.values()} | {
                person.library_id for person in existing.values() if person.library_id
            }
            managed_ids = {
                pk
                for batch in _batches(wanted_library_ids)
                for pk in managed_libraries(actor).filter(pk__in=batch).values_list("pk", flat=True)
            }
            valid = validate_staff_rows(
                rows, libraries=libraries, managed_library_ids=managed_ids, existing=existing
            )
            result = _write(valid, existing)
    except IntegrityError:
        # Someone else added one of these e-mail addresses after we looked them up.
        raise ImportRejected(
            file_errors=[
                _(
                    "Someone changed these people while the file was being imported. "
                    "Nothing was imported; please import the file again."
                )
            ]
        ) from None
    return result


def _write(valid: list[ValidRow], existing: dict[str, Person]) -> ImportResult:
    now = timezone.now()
    new, changed = [], []
    unchanged = 0
    for row in valid:
        person = existing.get(row.email.lower())
        if person is None:
            # Logins are created lower-case too (accounts.models.UserManager).
            new.append(
                Person(
                    name=row.name,
                    email=row.email.lower(),
                    library=row.library,
                    job_role=row.job_role,
                )
            )
        elif (person.name, person.library_id, person.job_role) != (
            row.name,
            row.library.pk,
            row.job_role,
        ):
            person.name, person.library, person.job_role = row.name, row.library, row.job_role
            person.updated_at = now  # bulk_update does not apply auto_now
            changed.append(person)
        else:
            unchanged += 1
    Person.objects.bulk_create(new, batch_size=_BATCH)
    Person.objects.bulk_update(
        changed, ["name", "library", "job_role", "updated_at"], batch_size=_BATCH
    )
    libraries = {row.library.pk: row.library for row in valid}
    return ImportResult(
        created=len(new),
        updated=len(changed),
        unchanged=unchanged,
        libraries=tuple(sorted(libraries.values(), key=lambda lib: lib.name)),
    )


def _batches(values):
    values = sorted(values)
    for start in range(0, len(values), _BATCH):
        yield values[start : start + _BATCH]
