"""Reading and checking staff lists (CSV or XLSX) before anything is written.

Two steps, both without side effects: `read_staff_list` turns the uploaded bytes into rows of
text keyed by column, and `validate_staff_rows` checks those rows against the libraries and
people the caller looked up. Either step raises ImportRejected with every problem it found, so
that a leader can fix the whole spreadsheet in one go. services.import_people does the writing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digikompas import spreadsheets
from digikompas.orgs.models import JobRole, Library, Person

# Far more than the staff of all Danish public libraries; a workbook compresses so well that the
# byte limit alone would not keep a crafted one from filling the memory.
MAX_ROWS = 20_000

# The columns in the order of the template file, each with the header names accepted for it
# (compared case-insensitively). The first name is the English one, the second the Danish one.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "navn"),
    "email": ("email", "e-mail", "email-adresse", "e-mail-adresse"),
    "library": ("library", "bibliotek"),
    "job_role": ("job_role", "stilling"),
}

# The Danish names of the job roles, so that Danish spreadsheets work even where the Danish
# catalogue is missing or its wording changes; the labels of both languages are accepted too.
DANISH_JOB_ROLES = {
    "bibliotekar": JobRole.LIBRARIAN,
    "biblioteksassistent": JobRole.LIBRARY_ASSISTANT,
    "formidler eller anden akademisk medarbejder": JobRole.COMMUNICATOR,
    "digital vejleder": JobRole.DIGITAL_GUIDE,
    "studentermedhjælper": JobRole.STUDENT_ASSISTANT,
    "biblioteksleder": JobRole.LIBRARY_LEADER,
    "bibliotekschef": JobRole.HEAD_OF_LIBRARIES,
    "andet": JobRole.OTHER,
}

NAME_MAX_LENGTH = Person._meta.get_field("name").max_length
EMAIL_MAX_LENGTH = 254


@dataclass(frozen=True)
class RowError:
    """A problem with one cell: the row as the spreadsheet numbers it (header is 1)."""

    row: int
    field: str
    reason: str


class ImportRejected(Exception):
    """A staff list that cannot be imported; nothing was written.

    `file_errors` are problems with the file as a whole (wrong type, missing columns),
    `errors` the problems of single rows, in row order.
    """

    def __init__(self, *, errors: Iterable[RowError] = (), file_errors: Iterable[str] = ()):
        self.errors = sorted(errors, key=lambda e: e.row)
        self.file_errors = list(file_errors)
        super().__init__(
            "; ".join(
                [*self.file_errors, *(f"row {e.row}, {e.field}: {e.reason}" for e in self.errors)]
            )
        )


@dataclass(frozen=True)
class StaffRow:
    """One data row as text, with the header names the file used (for error messages)."""

    row: int
    values: Mapping[str, str]
    headers: Mapping[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def error(self, column: str, reason: str) -> RowError:
        return RowError(self.row, self.headers[column], reason)


@dataclass(frozen=True)
class ValidRow:
    row: int
    name: str
    email: str
    library: Library
    job_role: JobRole


# -- reading the file ---------------------------------------------------------------------------


# What a file of another type should have been.
WRONG_TYPE = gettext_lazy("Upload the staff list as a CSV file (.csv) or an Excel file (.xlsx).")


def check_upload(*, filename: str, size: int) -> None:
    """Refuse a file by its name and size alone, before it is read."""
    problem = spreadsheets.upload_problem(filename=filename, size=size, wrong_type=WRONG_TYPE)
    if problem:
        raise ImportRejected(file_errors=[problem])


def read_staff_list(*, content: bytes, filename: str) -> list[StaffRow]:
    """The data rows of a staff list, blank rows left out; ImportRejected for a bad file."""
    check_upload(filename=filename, size=len(content))
    rows = enumerate(_rows(content, excel=PurePath(filename).suffix.lower() == ".xlsx"), start=1)
    header = next(rows, None)
    if header is None:
        raise ImportRejected(file_errors=[_("The file is empty.")])
    positions, headers = _read_header(header[1])
    result = []
    for number, cells in rows:
        values = {
            column: spreadsheets.cell(cells[index]) if index < len(cells) else ""
            for column, index in positions.items()
        }
        if any(values.values()):
            if len(result) == MAX_ROWS:
                raise ImportRejected(
                    file_errors=[
                        _("The file has more than %(max)s people. Split it into smaller files.")
                        % {"max": MAX_ROWS}
                    ]
                )
            result.append(StaffRow(row=number, values=values, headers=headers))
    if not result:
        raise ImportRejected(file_errors=[_("The file has a header row but no people below it.")])
    return result


def _rows(content: bytes, *, excel: bool) -> Iterator[Sequence]:
    try:
        yield from spreadsheets.read_rows(content, excel=excel)
    except spreadsheets.UnreadableFile as error:
        raise ImportRejected(file_errors=[str(error)]) from None


def _read_header(cells) -> tuple[dict[str, int], dict[str, str]]:
    """Which position each known column has, and the header text the file used for it."""
    by_alias = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    repeated = []
    for index, value in enumerate(cells):
        text = spreadsheets.cell(value)
        column = by_alias.get(text.casefold())
        if column is None:
            continue  # other columns (phone, notes) are allowed and ignored
        if column in positions:
            repeated.append(text)
            continue
        positions[column] = index
        headers[column] = text
    errors = []
    missing = [column for column in COLUMNS if column not in positions]
    if missing:
        errors.append(_missing_columns_message(missing))
    for text in repeated:
        errors.append(
            _("The column “%(column)s” appears more than once in the first row.") % {"column": text}
        )
    if errors:
        raise ImportRejected(file_errors=errors)
    return positions, headers


def _missing_columns_message(columns: Iterable[str]) -> str:
    names = [" / ".join(COLUMNS[column][:2]) for column in columns]
    return _(
        "The first row must name the columns. Missing: %(columns)s. "
        "Download the template to see the expected columns."
    ) % {"columns": ", ".join(names)}


# -- checking the rows --------------------------------------------------------------------------


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def job_role_names() -> dict[str, JobRole]:
    """Every accepted spelling of a job role: its value and its Danish and English labels."""
    names = {_normalise(role.value): role for role in JobRole}
    names.update(DANISH_JOB_ROLES)
    for language in ("en", "da"):
        with translation.override(language):
            names.update({_normalise(str(role.label)): role for role in JobRole})
    return names


def allowed_job_roles() -> str:
    return ", ".join(str(role.label) for role in JobRole)


def validate_staff_rows(
    rows: list[StaffRow],
    *,
    libraries: Mapping[str, Library],
    managed_library_ids: Set[int],
    existing: Mapping[str, Person],
) -> list[ValidRow]:
    """Check every row; ImportRejected listing all problems, or the rows as typed values.

    `libraries` maps the file's library codes to libraries (unknown codes are absent),
    `managed_library_ids` holds the libraries the importing user manages, and `existing` maps
    lower-cased (str.lower) e-mail addresses from the file to the people who already have them.
    """
    job_roles = job_role_names()
    errors: list[RowError] = []
    valid = []
    first_row_of: dict[str, int] = {}  # lower-cased e-mail -> the first row that has it
    for row in rows:
        library = libraries.get(row["library"])
        job_role = job_roles.get(_normalise(row["job_role"]))
        problems = {
            "name": _name_problem(row["name"]),
            "email": _email_problem(row, first_row_of, existing, managed_library_ids),
            "library": _library_problem(row["library"], library, managed_library_ids),
            "job_role": _job_role_problem(row["job_role"], job_role),
        }
        row_errors = [row.error(column, reason) for column, reason in problems.items() if reason]
        if row_errors:
            errors.extend(row_errors)
        else:
            valid.append(ValidRow(row.row, row["name"], row["email"], library, job_role))
    if errors:
        raise ImportRejected(errors=errors)
    return valid


def _name_problem(name: str) -> str | None:
    if not name:
        return _("The name is missing.")
    if len(name) > NAME_MAX_LENGTH:
        return _("The name is longer than %(max)s characters.") % {"max": NAME_MAX_LENGTH}
    return None


def _email_problem(
    row: StaffRow,
    first_row_of: dict[str, int],
    existing: Mapping[str, Person],
    managed_library_ids: Set[int],
) -> str | None:
    email = row["email"]
    key = email.lower()
    if not email:
        return _("The e-mail address is missing.")
    if not _is_email(email):
        return _("“%(email)s” is not a valid e-mail address.") % {"email": email}
    if key in first_row_of:
        return _("The e-mail address %(email)s is in both row %(first)s and row %(row)s.") % {
            "email": email,
            "first": first_row_of[key],
            "row": row.row,
        }
    first_row_of[key] = row.row
    person = existing.get(key)
    if person is not None and person.library_id not in managed_library_ids:
        return _(
            "The e-mail address %(email)s belongs to a person at a library you do not manage, "
            "so this import cannot change or move them."
        ) % {"email": email}
    return None


def _library_problem(
    code: str, library: Library | None, managed_library_ids: Set[int]
) -> str | None:
    if not code:
        return _("The library code is missing.")
    if library is None:
        return _("There is no library with the code %(code)s.") % {"code": code}
    if library.pk not in managed_library_ids:
        return _("You do not manage library %(code)s (%(name)s).") % {
            "code": code,
            "name": library.name,
        }
    return None


def _job_role_problem(text: str, job_role: JobRole | None) -> str | None:
    if job_role is not None:
        return None
    if not text:
        return _("The job role is missing. Use one of: %(allowed)s.") % {
            "allowed": allowed_job_roles()
        }
    return _("Unknown job role “%(value)s”. Use one of: %(allowed)s.") % {
        "value": text,
        "allowed": allowed_job_roles(),
    }


def _is_email(value: str) -> bool:
    if len(value) > EMAIL_MAX_LENGTH:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


# -- the template file --------------------------------------------------------------------------


def template_csv(*, library_code: str) -> str:
    """A staff list with the header row and one example, in the active language.

    Danish Excel expects semicolons, so the Danish template uses them (and Danish headers).
    """
    danish = (translation.get_language() or "").startswith("da")
    headers = [aliases[1 if danish else 0] for aliases in COLUMNS.values()]
    example = ["Anne Jensen", "anne.jensen@example.dk", library_code, str(JobRole.LIBRARIAN.label)]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if danish else ",", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerow(example)
    return out.getvalue()
