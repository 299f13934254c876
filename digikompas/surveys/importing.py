"""Reading, mapping and checking responses collected with another tool (CSV or XLSX).

The file has one row per respondent under a header row. Three steps, none of which writes:

1. `read_sheet` turns the uploaded bytes into a Sheet: the column names and every row as text.
2. A ColumnMapping says which column holds what: an item of the survey, one of the identity
   columns (respondent key, e-mail, library, job role), or nothing. `automatic_choices` proposes
   one from the headers, the analyst corrects it (preview page) or a JSON file overrides it
   (`choices_from_json`), and `make_mapping` checks the result.
3. `validate_rows` checks every row against the people, libraries and earlier imports the
   caller looked up, and returns the rows as typed answers.

Each step raises ImportRejected with every problem it found, so that a whole file can be
corrected in one go. importing_service.import_responses does the writing.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import PurePath

from django.db import models
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digikompas import spreadsheets
from digikompas.orgs.importing import allowed_job_roles, job_role_names
from digikompas.orgs.models import Library, Person

from . import answers as answer_rules
from .models import AGREEMENT_SCALE, Item, ItemKind, Response, Round

# Far more than the staff of all Danish public libraries; a workbook compresses so well that the
# byte limit alone would not keep a crafted one from filling the memory.
MAX_ROWS = 50_000
PREVIEW_ROWS = 5
KEY_MAX_LENGTH = Response._meta.get_field("import_key").max_length
# The prefix of a mapping target that is an item (the rest is its code); identity targets are
# the Identity values, which have no colon.
ITEM_TARGET = "item:"


class Identity(models.TextChoices):
    """Columns that say who answered rather than what."""

    RESPONDENT = "respondent", gettext_lazy("Respondent key")
    EMAIL = "email", gettext_lazy("E-mail address")
    LIBRARY = "library", gettext_lazy("Library code")
    JOB_ROLE = "job_role", gettext_lazy("Job role")


# The header names recognised for each identity column (compared case-insensitively, with runs
# of white space as one space). The first is the name a mapping file uses.
IDENTITY_HEADERS: dict[str, tuple[str, ...]] = {
    Identity.RESPONDENT: (
        "respondent",
        "respondent id",
        "respondent_id",
        "respondent-id",
        "response id",
        "response_id",
        "id",
        "svar-id",
        "svar id",
        "svar_id",
        "svarid",
        "respondent-nr",
    ),
    Identity.EMAIL: (
        "email",
        "e-mail",
        "email address",
        "e-mail address",
        "email-adresse",
        "e-mail-adresse",
        "e-mailadresse",
    ),
    Identity.LIBRARY: ("library", "library code", "bibliotek", "bibliotekskode"),
    Identity.JOB_ROLE: ("job_role", "job role", "stilling", "jobrolle"),
}

# The Danish words of the agreement scale, so that Danish files work even where the Danish
# catalogue is missing or its wording changes (as orgs.importing.DANISH_JOB_ROLES).
DANISH_AGREEMENT = {
    "helt uenig": 1,
    "uenig": 2,
    "hverken enig eller uenig": 3,
    "enig": 4,
    "helt enig": 5,
}


@dataclass(frozen=True)
class RowError:
    """A problem with one cell: the row as the spreadsheet numbers it (the header is row 1) and
    the column by its header."""

    row: int
    column: str
    reason: str

    def __str__(self):
        return f"row {self.row}, {self.column}: {self.reason}"


class ImportRejected(Exception):
    """A file of responses that cannot be imported; nothing was written.

    `file_errors` are problems with the file or the mapping as a whole, `errors` the problems
    of single cells, in row order.
    """

    def __init__(self, *, errors: Iterable[RowError] = (), file_errors: Iterable[str] = ()):
        self.errors = sorted(errors, key=lambda e: e.row)
        self.file_errors = list(file_errors)
        super().__init__("; ".join([*self.file_errors, *(str(e) for e in self.errors)]))


def _normalise(text: str) -> str:
    return " ".join(str(text).split()).casefold()


# -- reading the file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    number: int  # as the spreadsheet numbers it: the header is row 1
    cells: tuple[str, ...]  # as many as there are columns


@dataclass(frozen=True)
class Sheet:
    """A file's columns and its non-blank data rows, as text."""

    filename: str
    headers: tuple[str, ...]  # each column's name for the user ("column 4" when it has none)
    rows: tuple[SheetRow, ...]

    def preview(self, count: int = PREVIEW_ROWS) -> list[list[str]]:
        """The first values of each column: one list per column."""
        first = self.rows[:count]
        return [[row.cells[index] for row in first] for index in range(len(self.headers))]


