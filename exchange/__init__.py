"""The public petitions site's JSON, in and out: the archive's exchange format.

- ``format``: the format, described once (document types, attributes and their types,
  timestamps, breakdowns, the response, debate and rejection blocks);
- ``read``: files, directories, gzip and standard input, as streams of JSON values that
  know where they are (for error messages);
- ``parse``: documents into ``records.PetitionRecord`` objects, validated, with JSON paths;
- ``write``: records into the database (plan, batch, COPY), from any reader;
- ``render``: the archive's petitions back into documents, for the API and exports;
- ``importer``: read, parse and write put together, for ``import_petitions``;
- ``history``: the archive's own document of a petition's signatures over time;
- ``harvest``: the polite, resumable reader of the public site, for ``harvest`` (what it
  keeps between runs is in ``models``).
"""
