"""Rebuild fixtures/sample_petition.json from the public site's JSON of petition 221342.

Usage: .venv/bin/python -m scripts.build_sample_fixture [PATH-TO-221342.json]

The record is imported with the archive's own importer into a throwaway SQLite database,
then the department named on the archived page (the Foreign and Commonwealth Office,
which the JSON of 2018 does not carry) is added, and the rows are written with natural
keys so that `loaddata sample_petition` can be run any number of times.
"""

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "petitions" / "221342.json"
FCO = {
    "acronym": "FCO",
    "name": "Foreign and Commonwealth Office",
    "url": "https://www.gov.uk/government/organisations/foreign-commonwealth-office",
}


def main(source: Path) -> None:
    database = Path(tempfile.mkdtemp()) / "fixture.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petitions_site.settings")

    import django

    django.setup()
    from django.core import serializers
    from django.core.management import call_command

    from exchange.parse import parse_document
    from exchange.write import save_record
    from petitions.models import Department

    call_command("migrate", verbosity=0)
    (record,) = parse_document(json.loads(source.read_text()))
    record.departments = record.departments or [FCO]
    petition = save_record(record)
    department = Department.objects.get(name=FCO["name"])
    # The sample stands for the archived page (with its department, which the JSON lacks),
    # so it is served in the public site's form of today, not in the form of 2018's file.
    petition.extra = {}

    # Its parliament is one of those the migrations make: named (by its period), not copied.
    objects = [
        department,
        petition,
        *petition.constituency_signatures.order_by("ons_code"),
        *petition.country_signatures.order_by("name"),
        *petition.region_signatures.order_by("ons_code"),
        petition.government_response,
    ]
    # Search vectors are the database's business (its triggers fill them on loading).
    fields = {
        field.name
        for obj in objects
        for field in [*obj._meta.concrete_fields, *obj._meta.many_to_many]
        if field.name != "search_vector"
    }
    text = serializers.serialize(
        "json",
        objects,
        indent=1,
        fields=sorted(fields),
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
    )
    target = ROOT / "fixtures" / "sample_petition.json"
    target.write_text(text + "\n")
    print(f"wrote {len(objects)} objects to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE)