# What a file of another type should have been.
WRONG_TYPE = gettext_lazy("Upload the responses as a CSV file (.csv) or an Excel file (.xlsx).")


def check_upload(*, filename: str, size: int) -> None:
    """Refuse a file by its name and size alone, before it is read."""
    problem = spreadsheets.upload_problem(filename=filename, size=size, wrong_type=WRONG_TYPE)
    if problem:
        raise ImportRejected(file_errors=[problem])


def read_sheet(*, content: bytes, filename: str) -> Sheet:
    """The columns and data rows of a file, blank rows left out; ImportRejected for a bad file."""
    check_upload(filename=filename, size=len(content))
    excel = PurePath(filename).suffix.lower() == ".xlsx"
    rows = enumerate(_rows(content, excel=excel), start=1)
    header = next(rows, None)
    header_cells = [spreadsheets.cell(value) for value in header[1]] if header else []
    while header_cells and not header_cells[-1]:
        header_cells.pop()
    if not header_cells:
        raise ImportRejected(file_errors=[_("The file is empty.")])
    width = len(header_cells)
    headers = tuple(
        text or _("column %(number)s") % {"number": index}
        for index, text in enumerate(header_cells, start=1)
    )
    result = []
    for number, values in rows:
        cells = tuple(
            spreadsheets.cell(values[index]) if index < len(values) else ""
            for index in range(width)
        )
        if not any(cells):
            continue
        if len(result) == MAX_ROWS:
            raise ImportRejected(
                file_errors=[
                    _("The file has more than %(max)s responses. Split it into smaller files.")
                    % {"max": MAX_ROWS}
                ]
            )
        result.append(SheetRow(number=number, cells=cells))
    if not result:
        raise ImportRejected(
            file_errors=[_("The file has a header row but no responses below it.")]
        )
    return Sheet(filename=filename, headers=headers, rows=tuple(result))


def _rows(content: bytes, *, excel: bool) -> Iterator[Sequence]:
    try:
        yield from spreadsheets.read_rows(content, excel=excel)
    except spreadsheets.UnreadableFile as error:
        raise ImportRejected(file_errors=[str(error)]) from None


# -- the round ----------------------------------------------------------------------------------


def check_round(round: Round, *, now: datetime.datetime | None = None) -> None:
    """Responses can be imported into a round that has opened, closed or not: answers collected
    elsewhere usually arrive after the fact. Before it opens, there is nothing to answer yet."""
    if round.opens_at > (now or timezone.now()):
        raise ImportRejected(
            file_errors=[
                _(
                    "The round opens on %(date)s. Responses can be imported into it once it "
                    "has opened."
                )
                % {"date": _date(round.opens_at)}
            ]
        )


def _date(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment).date(), "DATE_FORMAT")


# -- mapping columns ----------------------------------------------------------------------------


def item_target(item: Item) -> str:
    return ITEM_TARGET + item.code


