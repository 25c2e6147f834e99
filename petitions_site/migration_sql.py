"""Raw SQL in migrations, written for each database: triggers and indexes that PostgreSQL
and SQLite spell differently (or that only one of them has)."""


def by_vendor(statements: dict[str, list[str]]):
    """A RunPython function that runs the statements written for the database migrated
    ("postgresql", "sqlite"), and nothing on another."""

    def apply(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply
