"""A petition's signatures over time, the archive's own extension of the public format.

The public site gives only the latest count; the archive keeps a point (when, count) each
time it learns a different one (``petitions.SignaturePoint``). Its document is served at
``/petitions/ID/history.json`` and written by ``export_petitions`` beside each petition's
``ID.json`` as ``ID.history.json`` (never inside the public format's own fields)::

    {"links": {"self": ".../petitions/ID/history.json", "petition": ".../petitions/ID.json"},
     "data": [{"at": "2019-03-21T10:00:00.000Z", "signature_count": 5000000}, ...]}

``import_petitions`` reads such a file back (``parse_history``), checked like any document.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from exchange import values as check
from exchange.format import format_timestamp
from exchange.records import InvalidDocument

HISTORY_FILE = re.compile(r"(?P<id>[1-9][0-9]{0,9})\.history\.json(?:\.gz)?")
# Points in one document: a count every ten minutes for two years is 105,120. More is not
# a history but an attack, and the petition's page draws every point it keeps.
MAX_POINTS = 110_000


def history_file_id(name: str) -> int | None:
    """The petition an exported history file belongs to (`221342.history.json`), or None
    if the file is not one."""
    match = HISTORY_FILE.fullmatch(name)
    return int(match["id"]) if match else None


def history_rows(points) -> list[dict[str, Any]]:
    """The `data` of a history document from (at, count) pairs in time order."""
    return [{"at": format_timestamp(at), "signature_count": count} for at, count in points]


def history_document(points, *, self_url: str, petition_url: str) -> dict[str, Any]:
    return {"links": {"self": self_url, "petition": petition_url}, "data": history_rows(points)}


def parse_history(document: Any, path: str = "$") -> list[tuple[dt.datetime, int]]:
    """The points of a history document, validated; raises InvalidDocument."""
    document = check.an_object(document, path)
    rows = document.get("data")
    if not isinstance(rows, list):
        raise InvalidDocument(f"{path}.data", f"expected a list, got {check.json_type(rows)}")
    if len(rows) > MAX_POINTS:
        raise InvalidDocument(f"{path}.data", f"more than {MAX_POINTS:,} points")
    points, seen = [], set()
    for i, row in enumerate(rows):
        here = f"{path}.data[{i}]"
        row = check.an_object(row, here)
        unknown = set(row) - {"at", "signature_count"}
        if unknown:
            raise InvalidDocument(here, f"unknown keys {sorted(unknown)}")
        at = check.timestamp(row.get("at"), f"{here}.at", "at", _Unwritten())
        if at is None:
            raise InvalidDocument(f"{here}.at", "missing: when the count was known")
        if at in seen:
            raise InvalidDocument(f"{here}.at", f"{row['at']} appears twice")
        seen.add(at)
        points.append((at, check.count(row.get("signature_count"), f"{here}.signature_count")))
    return sorted(points)


class _Unwritten:
    """check.timestamp notes how a timestamp was written; a history keeps no such form."""

    def __init__(self):
        self.text: dict[str, str] = {}
