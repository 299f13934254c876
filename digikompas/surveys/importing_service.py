"""Writing responses collected with another tool: importing.py reads and checks, this writes.

Kept out of services.py, which is the questionnaire's, because it is a whole flow of its own;
each response is still written by services._store_response, as a submitted one is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from digikompas.orgs.models import Library, Person

from .importing import (
    ColumnMapping,
    Identity,
    ImportRejected,
    Sheet,
    ValidRow,
    check_round,
    identity_values,
    import_keys,
    validate_rows,
)
from .models import Invitation, Response, Round
from .services import _store_response

# Keeps each `IN (...)` list well below SQLite's limit on query parameters.
_BATCH = 500


@dataclass(frozen=True)
class UnitCount:
    library: Library | None  # None: responses the file and the people gave no library
    created: int


@dataclass(frozen=True)
class ImportResult:
    created: int
    unchanged: int  # rows imported before, left as they were
    units: tuple[UnitCount, ...] = ()  # the new responses per library, by library name

    @property
    def total(self) -> int:
        return self.created + self.unchanged


def import_responses(*, round: Round, sheet: Sheet, mapping: ColumnMapping) -> ImportResult:
    """Store a file's responses in a round, all of them or none.

    Each row becomes one response, keyed by its import key so that importing the same file
    again creates nothing ("unchanged"). A row with the e-mail address of a registered person
    takes their library and job role unless the file gives them, and marks the person's
    invitation (created if missing, never sent) as answered; in a confidential round the
    response is linked to the person and the invitation, in an anonymous one it is not.
    Raises ImportRejected, listing every problem, when anything in the file is wrong.
    """
    check_round(round)
    keys = import_keys(sheet, mapping)
    emails = {email.lower() for email in identity_values(sheet, mapping, Identity.EMAIL)}
    codes = identity_values(sheet, mapping, Identity.LIBRARY)
    try:
        with transaction.atomic():
            # Two imports into one round wait for each other, so the second finds the first's
            # keys (and counts its rows unchanged) instead of failing on the unique constraint.
            Round.objects.select_for_update().get(pk=round.pk)
            people = {
                person.email_lower: person
                for batch in _batches(emails)
                for person in Person.objects.select_related("library__municipality__region")
                .annotate(email_lower=Lower("email"))
                .filter(email_lower__in=batch)
            }
            libraries = {
                library.code: library
                for batch in _batches(codes)
                for library in Library.objects.select_related("municipality__region").filter(
                    code__in=batch
                )
            }
            existing_keys = {
                key
                for batch in _batches(set(keys))
                for key in Response.objects.filter(round=round, import_key__in=batch).values_list(
                    "import_key", flat=True
                )
            }
            # Locked until the import commits, so that no one submits through their link
            # between the check that they have not answered and the write.
            invitations = _invitations(round, [person.pk for person in people.values()])
            answered = {
                person_id: invitation.responded_at
                for person_id, invitation in invitations.items()
                if invitation.responded_at is not None
            }
            valid = validate_rows(
                sheet,
                mapping,
                keys=keys,
                people=people,
                libraries=libraries,
                answered=answered,
                existing_keys=existing_keys,
            )
            return _write(round, mapping, valid, invitations)
    except IntegrityError:
        # Someone answered or imported into the round in a way the locks above did not cover.
        raise _changed_meanwhile() from None


def _changed_meanwhile() -> ImportRejected:
    return ImportRejected(
        file_errors=[
            _(
                "The round's responses changed while the file was being imported. "
                "Nothing was imported; please import the file again."
            )
        ]
    )


def _invitations(round: Round, person_ids: Iterable[int]) -> dict[int, Invitation]:
    return {
        invitation.person_id: invitation
        for batch in _batches(person_ids)
        for invitation in Invitation.objects.select_for_update().filter(
            round=round, person_id__in=batch
        )
    }


def _write(
    round: Round, mapping: ColumnMapping, valid: list[ValidRow], invitations: dict[int, Invitation]
) -> ImportResult:
    new = [row for row in valid if not row.imported]
    uninvited = {row.person.pk for row in new if row.person and row.person.pk not in invitations}
    if uninvited:
        # Invitations that are never sent: they record that the person answered, so reminders
        # skip them and response rates count them.
        Invitation.objects.bulk_create(
            [Invitation(round=round, person_id=pk) for pk in uninvited],
            batch_size=_BATCH,
            ignore_conflicts=True,  # an invitation sent meanwhile is just as good
        )
        created = _invitations(round, uninvited)
        if any(invitation.responded_at for invitation in created.values()):
            raise _changed_meanwhile()
        invitations = {**invitations, **created}
    # One moment for the whole file: the rows were not submitted one by one, and in an anonymous
    # round a moment per row would pair each response with its invitation's responded_at.
    now = timezone.now()
    answered = []
    units: Counter[Library | None] = Counter()
    for row in new:
        invitation = invitations.get(row.person.pk) if row.person else None
        response = _store_response(
            round=round,
            person=row.person,
            items=list(mapping.items),
            answers=row.answers,
            invitation=invitation,
            library=row.library,
            job_role=row.job_role,
            import_key=row.import_key,
            submitted_at=now,
        )
        units[response.library] += 1
        if invitation is not None:
            invitation.responded_at = now
            invitation.draft = {}
            answered.append(invitation)
    Invitation.objects.bulk_update(answered, ["responded_at", "draft"], batch_size=_BATCH)
    return ImportResult(
        created=len(new),
        unchanged=len(valid) - len(new),
        units=tuple(
            UnitCount(library, count)
            for library, count in sorted(
                units.items(), key=lambda pair: (pair[0] is None, pair[0] and pair[0].name)
            )
        ),
    )


def _batches(values):
    values = sorted(values)
    for start in range(0, len(values), _BATCH):
        yield values[start : start + _BATCH]
