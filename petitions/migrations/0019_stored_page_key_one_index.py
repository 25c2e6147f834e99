"""PostgreSQL: a stored page's key has one index, its primary key's.

Django gives a `varchar` primary key a second index, for `LIKE 'abc%'` lookups
(`varchar_pattern_ops`). A stored page is only ever looked up by its whole key, which the
primary key's index does; the second index (47 MB for the 386,478 pages of the benchmark
archive) took as much of PostgreSQL's memory as the first, and every page stored wrote
both. The name is the one Django gave it (0012_stored_pages), from the table and column.
On SQLite there is no such index: this migration does nothing there.
"""

from django.db import migrations

from petitions_site.migration_sql import by_vendor

LIKE_INDEX = "petitions_storedpage_key_b9b9720f_like"

FORWARDS = f"DROP INDEX IF EXISTS {LIKE_INDEX}"
BACKWARDS = (
    f"CREATE INDEX IF NOT EXISTS {LIKE_INDEX} ON petitions_storedpage (key varchar_pattern_ops)"
)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0018_constituency_index_holds_mp")]

    operations = [
        migrations.RunPython(
            by_vendor({"postgresql": [FORWARDS]}), by_vendor({"postgresql": [BACKWARDS]})
        )
    ]
