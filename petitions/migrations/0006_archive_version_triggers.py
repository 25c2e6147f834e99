"""Triggers that raise ArchiveState.version whenever the archive changes.

Whatever writes — the admin, the importer, loaddata, a psql session — the lists' ETags and
cached pages follow at once. PostgreSQL fires once per statement; SQLite once per row.
Breakdown rows are not watched: they only change together with their petition.
"""

from django.db import migrations

from petitions_site.migration_sql import by_vendor

TABLES = [
    "petitions_petition",
    "petitions_parliament",
    "petitions_department",
    "responses_governmentresponse",
    "responses_debateoutcome",
]
BUMP = (
    "INSERT INTO petitions_archivestate (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = petitions_archivestate.version + 1"
)

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION petitions_archive_changed() RETURNS trigger AS $$
    BEGIN {BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql""",
    *(
        f"CREATE TRIGGER {table}_archive_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION petitions_archive_changed()"
        for table in TABLES
    ),
]
POSTGRESQL_BACKWARDS = [
    *(f"DROP TRIGGER IF EXISTS {table}_archive_changed ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS petitions_archive_changed()",
]
SQLITE = [
    f"CREATE TRIGGER {table}_archive_{event.lower()} AFTER {event} ON {table} BEGIN {BUMP}; END"
    for table in TABLES
    for event in ("INSERT", "UPDATE", "DELETE")
]
SQLITE_BACKWARDS = [
    f"DROP TRIGGER IF EXISTS {table}_archive_{event.lower()}"
    for table in TABLES
    for event in ("INSERT", "UPDATE", "DELETE")
]


def first_row(apps, schema_editor):
    apps.get_model("petitions", "ArchiveState").objects.get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0005_archive_state"),
        ("responses", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(first_row, migrations.RunPython.noop),
        migrations.RunPython(
            by_vendor({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            by_vendor({"postgresql": POSTGRESQL_BACKWARDS, "sqlite": SQLITE_BACKWARDS}),
        ),
    ]
