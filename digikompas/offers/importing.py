"""Reading and checking an offer catalogue (CSV or XLSX) before anything is written.

One row per offer. `read_offer_rows` turns the bytes into text keyed by column, and
`validate_offer_rows` turns each cell into a typed value, reporting every cell it cannot use with
its row, column and reason. Both raise ImportRejected and write nothing; services.import_offers
does the writing. The same columns are written by services.export_offers, so an export imports
back to the same catalogue.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digikompas import spreadsheets
from digikompas.frameworks.models import Competency
from digikompas.orgs import importing as orgs_importing
from digikompas.orgs.importing import RowError

from .models import MAX_LEVEL_REACHED, OfferFormat, OfferKind, OfferLanguage, ProviderKind

MAX_ROWS = 5_000

# The columns in the order of an export, each with the header names accepted for it (compared
# case-insensitively): the English one first, then the Danish one.
COLUMNS: dict[str, tuple[str, ...]] = {
    "provider": ("provider", "udbyder"),
    "provider_kind": ("provider_kind", "udbydertype"),
    "title_da": ("title_da", "titel_da"),
    "title_en": ("title_en", "titel_en"),
    "description_da": ("description_da", "beskrivelse_da"),
    "description_en": ("description_en", "beskrivelse_en"),
    "kind": ("kind", "type"),
    "format": ("format", "form"),
    "ects": ("ects", "ects-point"),
    "hours": ("hours", "timer"),
    "duration": ("duration", "varighed"),
    "price_dkk": ("price_dkk", "pris_kr"),
    "language": ("language", "sprog"),
    "online": ("online", "onlineforløb"),
    "place": ("place", "sted"),
    "target_roles": ("target_roles", "målgrupper"),
    "start_dates": ("start_dates", "startdatoer"),
    "link": ("link", "henvisning"),
    "is_example": ("is_example", "eksempel"),
    "competencies": ("competencies", "kompetencer"),
}
REQUIRED = ("provider", "title_da", "kind", "format")

# Danish names of the choices, so Danish spreadsheets work whatever the catalogue says.
DANISH_NAMES: dict[type, dict[str, str]] = {
    ProviderKind: {
        "universitet": ProviderKind.UNIVERSITY,
        "professionshøjskole": ProviderKind.UNIVERSITY_COLLEGE,
        "biblioteksforening": ProviderKind.LIBRARY_ASSOCIATION,
        "kommune": ProviderKind.MUNICIPALITY,
        "leverandør": ProviderKind.VENDOR,
        "anden udbyder": ProviderKind.OTHER,
        "andet": ProviderKind.OTHER,
    },
    OfferKind: {
        "grunduddannelse": OfferKind.BASIC,
        "videreuddannelse": OfferKind.FURTHER,
        "efteruddannelse": OfferKind.CONTINUING,
    },
    OfferFormat: {
        "uddannelse": OfferFormat.DEGREE,
        "diplommodul": OfferFormat.DIPLOMA_MODULE,
        "mastermodul": OfferFormat.MASTER_MODULE,
        "kursus": OfferFormat.COURSE,
        "e-læring": OfferFormat.E_LEARNING,
    },
    OfferLanguage: {"dansk": OfferLanguage.DANISH, "engelsk": OfferLanguage.ENGLISH},
}
YES = {"yes", "ja", "true", "1", "x"}
NO = {"no", "nej", "false", "0", ""}

# What a file of another type should have been.
WRONG_TYPE = gettext_lazy(
    "Upload the offer catalogue as a CSV file (.csv) or an Excel file (.xlsx)."
)


class ImportRejected(orgs_importing.ImportRejected):
    """An offer catalogue that cannot be imported; nothing was written."""


@dataclass(frozen=True)
class OfferRow:
    """One data row as text, with the header names the file used (for error messages)."""

    row: int
    values: Mapping[str, str]
    headers: Mapping[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def has(self, column: str) -> bool:
        return column in self.values


@dataclass
class OfferData:
    """One offer as typed values, from a file or the shipped catalogue.

    `fields` holds the EducationOffer fields the source gives (a column the file lacks leaves an
    existing offer's value alone), `provider_fields` likewise for the provider, and
    `competencies` maps competency codes to the level reached (None: leave them alone).
    """

    row: int
    provider: str
    title_da: str
    provider_fields: dict[str, object] = field(default_factory=dict)
    fields: dict[str, object] = field(default_factory=dict)
    competencies: dict[str, int] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def error(self, column: str, reason: str) -> RowError:
        return RowError(self.row, self.headers.get(column, column), reason)


# -- reading the file ---------------------------------------------------------------------------


def check_upload(*, filename: str, size: int) -> None:
    """Refuse a file by its name and size alone, before it is read."""
    problem = spreadsheets.upload_problem(filename=filename, size=size, wrong_type=WRONG_TYPE)
    if problem:
        raise ImportRejected(file_errors=[problem])


def read_offer_rows(*, content: bytes, filename: str) -> list[OfferRow]:
    """The data rows of a catalogue, blank rows left out; ImportRejected for a bad file."""
    check_upload(filename=filename, size=len(content))
    excel = PurePath(filename).suffix.lower() == ".xlsx"
    try:
        rows = enumerate(spreadsheets.read_rows(content, excel=excel), start=1)
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
            if not any(values.values()):
                continue
            if len(result) == MAX_ROWS:
                raise ImportRejected(
                    file_errors=[
                        _("The file has more than %(max)s offers. Split it into smaller files.")
                        % {"max": MAX_ROWS}
                    ]
                )
            result.append(OfferRow(row=number, values=values, headers=headers))
    except spreadsheets.UnreadableFile as error:
        raise ImportRejected(file_errors=[str(error)]) from None
    if not result:
        raise ImportRejected(file_errors=[_("The file has a header row but no offers below it.")])
    return result


def _read_header(cells) -> tuple[dict[str, int], dict[str, str]]:
    by_alias = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    errors = []
    for index, value in enumerate(cells):
        text = spreadsheets.cell(value)
        column = by_alias.get(text.casefold())
        if column is None:
            continue  # other columns (notes, contact) are allowed and ignored
        if column in positions:
            errors.append(
                _("The column “%(column)s” appears more than once in the first row.")
                % {"column": text}
            )
            continue
        positions[column] = index
        headers[column] = text
    missing = [" / ".join(COLUMNS[c]) for c in REQUIRED if c not in positions]
    if missing:
        errors.insert(
            0,
            _("The first row must name the columns. Missing: %(columns)s.")
            % {"columns": ", ".join(missing)},
        )
    if errors:
        raise ImportRejected(file_errors=errors)
    return positions, headers


# -- checking the cells -------------------------------------------------------------------------


class CellError(Exception):
    """The reason one cell cannot be used."""


def validate_offer_rows(
    rows: list[OfferRow], *, competencies: Mapping[str, Competency], framework_name: str
) -> list[OfferData]:
    """Every row as typed values, or ImportRejected listing every cell that cannot be used.

    `competencies` maps the codes of the framework offers link to (`framework_name`) to its
    competencies.
    """
    parsers: dict[str, Callable[[str], object]] = {
        "provider_kind": lambda text: _choice(ProviderKind, text) if text else None,
        "title_en": lambda text: _text(text, 300),
        "description_da": str,
        "description_en": str,
        "kind": lambda text: _choice(OfferKind, text),
        "format": lambda text: _choice(OfferFormat, text),
        "ects": _ects,
        "hours": _whole_number,
        "duration": lambda text: _text(text, 200),
        "price_dkk": _whole_number,
        "language": lambda text: _choice(OfferLanguage, text) if text else OfferLanguage.DANISH,
        "online": _yes_no,
        "place": lambda text: _text(text, 200),
        "target_roles": _job_roles,
        "start_dates": _dates,
        "link": _link,
        "is_example": _yes_no,
    }
    errors: list[RowError] = []
    result = []
    first_row_of: dict[tuple[str, str], int] = {}
    for row in rows:
        data = OfferData(
            row=row.row, provider=row["provider"], title_da=row["title_da"], headers=row.headers
        )
        row_errors = []
        if not data.provider:
            row_errors.append(data.error("provider", _("The provider is missing.")))
        elif len(data.provider) > 200:
            row_errors.append(
                data.error(
                    "provider", _("The text is longer than %(max)s characters.") % {"max": 200}
                )
            )
        title_problem = _title_problem(data, first_row_of)
        if title_problem:
            row_errors.append(data.error("title_da", title_problem))
        for column, parse in parsers.items():
            if not row.has(column):
                continue
            try:
                value = parse(row[column])
            except CellError as error:
                row_errors.append(data.error(column, str(error)))
                continue
            if column == "provider_kind":
                if value is not None:
                    data.provider_fields["kind"] = value
            else:
                data.fields[column] = value
        if (
            row.has("place")
            and row.has("online")
            and data.fields.get("place", "?") == ""
            and data.fields.get("online") is False
        ):
            row_errors.append(
                data.error("place", _("Give the place of the offer or mark it as online."))
            )
        if row.has("competencies"):
            try:
                data.competencies = _competencies(row["competencies"], competencies, framework_name)
            except CellError as error:
                row_errors.append(data.error("competencies", str(error)))
        errors.extend(row_errors)
        result.append(data)
    if errors:
        raise ImportRejected(errors=errors)
    return result


def _title_problem(data: OfferData, first_row_of: dict[tuple[str, str], int]) -> str | None:
    if not data.title_da:
        return _("The Danish title is missing.")
    if len(data.title_da) > 300:
        return _("The text is longer than %(max)s characters.") % {"max": 300}
    key = (data.provider.casefold(), data.title_da)
    if key in first_row_of:
        return _("Row %(first)s has an offer with the same provider and title.") % {
            "first": first_row_of[key]
        }
    first_row_of[key] = data.row
    return None


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def _text(text: str, max_length: int) -> str:
    if len(text) > max_length:
        raise CellError(_("The text is longer than %(max)s characters.") % {"max": max_length})
    return text


def choice_names(choices) -> dict[str, str]:
    """Every accepted spelling of a choice: its value, its label and its Danish name."""
    names = {_normalise(c.value): c.value for c in choices}
    names.update({_normalise(str(c.label)): c.value for c in choices})
    names.update(DANISH_NAMES.get(choices, {}))
    return names


def _choice(choices, text: str) -> str:
    value = choice_names(choices).get(_normalise(text))
    if value is None:
        allowed = ", ".join(choices.values)
        if not text:
            raise CellError(
                _("The value is missing. Use one of: %(allowed)s.") % {"allowed": allowed}
            )
        raise CellError(
            _("Unknown value “%(value)s”. Use one of: %(allowed)s.")
            % {"value": text, "allowed": allowed}
        )
    return value


def _ects(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        value = None
    if (
        value is None
        or not value.is_finite()
        or not 0 <= value < 10_000
        or value != value.quantize(Decimal("0.1"))
    ):
        raise CellError(
            _("“%(value)s” is not a number of ECTS points, for example 7.5.") % {"value": text}
        )
    return value.quantize(Decimal("0.1"))


def _whole_number(text: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"\d{1,9}", text):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": text})
    return int(text)


def _yes_no(text: str) -> bool:
    value = text.casefold()
    if value in YES:
        return True
    if value in NO:
        return False
    raise CellError(_("Write “yes” or “no”, not “%(value)s”.") % {"value": text})


def _items(text: str) -> list[str]:
    return [item.strip() for item in re.split(r"[,;\n]", text) if item.strip()]


def _job_roles(text: str) -> list[str]:
    names = orgs_importing.job_role_names()
    roles = []
    for item in _items(text):
        role = names.get(_normalise(item))
        if role is None:
            raise CellError(
                _("Unknown job role “%(value)s”. Use one of: %(allowed)s.")
                % {"value": item, "allowed": orgs_importing.allowed_job_roles()}
            )
        if role.value not in roles:
            roles.append(role.value)
    return roles


def _dates(text: str) -> list[str]:
    dates = set()
    for item in _items(text):
        # An Excel date cell comes back as "2025-09-01 00:00:00".
        item = item.removesuffix(" 00:00:00")
        try:
            valid = bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", item)) and datetime.date.fromisoformat(
                item
            )
        except ValueError:
            valid = False
        if not valid:
            raise CellError(_("“%(value)s” is not a date written as YYYY-MM-DD.") % {"value": item})
        dates.add(item)
    return sorted(dates)


def _link(text: str) -> str:
    if not text:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise CellError(
            _("“%(value)s” is not a web address (https://…).") % {"value": text}
        ) from None
    if len(text) > 500:
        raise CellError(_("The text is longer than %(max)s characters.") % {"max": 500})
    return text


def _competencies(
    text: str, competencies: Mapping[str, Competency], framework_name: str
) -> dict[str, int]:
    result: dict[str, int] = {}
    for item in (part.strip() for part in re.split(r"[;\n]", text)):
        if not item:
            continue
        code, colon, level = (part.strip() for part in item.partition(":"))
        if not colon or not code:
            raise CellError(
                _("“%(value)s” is not written as code:level, for example D1.1:3.") % {"value": item}
            )
        if code not in competencies:
            raise CellError(
                _("There is no competency %(code)s in %(framework)s.")
                % {"code": code, "framework": framework_name}
            )
        if not level.isdigit() or int(level) > MAX_LEVEL_REACHED:
            raise CellError(
                _("The level of %(code)s must be a whole number from 0 to %(max)s.")
                % {"code": code, "max": MAX_LEVEL_REACHED}
            )
        if code in result:
            raise CellError(_("%(code)s is listed more than once.") % {"code": code})
        result[code] = int(level)
    return result
