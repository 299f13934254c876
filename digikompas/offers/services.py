"""Every change to the offer catalogue, called from the commands (and later the web UI and API)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from digikompas.frameworks.models import Competency, Framework, FrameworkStatus
from digikompas.frameworks.services import DEFAULT_FRAMEWORK_FILE
from digikompas.orgs.models import Person

from . import importing
from .importing import COLUMNS, ImportRejected, OfferData, RowError
from .models import EducationOffer, OfferCompetency, Provider, RejectedSuggestion

DEFAULT_OFFERS_FILE = Path(__file__).parent / "data" / "default_offers.json"

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DefaultFrameworkMissing(Exception):
    """Offers link to the published default framework, and there is none."""

    def __init__(self):
        super().__init__(
            _(
                "The default competence framework is not published, so offers cannot be linked "
                "to its competencies. Run “manage.py load_default_framework” first."
            )
        )


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def default_framework() -> Framework:
    """The latest published version of the shipped default framework; offers link to it."""
    with open(DEFAULT_FRAMEWORK_FILE, encoding="utf-8") as file:
        key = json.load(file)["key"]
    framework = (
        Framework.objects.filter(key=key, status=FrameworkStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )
    if framework is None:
        raise DefaultFrameworkMissing()
    return framework


def _competencies_by_code(framework: Framework) -> dict[str, Competency]:
    return {c.code: c for c in Competency.objects.filter(framework=framework)}


def import_offers(
    *, content: bytes, filename: str, allowed_providers: set[str] | None = None
) -> ImportResult:
    """Create or update the offers of a catalogue file (CSV or XLSX), all of them or none.

    Offers are matched by provider name (case-insensitively) and Danish title; providers by
    name. A row that changes nothing is not saved, so importing a file twice changes nothing the
    second time. Raises DefaultFrameworkMissing, or ImportRejected listing every problem.

    `allowed_providers` (lower-cased names) limits the file to the offers of those providers, for
    a provider who maintains only their own: a row naming another provider, or changing the kind
    of a provider (which is the analysts' to set), refuses the whole file. None: any provider,
    and a new name creates the provider.
    """
    rows = importing.read_offer_rows(content=content, filename=filename)
    framework = default_framework()
    scope_errors = [] if allowed_providers is None else _outside_scope(rows, allowed_providers)
    try:
        items = importing.validate_offer_rows(
            rows, competencies=_competencies_by_code(framework), framework_name=str(framework)
        )
    except ImportRejected as rejected:
        if not scope_errors:
            raise
        raise ImportRejected(
            errors=[*scope_errors, *rejected.errors], file_errors=rejected.file_errors
        ) from None
    if allowed_providers is not None:
        scope_errors.extend(_kind_changes(items))
    if scope_errors:
        raise ImportRejected(errors=scope_errors)
    return _save_catalogue(items, framework=framework)


def _outside_scope(rows: list[importing.OfferRow], allowed_providers: set[str]) -> list[RowError]:
    allowed = {name.casefold() for name in allowed_providers}
    return [
        RowError(
            row.row,
            row.headers.get("provider", "provider"),
            _("You do not maintain the provider “%(provider)s”.") % {"provider": row["provider"]},
        )
        for row in rows
        # A row without a provider is reported by validate_offer_rows.
        if row["provider"] and row["provider"].casefold() not in allowed
    ]


def _kind_changes(items: list[OfferData]) -> list[RowError]:
    kinds = {p.name.casefold(): p.kind for p in Provider.objects.all()}
    return [
        item.error("provider_kind", _("Only analysts can change the kind of a provider."))
        for item in items
        if item.provider_fields.get("kind", kinds.get(item.provider.casefold()))
        != kinds.get(item.provider.casefold())
    ]


def load_default_offers() -> ImportResult:
    """Store the shipped catalogue of offers; running it again changes nothing."""
    with open(DEFAULT_OFFERS_FILE, encoding="utf-8") as file:
        data = json.load(file)
    providers = {p["name"]: p for p in data["providers"]}
    items = []
    for number, offer in enumerate(data["offers"], start=1):
        offer = dict(offer)
        provider = providers[offer.pop("provider")]
        competencies = offer.pop("competencies")
        if offer.get("ects") is not None:
            offer["ects"] = Decimal(str(offer["ects"]))
        items.append(
            OfferData(
                row=number,
                provider=provider["name"],
                title_da=offer.pop("title_da"),
                provider_fields={k: v for k, v in provider.items() if k != "name"},
                fields=offer,
                competencies=competencies,
            )
        )
    framework = default_framework()
    return _save_catalogue(items, framework=framework)


def _save_catalogue(items: list[OfferData], *, framework: Framework) -> ImportResult:
    by_code = _competencies_by_code(framework)
    unknown = sorted({c for item in items for c in item.competencies or {} if c not in by_code})
    if unknown:
        raise ImportRejected(
            file_errors=[
                _("There is no competency %(code)s in %(framework)s.")
                % {"code": code, "framework": framework}
                for code in unknown
            ]
        )
    try:
        with transaction.atomic():
            return _write(items, by_code)
    except IntegrityError:
        # Someone else added one of these providers or offers after we looked them up.
        raise ImportRejected(
            file_errors=[
                _(
                    "Someone changed these offers while the file was being imported. "
                    "Nothing was imported; please import the file again."
                )
            ]
        ) from None


def _write(items: list[OfferData], by_code: dict[str, Competency]) -> ImportResult:
    providers = {p.name.casefold(): p for p in Provider.objects.select_for_update()}
    offers = {
        (o.provider.name.casefold(), o.title_da): o
        for o in EducationOffer.objects.select_for_update().select_related("provider")
    }
    links: dict[int, dict[int, int]] = {}
    for link in OfferCompetency.objects.filter(offer__in=[o.pk for o in offers.values()]):
        links.setdefault(link.offer_id, {})[link.competency_id] = link.level_reached
    created = updated = unchanged = 0
    errors: list[RowError] = []
    for item in items:
        provider = providers.get(item.provider.casefold())
        changed = False
        if provider is None:
            provider = Provider(name=item.provider)
            changed = True
        changed |= _assign(provider, item.provider_fields)
        if changed:
            if not _valid(provider, item, errors, column="provider"):
                continue
            provider.save()
            providers[provider.name.casefold()] = provider
        offer = offers.get((provider.name.casefold(), item.title_da))
        is_new = offer is None
        if is_new:
            offer = EducationOffer(provider=provider, title_da=item.title_da)
        before = _snapshot(offer)
        _assign(offer, item.fields)
        if not _valid(offer, item, errors):
            continue
        offer_changed = is_new or _snapshot(offer) != before
        if offer_changed:
            offer.save()
        wanted = (
            None
            if item.competencies is None
            else {by_code[code].pk: level for code, level in item.competencies.items()}
        )
        if wanted is not None and wanted != links.get(offer.pk, {}):
            offer.competencies.all().delete()
            OfferCompetency.objects.bulk_create(
                OfferCompetency(offer=offer, competency_id=pk, level_reached=level)
                for pk, level in wanted.items()
            )
            offer_changed = True
        if is_new:
            created += 1
        elif offer_changed or changed:
            updated += 1
        else:
            unchanged += 1
    if errors:
        raise ImportRejected(errors=errors)
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def _assign(instance, values: dict[str, object]) -> bool:
    """Set the given fields; whether any of them changed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _snapshot(offer: EducationOffer) -> tuple:
    return tuple(
        getattr(offer, f.attname) for f in EducationOffer._meta.concrete_fields if not f.primary_key
    )


def _valid(instance, item: OfferData, errors: list[RowError], column: str | None = None) -> bool:
    """Model validation as the last word (the rows were checked cell by cell already, but the
    shipped catalogue and the columns a file leaves out are not)."""
    try:
        instance.full_clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            field = column or (name if name in COLUMNS else "title_da")
            errors.extend(item.error(field, message) for message in messages)
        return False
    return True


# -- export -------------------------------------------------------------------------------------


def export_offers(
    *, file_format: str, offers: Iterable[EducationOffer] | None = None
) -> tuple[bytes, str, str]:
    """The offers (all of them by default) as a catalogue file that imports back to the same
    offers: its bytes, file name and content type. `file_format` is "csv" or "xlsx"; `offers`
    a queryset (e.g. a provider's own offers, read in one subquery) or any iterable of offers.
    """
    if offers is None:
        chosen = EducationOffer.objects.all()
    elif isinstance(offers, QuerySet):
        chosen = EducationOffer.objects.filter(pk__in=offers.values("pk"))
    else:
        chosen = EducationOffer.objects.filter(pk__in=[o.pk for o in offers])
    offers = (
        chosen.select_related("provider")
        .prefetch_related("competencies__competency")
        .order_by("provider__name", "title_da")
    )
    rows = [list(COLUMNS)] + [_export_row(offer) for offer in offers]
    if file_format == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue(), "offers.xlsx", XLSX_TYPE
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    # The byte order mark makes Excel read the file as UTF-8 (æ, ø, å).
    return text.getvalue().encode("utf-8-sig"), "offers.csv", "text/csv; charset=utf-8"


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _export_row(offer: EducationOffer) -> list[str]:
    links = sorted(offer.competencies.all(), key=lambda link: link.competency.code)
    values = {
        "provider": offer.provider.name,
        "provider_kind": offer.provider.kind,
        "ects": "" if offer.ects is None else f"{offer.ects.normalize():f}",
        "hours": "" if offer.hours is None else str(offer.hours),
        "price_dkk": "" if offer.price_dkk is None else str(offer.price_dkk),
        "online": _yes_no(offer.online),
        "is_example": _yes_no(offer.is_example),
        "target_roles": ", ".join(offer.target_roles),
        "start_dates": ", ".join(offer.start_dates),
        "competencies": "; ".join(f"{link.competency.code}:{link.level_reached}" for link in links),
    }
    return [values[column] if column in values else getattr(offer, column) for column in COLUMNS]


# -- the competencies of one offer, from its page -------------------------------------------------


def cover_competency(
    *, offer: EducationOffer, competency: Competency, level: int
) -> OfferCompetency:
    """The offer covers the competency at the level; again, or at another level, is no second
    link (the unique constraint is the lock when two requests race)."""
    try:
        with transaction.atomic():
            link, _created = OfferCompetency.objects.update_or_create(
                offer=offer, competency=competency, defaults={"level_reached": level}
            )
    except IntegrityError:
        # Another request created the link between our look-up and insert: set its level.
        link = OfferCompetency.objects.get(offer=offer, competency=competency)
        link.level_reached = level
        link.save(update_fields=["level_reached"])
    return link


def reject_suggestion(
    *, offer: EducationOffer, competency: Competency, person: Person | None
) -> None:
    """The competency is not suggested for the offer again; rejecting twice is one rejection."""
    try:
        with transaction.atomic():
            RejectedSuggestion.objects.get_or_create(
                offer=offer, competency=competency, defaults={"rejected_by": person}
            )
    except IntegrityError:
        pass  # rejected by a request at the same moment: what we wanted