@dataclass(frozen=True)
class ColumnMapping:
    """Which column holds what. Columns in neither `columns` nor `identity` are ignored."""

    headers: tuple[str, ...]
    items: tuple[Item, ...]  # every item of the survey, in order
    columns: Mapping[int, Item]  # column position → the item it answers
    identity: Mapping[str, int]  # Identity → column position

    def column_of(self, item: Item) -> int | None:
        for index, mapped in self.columns.items():
            if mapped.code == item.code:
                return index
        return None

    @property
    def ignored(self) -> list[str]:
        used = set(self.columns) | set(self.identity.values())
        return [header for index, header in enumerate(self.headers) if index not in used]


def automatic_choices(headers: Sequence[str], items: Iterable[Item]) -> dict[int, str]:
    """The target of each column whose header names one: an identity column by one of its
    names, an item by its code or its question in Danish or English. Others map to ""."""
    by_name: dict[str, str] = {}
    for item in items:
        for name in (item.text_en, item.text_da, item.code):
            by_name[_normalise(name)] = item_target(item)
    # The identity names come last, so they win over an item that happens to share one.
    for identity, names in IDENTITY_HEADERS.items():
        for name in names:
            by_name[_normalise(name)] = str(identity)
    return {index: by_name.get(_normalise(header), "") for index, header in enumerate(headers)}


def choices_from_json(
    headers: Sequence[str], items: Iterable[Item], data: object
) -> dict[int, str]:
    """The automatic mapping, overridden by a mapping file: {"header": target or null}, where a
    target is an item code or one of respondent, email, library, job_role, and null ignores the
    column. Headers are matched as in the automatic mapping."""
    items = list(items)
    if not isinstance(data, dict):
        raise ImportRejected(
            file_errors=[
                _(
                    "The mapping must be a JSON object from column headers to item codes, "
                    "“respondent”, “email”, “library”, “job_role” or null."
                )
            ]
        )
    choices = automatic_choices(headers, items)
    codes = {item.code for item in items}
    positions: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        positions.setdefault(_normalise(header), []).append(index)
    errors = []
    for header, target in data.items():
        if target is not None and not isinstance(target, str):
            errors.append(
                _("The mapping of “%(header)s” must be a text or null.") % {"header": header}
            )
            continue
        if target in Identity.values:
            value = target
        elif target is None or target == "":
            value = ""
        elif target in codes:
            value = ITEM_TARGET + target
        else:
            errors.append(
                _(
                    "The mapping maps “%(header)s” to “%(target)s”, which is neither an item "
                    "code of the survey nor one of respondent, email, library, job_role."
                )
                % {"header": header, "target": target}
            )
            continue
        found = positions.get(_normalise(header))
        if not found:
            errors.append(
                _("The mapping names the column “%(header)s”, which is not in the file.")
                % {"header": header}
            )
            continue
        for index in found:
            choices[index] = value
    if errors:
        raise ImportRejected(file_errors=errors)
    return choices


def make_mapping(
    headers: Sequence[str], items: Iterable[Item], choices: Mapping[int, str]
) -> ColumnMapping:
    """The mapping from each column's target ("item:<code>", an Identity value, or "" to ignore
    it), checked: each target at most once, at least one item, every required item that is
    always asked has a column."""
    headers = tuple(headers)
    items = tuple(items)
    by_target = {item_target(item): item for item in items}
    columns: dict[int, Item] = {}
    identity: dict[str, int] = {}
    first_of: dict[str, int] = {}
    errors = []
    for index, target in sorted(choices.items()):
        if not target:
            continue
        if target not in by_target and target not in Identity.values:
            errors.append(
                _("Column “%(header)s” is mapped to “%(target)s”, which is not in the survey.")
                % {"header": headers[index], "target": target}
            )
            continue
        if target in first_of:
            errors.append(
                _("Two columns are mapped to %(target)s: “%(first)s” and “%(second)s”.")
                % {
                    "target": _target_name(target, by_target),
                    "first": headers[first_of[target]],
                    "second": headers[index],
                }
            )
            continue
        first_of[target] = index
        if target in by_target:
            columns[index] = by_target[target]
        else:
            identity[target] = index
    if not columns and not errors:
        errors.append(_("No column is mapped to a question of the survey."))
    mapped = {item.code for item in columns.values()}
    for item in items:
        if item.required and item.show_if_item_id is None and item.code not in mapped:
            errors.append(
                _("No column is mapped to the required question %(code)s (“%(text)s”).")
                % {"code": item.code, "text": item.text}
            )
    if errors:
        raise ImportRejected(file_errors=errors)
    return ColumnMapping(headers=headers, items=items, columns=columns, identity=identity)


