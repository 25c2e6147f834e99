"""The committed facts file, constituencies/data/constituencies.json, and its loader.

The file is written by scripts/derive_constituencies.py; migrations load it with
`load_facts`, which takes the model class so that a migration can pass its historical
model. Run again after the file changes (from a new data migration), it updates rows in
place and removes constituencies no longer in the file.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.db import models

FACTS_FILE = Path(__file__).resolve().parent / "data" / "constituencies.json"


@cache
def read_facts() -> dict:
    return json.loads(FACTS_FILE.read_text(encoding="utf-8"))


def rows(document: dict) -> list[dict]:
    """Model field values for every constituency of every boundary set."""
    return [
        {
            "boundary_set": boundary_set,
            "ons_code": record["ons_code"],
            "name": record["name"],
            "nation": record["nation"],
            "region_code": record["region_code"],
            "region_name": record["region_name"],
            "electorate": record["electorate"],
            "centre_x": record["centre"][0],
            "centre_y": record["centre"][1],
            "hex_q": record["hex"][0],
            "hex_r": record["hex"][1],
        }
        for boundary_set, records in document["boundary_sets"].items()
        for record in records
    ]


def load_facts(model) -> int:
    """Create or update every constituency of the facts file; return how many there are."""
    values = rows(read_facts())
    if not model.objects.exists():
        model.objects.bulk_create([model(**row) for row in values])
        return len(values)
    wanted = {(row["boundary_set"], row["ons_code"]): row for row in values}
    # Hex cells are unique within a set: park the old ones out of the way first.
    model.objects.update(hex_q=models.F("hex_q") + 10_000)
    existing = {}
    for constituency in model.objects.all():
        key = (constituency.boundary_set, constituency.ons_code)
        if key in wanted:
            existing[key] = constituency
        else:
            constituency.delete()
    for key, row in wanted.items():
        constituency = existing.get(key) or model(**row)
        for field, value in row.items():
            setattr(constituency, field, value)
        constituency.save()
    return len(values)
