"""The shipped catalogue of digital resources (data/resources.json): the services Danish public
libraries commonly offer, stored once and kept in step with the file when it is loaded again."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import DigitalResource

DEFAULT_RESOURCES_FILE = Path(__file__).resolve().parent / "data" / "resources.json"
FIELDS = (
    "vendor",
    "type",
    "target_groups",
    "counter_platform",
    "website",
    "description_da",
    "description_en",
    "is_example",
)


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def default_resources() -> list[dict]:
    with open(DEFAULT_RESOURCES_FILE, encoding="utf-8") as file:
        return json.load(file)["resources"]


def load_default_resources() -> LoadResult:
    """Store the shipped resources, found by name whatever its case; running it again changes
    nothing. A resource an analyst has edited gets the shipped facts back, but its accessibility
    (which the file does not know) is kept."""
    created = updated = unchanged = 0
    with transaction.atomic():
        for data in default_resources():
            resource = DigitalResource.objects.filter(name__iexact=data["name"]).first()
            if resource is None:
                resource = DigitalResource(name=data["name"])
                created += 1
            elif resource.name == data["name"] and all(
                getattr(resource, field) == data.get(field, "") for field in FIELDS
            ):
                unchanged += 1
                continue
            else:
                updated += 1
            resource.name = data["name"]
            for field in FIELDS:
                setattr(resource, field, data.get(field, ""))
            resource.full_clean()
            resource.save()
    return LoadResult(created=created, updated=updated, unchanged=unchanged)
