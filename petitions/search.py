"""Finding petitions by their words.

The same search on both databases: the words of the action weigh most, then those of the
background and the response's summary, then the additional details and the response in
full; the petitions site's syntax ("quoted phrases", -word, or); other forms of a word
match (English stemming); results are ranked and give a highlighted snippet.

On PostgreSQL: weighted vectors that triggers keep up to date, with GIN indexes. On SQLite:
an FTS5 table that triggers keep up to date (responses/migrations/0006_sqlite_full_text.py),
ranked by BM25 with the same weights.

Snippets mark matched words with MARK_START/MARK_END; the `highlighted` template filter
escapes the text and turns the marks into <mark> elements.
"""

from __future__ import annotations

import re
from functools import partial
from typing import NamedTuple

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchQueryCombinable,
    SearchQueryField,
    SearchRank,
)
from django.db import connections
from django.db.models import BooleanField, ExpressionWrapper, F, Func, Value
from django.db.models.expressions import RawSQL

CONFIG = "english"
MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_WORDS = 30
TEXT_FIELDS = ["action", "background", "additional_details"]
RESPONSE_FIELDS = ["government_response__summary", "government_response__details"]


def is_postgresql(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def search(
    queryset, text: str, responses_only: bool = False, memo: dict | None = None, ranked=True
):
    """`queryset` narrowed to petitions matching `text`, annotated with `rank` (higher is
    better) and `snippet`; not annotated when not `ranked` (to count them: the ORM takes
    time to see that a count needs neither). `memo` (a dict kept for one request) lets the
    list and its facet counts share the search's candidates, found once."""
    text = text.strip()
    if not text:
        return queryset
    if is_postgresql(queryset):
        return _full_text(queryset, text, responses_only, memo, ranked)
    return _fts5(queryset, text, responses_only, ranked)


# A common word matches tens of thousands of petitions: scoring every match would cost more
# than the whole page. A search ranks, by relevance, the CANDIDATES with most signatures.
CANDIDATES = 1_000

# The sizes of signature count, by number of digits, that a search looks through in turn,
# largest first, until it has its candidates: each petition's vector holds the size of its
# count as a lexeme ('#4' for 1,000 to 9,999; responses/migrations/0008). The first group,
# a thousand signatures or more, is the most signed few per cent of petitions: a common
# word's candidates are all there.
SIGNATURE_SIZES = ["'#10' | '#9' | '#8' | '#7' | '#6' | '#5' | '#4'", "'#3'", "'#2'", "'#1'"]


class Lexemes(SearchQueryCombinable, Func):
    """A tsquery written out (`'#4' | '#5'`), not parsed by a text search configuration."""

    template = "%(expressions)s::tsquery"
    output_field = SearchQueryField()
    config = None


def _full_text(queryset, text, responses_only, memo, ranked):
    compiled = _compile(queryset, responses_only)
    found = queryset.filter(id__in=_array(_found(compiled, text, memo)))
    if not ranked:
        return found
    vector = "government_response__search_vector" if responses_only else "search_vector"
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    return with_snippets(found.annotate(rank=SearchRank(F(vector), query)), text, responses_only)


def with_snippets(queryset, text: str, responses_only: bool = False):
    """`queryset` with each petition's `snippet` of `text` (PostgreSQL): cut from its
    background, or from the government response's full text when only responses were
    searched."""
    return queryset.annotate(
        snippet=SearchHeadline(
            "government_response__details" if responses_only else "background",
            SearchQuery(text, search_type="websearch", config=CONFIG),
            config=CONFIG,
            start_sel=MARK_START,
            stop_sel=MARK_END,
            max_words=SNIPPET_WORDS,
            min_words=SNIPPET_WORDS // 2,
            short_word=3,
            max_fragments=1,
        )
    )


class Compiled(NamedTuple):
    """The query that finds a search's best candidates (id, signature count, *columns),
    compiled for any text: TEXT stands for it among the parameters."""

    sql: str
    params: tuple
    db: str
    sizes_at: int | None  # where the size of signature count goes, if looked for by size
    columns: tuple[str, ...]


TEXT = "\x00"  # no search holds it: a NUL is refused at the edge (PetitionFilter)


def compile_matches(queryset, facets: dict, responses_only: bool = False) -> Compiled:
    """The query of `best_matches`: the best candidates of `queryset` for a text, with their
    ranks and whether each is in each of `facets` (name -> condition). The text is only a
    parameter, so a list keeps the query for every search under the same filters."""
    vector = "government_response__search_vector" if responses_only else "search_vector"
    query = SearchQuery(TEXT, search_type="websearch", config=CONFIG)
    columns = {
        "rank": SearchRank(F(vector), query),
        **{
            name: ExpressionWrapper(condition, BooleanField()) for name, condition in facets.items()
        },
    }
    return _compile(queryset, responses_only, columns)


def best_matches(compiled: Compiled, text: str, memo: dict | None = None) -> dict[str, list]:
    """PostgreSQL: the numbers of the CANDIDATES matching `text` with most signatures, best
    ranked first: all of them ("all"), and those of each facet of `compile_matches`. Their
    ranks and facets are read in the same passes that find them: a list of search results
    and its facet counts need no other read of the candidates."""
    facets = compiled.columns[1:]  # after the rank
    found = {name: [] for name in ["all", *facets]}
    text = text.strip()
    if not text:
        return found
    rows = _found(compiled, text, memo)
    rows.sort(key=lambda row: (-row[2], -row[1], -row[0]))  # rank, signatures, newest
    for number, _, _, *flags in rows:
        found["all"].append(number)
        for name, is_in in zip(facets, flags, strict=True):
            if is_in:
                found[name].append(number)
    return found


def _compile(queryset, responses_only: bool, columns: dict | None = None) -> Compiled:
    """The query that finds the best candidates of `queryset` for a text, with `columns`
    (name -> expression): the CANDIDATES with most signatures, looked for a size of
    signature count at a time (_look_by_size) unless only responses are searched."""
    query = SearchQuery(TEXT, search_type="websearch", config=CONFIG)
    columns = columns or {}
    if responses_only:  # a response's vector holds no signature sizes: the plain way
        matching = queryset.filter(government_response__search_vector=query)
        matching = matching.order_by("-signature_count", "-id")
        sizes = None
    else:
        sizes = Value(SIGNATURE_SIZES[0])
        # Both conditions, in one scan of the index: a search of only stop words ("the")
        # is an empty query, which matches nothing, but joined to the sizes it would match
        # them all.
        matching = queryset.filter(search_vector=query).filter(search_vector=query & Lexemes(sizes))
        matching = matching.order_by()
    matching = matching.annotate(**columns).values_list("id", "signature_count", *columns)
    if responses_only:
        matching = matching[:CANDIDATES]
    sql, params = matching.query.sql_with_params()
    sizes_at = None if sizes is None else params.index(sizes.value)
    return Compiled(sql, tuple(params), matching.db, sizes_at, tuple(columns))


def _found(compiled: Compiled, text: str, memo: dict | None) -> list[tuple]:
    """The rows `compiled` finds for `text`."""
    params = [text if param == TEXT else param for param in compiled.params]
    by_size = compiled.sizes_at is not None
    look = partial(_look_by_size, at=compiled.sizes_at) if by_size else _rows
    return _found_once((compiled.sql, params), compiled.db, memo, look)


def _look_by_size(cursor, sql, params, at: int) -> list[tuple]:
    """The CANDIDATES with most signatures among the petitions matching a query, looked for
    a size of signature count at a time (the parameter `at`), largest first, until there
    are enough: a common word's are among the most signed petitions, and PostgreSQL's index
    finds them there without reading any other petition. One query, for every size."""
    found = []
    for size in SIGNATURE_SIZES:
        cursor.execute(sql, [*params[:at], size, *params[at + 1 :]])
        found += cursor.fetchall()
        if len(found) >= CANDIDATES:
            break
    found.sort(key=lambda row: (-row[1], -row[0]))
    return found[:CANDIDATES]


def _rows(cursor, sql, params):
    cursor.execute(sql, params)
    return cursor.fetchall()


def _found_once(compiled, db: str, memo: dict | None, look) -> list[tuple]:
    """The candidates' rows, as `look(cursor, sql, params)` finds them: looked up once a
    request (the list and its facet counts ask for the same ones)."""
    sql, params = compiled
    key = (sql, tuple(params))
    if memo is None:
        memo = {}
    if key not in memo:
        with connections[db].cursor() as cursor:
            memo[key] = look(cursor, sql, params)
    return list(memo[key])


def _array(rows: list[tuple]) -> RawSQL:
    """The numbers of `rows` as a subquery. One array parameter, not a thousand: each costs
    the ORM and the driver time to bind. Given as the array's text, so that the ORM, which
    hashes a query's parameters as it builds it, hashes one string rather than a thousand
    numbers each time."""
    array = "{" + ",".join(str(row[0]) for row in rows) + "}"
    return RawSQL("SELECT unnest(%s::bigint[])", [array])


# The FTS5 table's columns, and the weight of each (as PostgreSQL's A, B, C and D).
FTS5_WEIGHTS = {
    "action": 10.0,
    "background": 4.0,
    "additional_details": 2.0,
    "response_summary": 4.0,
    "response_details": 1.0,
}
FTS5_RESPONSE = "{response_summary response_details}"


def _fts5(queryset, text, responses_only, ranked):
    match = fts5_query(text)
    if match is None:  # nothing to look for (only words to leave out)
        found = queryset.none()
        return found.annotate(rank=Value(0.0), snippet=Value("")) if ranked else found
    if responses_only:
        match = f"{FTS5_RESPONSE} : ({match})"
    columns = list(FTS5_WEIGHTS)
    snippet_of = columns.index("response_details" if responses_only else "background")
    weights = ", ".join(str(weight) for weight in FTS5_WEIGHTS.values())
    found = queryset.extra(
        tables=["petition_search"],
        where=["petition_search.rowid = petitions_petition.id", "petition_search MATCH %s"],
        params=[match],
    )
    if not ranked:
        return found
    return found.annotate(
        rank=RawSQL(f"-bm25(petition_search, {weights})", []),
        snippet=RawSQL(
            f"snippet(petition_search, {snippet_of}, %s, %s, '…', {SNIPPET_WORDS})",
            [MARK_START, MARK_END],
        ),
    )


TERM = re.compile(r'"[^"]*"?|[^\s"]+')


def fts5_query(text: str) -> str | None:
    """The petitions site's search syntax as an FTS5 query: words all wanted, "a phrase",
    -word left out, `or` between alternatives. Every term is quoted, so nothing a reader
    types is FTS5 syntax of its own."""
    groups: list[list[str]] = []
    excluded: list[str] = []
    alternative = False
    for term in TERM.findall(text):
        if term.lower() == "or" and groups:
            alternative = True
            continue
        excluding = term.startswith("-") and len(term) > 1
        words = term.lstrip("-").strip('"')
        if not re.search(r"\w", words):
            continue
        quoted = '"' + words.replace('"', '""') + '"'
        if excluding:
            excluded.append(quoted)
        elif alternative:
            groups[-1].append(quoted)
        else:
            groups.append([quoted])
        alternative = False
    if not groups:
        return None
    query = " AND ".join(f"({' OR '.join(group)})" for group in groups)
    return f"({query})" + "".join(f" NOT {term}" for term in excluded)


def query_words(text: str) -> list[str]:
    """The words of a search, without websearch syntax (quotes, a leading minus, 'or')."""
    words = re.findall(r"-?[\w']+", text)
    return [w for w in words if not w.startswith("-") and w.lower() != "or"]


def mark_words(text: str, words: list[str], limit: int | None = None) -> str:
    """`text` with `words` marked, cut to about `limit` words around the first match."""
    if not text:
        return ""
    patterns = [re.escape(w) for w in words if len(w) > 1]
    if not patterns:
        return " ".join(text.split()[:limit]) if limit else text
    pattern = re.compile(r"\b(" + "|".join(patterns) + r")\w*", re.IGNORECASE)
    if limit:
        tokens = text.split()
        first = next((i for i, t in enumerate(tokens) if pattern.search(t)), 0)
        start = max(0, first - limit // 3)
        text = " ".join(tokens[start : start + limit])
    return pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", text)
