"""SQLite full-text search (FTS5), kept in step with the data as PostgreSQL's vectors are.

One FTS5 table, `petition_search`, holds each petition's texts under its id (its rowid):
the action, the background, the additional details, and its government response's summary
and text in full; the Porter stemmer matches other forms of a word, as PostgreSQL's
English configuration does. Triggers on petitions and responses keep it current, whatever
writes them (the admin, an import, loaddata). On PostgreSQL this migration does nothing.
"""

from django.db import migrations

from petitions_site.migration_sql import by_vendor

COLUMNS = "action, background, additional_details, response_summary, response_details"
ROW = """
  SELECT p.id, p.action, p.background, p.additional_details, r.summary, r.details
  FROM petitions_petition p
  LEFT JOIN responses_governmentresponse r ON r.petition_id = p.id
  WHERE p.id = {id}
"""

FORWARDS = [
    f"""CREATE VIRTUAL TABLE petition_search USING fts5(
        {COLUMNS}, tokenize = 'porter unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER petition_search_insert AFTER INSERT ON petitions_petition BEGIN
        INSERT INTO petition_search (rowid, {COLUMNS}) {ROW.format(id="NEW.id")};
    END""",
    f"""CREATE TRIGGER petition_search_update
        AFTER UPDATE OF id, action, background, additional_details ON petitions_petition BEGIN
        DELETE FROM petition_search WHERE rowid = OLD.id;
        INSERT INTO petition_search (rowid, {COLUMNS}) {ROW.format(id="NEW.id")};
    END""",
    """CREATE TRIGGER petition_search_delete AFTER DELETE ON petitions_petition BEGIN
        DELETE FROM petition_search WHERE rowid = OLD.id;
    END""",
    f"""CREATE TRIGGER petition_search_response_insert
        AFTER INSERT ON responses_governmentresponse BEGIN
        DELETE FROM petition_search WHERE rowid = NEW.petition_id;
        INSERT INTO petition_search (rowid, {COLUMNS}) {ROW.format(id="NEW.petition_id")};
    END""",
    f"""CREATE TRIGGER petition_search_response_update
        AFTER UPDATE OF petition_id, summary, details ON responses_governmentresponse BEGIN
        DELETE FROM petition_search WHERE rowid IN (OLD.petition_id, NEW.petition_id);
        INSERT INTO petition_search (rowid, {COLUMNS}) {ROW.format(id="OLD.petition_id")};
        INSERT INTO petition_search (rowid, {COLUMNS}) {ROW.format(id="NEW.petition_id")}
            AND NEW.petition_id <> OLD.petition_id;
    END""",
    f"""CREATE TRIGGER petition_search_response_delete
        AFTER DELETE ON responses_governmentresponse BEGIN
        DELETE FROM petition_search WHERE rowid = OLD.petition_id;
        INSERT INTO petition_search (rowid, {COLUMNS}) {ROW.format(id="OLD.petition_id")};
    END""",
    f"INSERT INTO petition_search (rowid, {COLUMNS}) {ROW.format(id='p.id')}",
]

BACKWARDS = [
    "DROP TRIGGER IF EXISTS petition_search_response_delete",
    "DROP TRIGGER IF EXISTS petition_search_response_update",
    "DROP TRIGGER IF EXISTS petition_search_response_insert",
    "DROP TRIGGER IF EXISTS petition_search_delete",
    "DROP TRIGGER IF EXISTS petition_search_update",
    "DROP TRIGGER IF EXISTS petition_search_insert",
    "DROP TABLE IF EXISTS petition_search",
]


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0005_web_addresses_only"),
        ("petitions", "0011_parliament_archive_numbers"),
    ]

    operations = [migrations.RunPython(by_vendor({"sqlite": FORWARDS}), by_vendor({"sqlite": BACKWARDS}))]