def _target_name(target: str, by_target: Mapping[str, Item]) -> str:
    if target in by_target:
        return by_target[target].code
    return str(Identity(target).label)


# -- checking the rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidRow:
    row: int
    import_key: str
    answers: dict[str, object]  # item code → typed value, only the items the row is asked
    person: Person | None
    library: Library | None  # from the file; None leaves the person's library
    job_role: str  # from the file; "" leaves the person's job role
    imported: bool  # the row was imported before and is left as it is


def cell_of(row: SheetRow, mapping: ColumnMapping, identity: str) -> str:
    index = mapping.identity.get(identity)
    return row.cells[index] if index is not None else ""


def identity_values(sheet: Sheet, mapping: ColumnMapping, identity: str) -> set[str]:
    """The non-empty values of an identity column, for the caller's lookups."""
    return {value for row in sheet.rows if (value := cell_of(row, mapping, identity))}


def import_keys(sheet: Sheet, mapping: ColumnMapping) -> list[str]:
    """Each row's key, in row order: the respondent key when the file has one, or else a hash of
    the row's cells, so that importing the same file again finds its rows either way.

    Identical rows without a key (two people who answered alike) are told apart by how many of
    them came before, so each is kept once rather than all of them folded into one."""
    seen: Counter[str] = Counter()
    keys = []
    for row in sheet.rows:
        key = cell_of(row, mapping, Identity.RESPONDENT)
        if not key:
            cells = list(row.cells)
            while cells and not cells[-1]:
                cells.pop()
            content = "\x1f".join(cells)
            digest = hashlib.sha256(f"{content}\x1e{seen[content]}".encode()).hexdigest()
            seen[content] += 1
            key = "sha256:" + digest
        keys.append(key)
    return keys


class _AnswerReader:
    """Turns a cell into the raw answer answers.clean expects, accepting what other tools write:
    option labels in Danish or English besides the values, "a; b" or "a, b" for several
    options, and the labels of a scale besides its numbers."""

    def __init__(self, items: Iterable[Item]):
        self.options: dict[str, dict[str, str]] = {}
        self.scale_labels: dict[str, dict[str, int]] = {}
        self.levels: dict[str, list[int]] = {}
        agreement = dict(DANISH_AGREEMENT)
        for language in ("da", "en"):
            with translation.override(language):
                agreement.update(
                    {_normalise(str(label)): value for value, label in AGREEMENT_SCALE}
                )
        for item in items:
            if item.kind in (ItemKind.SINGLE, ItemKind.MULTIPLE):
                names = {}
                for option in item.options:
                    for name in (option.get("da"), option.get("en"), option["value"]):
                        if name:
                            names[_normalise(name)] = option["value"]
                self.options[item.code] = names
            elif item.kind == ItemKind.COMPETENCY:
                levels = list(item.competency.framework.levels.all())
                self.levels[item.code] = [level.value for level in levels]
                self.scale_labels[item.code] = {
                    _normalise(name): level.value
                    for level in levels
                    for name in (level.label_en, level.label_da)
                    if name
                }
            elif item.kind == ItemKind.AGREEMENT:
                self.scale_labels[item.code] = agreement

    def clean(self, item: Item, text: str):
        """The typed answer, None for an empty cell; AnswerInvalid with the reason."""
        raw: object = text
        if item.kind == ItemKind.SINGLE:
            raw = self.options[item.code].get(_normalise(text), text)
        elif item.kind == ItemKind.MULTIPLE:
            raw = self._several(item, text)
        elif item.code in self.scale_labels:
            label = self.scale_labels[item.code].get(_normalise(text))
            raw = str(label) if label is not None else text
        return answer_rules.clean(item, raw, levels=self.levels.get(item.code))

    def _several(self, item: Item, text: str) -> list[str]:
        names = self.options[item.code]
        if _normalise(text) in names:
            return [names[_normalise(text)]]
        values = []
        for part in text.split(";"):
            if _normalise(part) in names:
                values.append(names[_normalise(part)])
                continue
            # A label may hold a comma itself ("Bøger, lydbøger"), so a comma separates only
            # what the semicolons did not.
            for piece in part.split(","):
                if piece.strip():
                    values.append(names.get(_normalise(piece), piece.strip()))
        return values


