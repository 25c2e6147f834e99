"""The checks of single values in a document, each raising InvalidDocument with its path.

Texts (with their limits, and nothing a database cannot store: a NUL, a lone surrogate),
web addresses (`petitions.links`: http and https only), counts, timestamps and dates; and
`check_kept` for the values the archive keeps as given (unmodelled attributes and keys).
"""

from __future__ import annotations

from django.utils.dateparse import parse_date

from exchange.format import (
    EARLIEST,
    LATEST_YEAR,
    MAX_COUNT,
    TOO_LONG,
    format_timestamp,
    parse_timestamp,
)
from exchange.records import InvalidDocument
from petitions.links import is_web_address

NOT_A_WEB_ADDRESS = "not a web address: only http:// and https:// links are kept"


def json_type(value) -> str:
    """What a JSON value is, in words."""
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


def an_object(value, path) -> dict:
    if not isinstance(value, dict):
        raise InvalidDocument(path, f"expected an object, got {json_type(value)}")
    return value


def objects(value, path) -> list[dict]:
    if not isinstance(value, list):
        raise InvalidDocument(path, f"expected a list, got {json_type(value)}")
    for i, item in enumerate(value):
        an_object(item, f"{path}[{i}]")
    return value


def text_problem(value) -> str:
    return "missing" if value is None else f"expected text, got {json_type(value)}"


def unstorable(text: str) -> str | None:
    """Why no database could keep `text` as it is (a NUL, a lone surrogate), or None."""
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which is not text"
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError as error:
            return f"contains a lone surrogate ({text[error.start]!r}), which is not text"
    return None


def check_storable(text: str, path: str) -> str:
    if problem := unstorable(text):
        raise InvalidDocument(path, problem)
    return text


def text(value, path, name, form, limit=None, too_long=TOO_LONG, web_address=False) -> str:
    """A text; null becomes "" and is remembered (as `name`) so that export gives null back.
    With `web_address`, the text must be empty or an http or https address."""
    if value is None:
        form.null.append(name)
        return ""
    if not isinstance(value, str):
        raise InvalidDocument(path, text_problem(value))
    if limit and len(value) > limit:
        raise InvalidDocument(path, too_long.format(limit=limit))
    check_storable(value, path)
    if web_address and value and not is_web_address(value):
        raise InvalidDocument(path, NOT_A_WEB_ADDRESS)
    return value


def web_address(value, path) -> None:
    """A web address the archive keeps as given (or null)."""
    if value is None:
        return
    if not isinstance(value, str):
        raise InvalidDocument(path, text_problem(value))
    if value and not is_web_address(value):
        raise InvalidDocument(path, NOT_A_WEB_ADDRESS)


def required_text(value, path, limit) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidDocument(path, text_problem(value) if value != "" else "missing")
    if limit and len(value) > limit:
        raise InvalidDocument(path, f"longer than {limit} characters")
    return check_storable(value, path)


def check_kept(value, path: str) -> None:
    """Every text and key of a value kept as given can be stored."""
    if isinstance(value, str):
        check_storable(value, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_storable(key, f"{path} (a key)")
            check_kept(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_kept(item, f"{path}[{i}]")


def count_problem(value) -> str:
    if value is None:
        return "missing"
    if type(value) is int:
        if value < 0:
            return f"a count cannot be negative ({value})"
        return f"an absurd count ({value})"
    return f"expected a whole number, got {value!r}"


def count(value, path) -> int:
    if type(value) is not int or not 0 <= value <= MAX_COUNT:
        raise InvalidDocument(path, count_problem(value))
    return value


def timestamp(value, path, name, form):
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidDocument(path, f"expected a timestamp, got {value!r:.80}")
    moment = parse_timestamp(value)
    if moment is None:
        raise InvalidDocument(path, f"not an ISO 8601 timestamp with a time zone: {value!r:.80}")
    if moment < EARLIEST or moment.year > LATEST_YEAR:
        raise InvalidDocument(path, f"an absurd date: {value!r}")
    if format_timestamp(moment) != value:
        form.text[name] = value
    return moment


def date(value, path, name, form):
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidDocument(path, f"expected a date, got {value!r:.80}")
    try:
        day = parse_date(value[:10]) if len(value) >= 10 else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidDocument(path, f"not a date (YYYY-MM-DD): {value!r:.80}")
    if day.year < EARLIEST.year or day.year > LATEST_YEAR:
        raise InvalidDocument(path, f"an absurd date: {value!r:.80}")
    check_storable(value, path)
    if day.isoformat() != value:
        form.text[name] = value
    return day
