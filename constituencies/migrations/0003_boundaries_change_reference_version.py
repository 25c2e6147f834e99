"""Importing boundaries raises the archive's `reference_version`, as a changed parliament or
department does: map pages draw the boundaries, and every petition page's version carries
the reference version already, so a map page needs no query of its own to follow them."""

from django.db import migrations

from petitions_site.migration_sql import by_vendor

TABLE = "constituencies_constituencyboundary"
BUMP = "UPDATE petitions_archivestate SET reference_version = reference_version + 1 WHERE id = 1"
STATEMENTS = {
    "postgresql": [
        # petitions_reference_changed() is petitions' (migration 0012).
        f"CREATE TRIGGER {TABLE}_reference_changed AFTER INSERT OR UPDATE OR DELETE OR "
        f"TRUNCATE ON {TABLE} FOR EACH STATEMENT EXECUTE FUNCTION petitions_reference_changed()"
    ],
    "sqlite": [
        f"CREATE TRIGGER {TABLE}_reference_{event.lower()} AFTER {event} ON {TABLE} "
        f"BEGIN {BUMP}; END"
        for event in ("INSERT", "UPDATE", "DELETE")
    ],
}
BACKWARDS = {
    "postgresql": [f"DROP TRIGGER IF EXISTS {TABLE}_reference_changed ON {TABLE}"],
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {TABLE}_reference_{event.lower()}"
        for event in ("INSERT", "UPDATE", "DELETE")
    ],
}


class Migration(migrations.Migration):
    dependencies = [
        ("constituencies", "0002_load_facts"),
        ("petitions", "0012_stored_pages"),
    ]

    operations = [migrations.RunPython(by_vendor(STATEMENTS), by_vendor(BACKWARDS))]