def validate_rows(
    sheet: Sheet,
    mapping: ColumnMapping,
    *,
    keys: Sequence[str],
    people: Mapping[str, Person],
    libraries: Mapping[str, Library],
    answered: Mapping[int, datetime.datetime],
    existing_keys: Set[str],
) -> list[ValidRow]:
    """Check every row; ImportRejected listing all problems, or the rows as typed values.

    `keys` are the rows' import keys (import_keys), `people` maps lower-cased (str.lower) e-mail
    addresses from the file to the people who have them, `libraries` the file's library codes to
    libraries (unknown ones are absent), `answered` the people who already answered the round to
    when, and `existing_keys` holds the keys of the rows imported into the round before.
    """
    checker = _RowChecker(mapping, people=people, libraries=libraries, answered=answered)
    errors: list[RowError] = []
    valid = []
    for row, key in zip(sheet.rows, keys, strict=True):
        row_errors, result = checker.check(row, key, imported=key in existing_keys)
        if row_errors:
            errors.extend(row_errors)
        else:
            valid.append(result)
    if errors:
        raise ImportRejected(errors=errors)
    return valid


class _RowChecker:
    """The checks of one row, remembering what earlier rows had (keys, e-mail addresses)."""

    def __init__(self, mapping, *, people, libraries, answered):
        self.mapping = mapping
        self.people = people
        self.libraries = libraries
        self.answered = answered
        self.reader = _AnswerReader(mapping.items)
        self.job_roles = job_role_names()
        self.first_row_of_key: dict[str, int] = {}
        self.first_row_of_email: dict[str, int] = {}

    def check(self, row: SheetRow, key: str, *, imported: bool):
        """The row's problems, and the row as typed values when it has none."""
        self.row = row
        self.errors: list[RowError] = []
        self._check_key(key)
        answers = self._answers()
        person = self._person(imported=imported)
        library = self._library()
        job_role = self._job_role()
        if self.errors:
            return self.errors, None
        return [], ValidRow(
            row=row.number,
            import_key=key,
            # An answer to a question the row's other answers skip is not kept, as in the
            # questionnaire (another tool may not skip questions).
            answers=answer_rules.shown_answers(self.mapping.items, answers),
            person=person,
            library=library,
            job_role=job_role.value if job_role else "",
            imported=imported,
        )

    def _problem(self, index: int | None, reason: str, *, column: str = "") -> None:
        if index is not None:
            column = self.mapping.headers[index]
        self.errors.append(RowError(self.row.number, column, reason))

    def _cell(self, identity: str) -> str:
        return cell_of(self.row, self.mapping, identity)

    def _check_key(self, key: str) -> None:
        column = self.mapping.identity.get(Identity.RESPONDENT)
        if len(key) > KEY_MAX_LENGTH:
            self._problem(
                column,
                _("The respondent key is longer than %(max)s characters.")
                % {"max": KEY_MAX_LENGTH},
            )
        elif key in self.first_row_of_key:
            # Only a respondent key can repeat: keys made from the rows' content never do.
            self._problem(
                column,
                _("The respondent key %(key)s is in both row %(first)s and row %(row)s.")
                % {"key": key, "first": self.first_row_of_key[key], "row": self.row.number},
            )
        else:
            self.first_row_of_key[key] = self.row.number

    def _answers(self) -> dict[str, object]:
        answers: dict[str, object] = {}
        invalid: set[str] = set()
        for index, item in self.mapping.columns.items():
            try:
                value = self.reader.clean(item, self.row.cells[index])
            except answer_rules.AnswerInvalid as error:
                self._problem(index, str(error))
                invalid.add(item.code)
                continue
            if value is not None:
                answers[item.code] = value
        for item in answer_rules.missing(self.mapping.items, answers):
            if item.code not in invalid:
                # A required question asked only after some answer may have no column at all.
                self._problem(
                    self.mapping.column_of(item),
                    _("This question is required."),
                    column=item.code,
                )
        return answers

    def _person(self, *, imported: bool) -> Person | None:
        email = self._cell(Identity.EMAIL)
        if not email:
            return None
        column = self.mapping.identity[Identity.EMAIL]
        lower = email.lower()
        if lower in self.first_row_of_email:
            self._problem(
                column,
                _("The e-mail address %(email)s is in both row %(first)s and row %(row)s.")
                % {"email": email, "first": self.first_row_of_email[lower], "row": self.row.number},
            )
        else:
            self.first_row_of_email[lower] = self.row.number
        person = self.people.get(lower)
        if person is None:
            self._problem(
                column,
                _("No one with the e-mail address %(email)s is registered.") % {"email": email},
            )
        elif person.pk in self.answered and not imported:
            self._problem(
                column,
                _("%(email)s already answered on %(date)s.")
                % {"email": email, "date": _date(self.answered[person.pk])},
            )
        return person

    def _library(self) -> Library | None:
        code = self._cell(Identity.LIBRARY)
        if not code:
            return None
        library = self.libraries.get(code)
        if library is None:
            self._problem(
                self.mapping.identity[Identity.LIBRARY],
                _("There is no library with the code %(code)s.") % {"code": code},
            )
        return library

    def _job_role(self):
        text = self._cell(Identity.JOB_ROLE)
        if not text:
            return None
        job_role = self.job_roles.get(_normalise(text))
        if job_role is None:
            self._problem(
                self.mapping.identity[Identity.JOB_ROLE],
                _("Unknown job role “%(value)s”. Use one of: %(allowed)s.")
                % {"value": text, "allowed": allowed_job_roles()},
            )
        return job_role


# -- explaining the file ------------------------------------------------------------------------


def accepted_answers(item: Item) -> str:
    """What a cell of the item's column may hold, for the page that explains the file."""
    if item.kind == ItemKind.COMPETENCY:
        levels = list(item.competency.framework.levels.all())
        return _("A level of the scale: %(levels)s.") % {
            "levels": ", ".join(
                f"{level.value} ({level.label})" if level.label else str(level.value)
                for level in levels
            )
        }
    if item.kind == ItemKind.AGREEMENT:
        return _("1 (strongly disagree) to 5 (strongly agree).")
    if item.kind in (ItemKind.SINGLE, ItemKind.MULTIPLE):
        options = ", ".join(
            f"{option['value']} ({item.option_label(option['value'])})" for option in item.options
        )
        if item.kind == ItemKind.SINGLE:
            return _("One of: %(options)s.") % {"options": options}
        return _("One or more of, separated by semicolons: %(options)s.") % {"options": options}
    if item.kind == ItemKind.NUMBER:
        if item.minimum is not None and item.maximum is not None:
            return _("A whole number from %(min)s to %(max)s.") % {
                "min": item.minimum,
                "max": item.maximum,
            }
        return _("A whole number.")
    return _("Any text.")
