"""PostgreSQL full-text search: weighted vectors kept up to date by triggers, GIN indexes.

A petition's vector: action (A), background and the response's summary (B), additional
details (C) and the response in full (D). A response's own vector (for "search responses
only"): summary (A) and details (B). A change to a response re-computes its petition's
vector. On SQLite this migration does nothing: search there is a simpler match.
"""

from django.db import migrations

from petitions_site.migration_sql import by_vendor

FORWARDS = r"""
CREATE OR REPLACE FUNCTION responses_governmentresponse_search() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('english', coalesce(NEW.summary, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(NEW.details, '')), 'B');
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER responses_governmentresponse_search
  BEFORE INSERT OR UPDATE OF summary, details ON responses_governmentresponse
  FOR EACH ROW EXECUTE FUNCTION responses_governmentresponse_search();

CREATE OR REPLACE FUNCTION petitions_petition_search() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('english', coalesce(NEW.action, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(NEW.background, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(NEW.additional_details, '')), 'C') ||
    coalesce((
      SELECT setweight(to_tsvector('english', coalesce(r.summary, '')), 'B') ||
             setweight(to_tsvector('english', coalesce(r.details, '')), 'D')
      FROM responses_governmentresponse r WHERE r.petition_id = NEW.id
    ), ''::tsvector);
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER petitions_petition_search
  BEFORE INSERT OR UPDATE OF action, background, additional_details, search_vector
  ON petitions_petition
  FOR EACH ROW EXECUTE FUNCTION petitions_petition_search();

CREATE OR REPLACE FUNCTION responses_governmentresponse_touch_petition() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE petitions_petition SET search_vector = NULL WHERE id = OLD.petition_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE petitions_petition SET search_vector = NULL WHERE id = NEW.petition_id;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER responses_governmentresponse_touch_petition
  AFTER INSERT OR DELETE OR UPDATE OF summary, details, petition_id
  ON responses_governmentresponse
  FOR EACH ROW EXECUTE FUNCTION responses_governmentresponse_touch_petition();

UPDATE responses_governmentresponse SET summary = summary;
UPDATE petitions_petition SET search_vector = NULL;

CREATE INDEX petition_search_idx ON petitions_petition USING gin (search_vector);
CREATE INDEX response_search_idx ON responses_governmentresponse USING gin (search_vector);
"""

BACKWARDS = r"""
DROP INDEX IF EXISTS response_search_idx;
DROP INDEX IF EXISTS petition_search_idx;
DROP TRIGGER IF EXISTS responses_governmentresponse_touch_petition ON responses_governmentresponse;
DROP FUNCTION IF EXISTS responses_governmentresponse_touch_petition();
DROP TRIGGER IF EXISTS petitions_petition_search ON petitions_petition;
DROP FUNCTION IF EXISTS petitions_petition_search();
DROP TRIGGER IF EXISTS responses_governmentresponse_search ON responses_governmentresponse;
DROP FUNCTION IF EXISTS responses_governmentresponse_search();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0003_search_vector"),
        ("petitions", "0003_search"),
    ]

    operations = [migrations.RunPython(
            by_vendor({"postgresql": [FORWARDS]}), by_vendor({"postgresql": [BACKWARDS]})
        )]
