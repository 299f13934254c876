"""The shipped reference data: the 5 regions and 98 municipalities (see data/SOURCES.md)."""

import csv
from pathlib import Path

MUNICIPALITIES_CSV = Path(__file__).resolve().parent / "data" / "municipalities.csv"


def read_municipalities() -> list[dict]:
    with MUNICIPALITIES_CSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_reference_data(region_model, municipality_model) -> None:
    """Create or update regions and municipalities; takes models so migrations can call it."""
    regions = {}
    for row in read_municipalities():
        code = int(row["region_code"])
        if code not in regions:
            regions[code], _ = region_model.objects.update_or_create(
                code=code, defaults={"name": row["region"]}
            )
        municipality_model.objects.update_or_create(
            code=int(row["code"]),
            defaults={
                "name": row["name"],
                "region": regions[code],
                "population": int(row["population"]),
            },
        )
