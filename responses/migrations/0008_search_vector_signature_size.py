"""PostgreSQL: a petition's search vector also says how many digits its signature count has.

A search ranks the matches with most signatures (petitions.search.CANDIDATES). For a common
word PostgreSQL walked the petitions from the most signed down, reading each one's vector
until a thousand matched: thousands of rows, 20 to 60 ms when they were not in memory. With
the count's size in the vector as a lexeme of its own ('#1' for 0 to 9 signatures, '#2' for
10 to 99, and so on), the index finds the matches among the most signed petitions alone, a
size at a time, largest first (`_most_signed_by_size` in petitions/search.py).

The lexeme begins with '#', which the text search parser never keeps, so no search typed
into the box can match it. A change of signature count that keeps its number of digits
leaves the vector as it is; one that changes it swaps the lexeme, without parsing the texts
again. On SQLite this migration does nothing: its full-text table ranks every match.
"""

from django.db import migrations

from petitions_site.migration_sql import by_vendor

# The vector of a petition's texts, as 0004_search_triggers made it: the action (A), the
# background and the response's summary (B), the additional details (C), the response (D).
TEXTS = """
    setweight(to_tsvector('english', coalesce(NEW.action, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(NEW.background, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(NEW.additional_details, '')), 'C') ||
    coalesce((
      SELECT setweight(to_tsvector('english', coalesce(r.summary, '')), 'B') ||
             setweight(to_tsvector('english', coalesce(r.details, '')), 'D')
      FROM responses_governmentresponse r WHERE r.petition_id = NEW.id
    ), ''::tsvector)"""


def search_trigger(body: str, columns: str) -> str:
    """The petitions' search trigger: its function `body`, run before an insert and before
    an update of `columns`."""
    return f"""
CREATE OR REPLACE FUNCTION petitions_petition_search() RETURNS trigger AS $$
BEGIN
{body}
END $$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS petitions_petition_search ON petitions_petition;
CREATE TRIGGER petitions_petition_search
  BEFORE INSERT OR UPDATE OF {columns} ON petitions_petition
  FOR EACH ROW EXECUTE FUNCTION petitions_petition_search();

UPDATE petitions_petition SET search_vector = NULL;
"""


SIZE = """
CREATE OR REPLACE FUNCTION petitions_signature_size(count integer) RETURNS tsvector AS $$
  SELECT array_to_tsvector(ARRAY['#' || length(greatest(count, 0)::text)])
$$ LANGUAGE sql IMMUTABLE;
"""

FORWARDS = SIZE + search_trigger(
    f"""
  IF TG_OP = 'UPDATE'
     AND NEW.search_vector IS NOT DISTINCT FROM OLD.search_vector
     AND NEW.action IS NOT DISTINCT FROM OLD.action
     AND NEW.background IS NOT DISTINCT FROM OLD.background
     AND NEW.additional_details IS NOT DISTINCT FROM OLD.additional_details
     AND NEW.search_vector IS NOT NULL THEN
    -- Only the signature count changed.
    IF length(greatest(NEW.signature_count, 0)::text)
       <> length(greatest(OLD.signature_count, 0)::text) THEN
      NEW.search_vector := ts_delete(
        NEW.search_vector, ARRAY['#1', '#2', '#3', '#4', '#5', '#6', '#7', '#8', '#9', '#10']
      ) || petitions_signature_size(NEW.signature_count);
    END IF;
    RETURN NEW;
  END IF;
  NEW.search_vector := {TEXTS} || petitions_signature_size(NEW.signature_count);
  RETURN NEW;""",
    "action, background, additional_details, search_vector, signature_count",
)

BACKWARDS = (
    search_trigger(
        f"  NEW.search_vector := {TEXTS};\n  RETURN NEW;",
        "action, background, additional_details, search_vector",
    )
    + "DROP FUNCTION IF EXISTS petitions_signature_size(integer);"
)


class Migration(migrations.Migration):
    dependencies = [("responses", "0007_search_index_of_public_petitions")]

    operations = [
        migrations.RunPython(
            by_vendor({"postgresql": [FORWARDS]}), by_vendor({"postgresql": [BACKWARDS]})
        )
    ]
