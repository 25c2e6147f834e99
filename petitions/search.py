"""Finding petitions by their words.

On PostgreSQL: full-text search over a weighted vector that triggers keep up to date (the
action weighs most, then the background and the response's summary, then the additional
details and the response in full), websearch syntax ("quoted phrases", -word, or), ranking
and highlighted snippets. On SQLite: every word must appear somewhere in the same texts.

Snippets mark matched words with MARK_START/MARK_END; the `highlighted` template filter
escapes the text and turns the marks into <mark> elements.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connections
from django.db.models import F, Q, Value

CONFIG = "english"
MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_WORDS = 30
TEXT_FIELDS = ["action", "background", "additional_details"]
RESPONSE_FIELDS = ["government_response__summary", "government_response__details"]


def is_postgresql(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def search(queryset, text: str, responses_only: bool = False):
    """`queryset` narrowed to petitions matching `text`, annotated with `rank` and `snippet`."""
    text = text.strip()
    if not text:
        return queryset
    if is_postgresql(queryset):
        return _full_text(queryset, text, responses_only)
    return _simple_match(queryset, text, responses_only)


def _full_text(queryset, text, responses_only):
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    vector = "government_response__search_vector" if responses_only else "search_vector"
    snippet_of = "government_response__details" if responses_only else "background"
    return queryset.filter(**{vector: query}).annotate(
        rank=SearchRank(F(vector), query),
        snippet=SearchHeadline(
            snippet_of,
            query,
            config=CONFIG,
            start_sel=MARK_START,
            stop_sel=MARK_END,
            max_words=SNIPPET_WORDS,
            min_words=SNIPPET_WORDS // 2,
            short_word=3,
            max_fragments=1,
        ),
    )


def _simple_match(queryset, text, responses_only):
    fields = RESPONSE_FIELDS if responses_only else TEXT_FIELDS + RESPONSE_FIELDS
    for word in query_words(text):
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset.annotate(rank=Value(0.0))


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
