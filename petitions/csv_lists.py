"""CSV lists of petitions (`/petitions.csv`), each built once per version of the archive.

A CSV of every petition is megabytes and seconds of work: built on every request, a few
clients downloading it in a loop would take every worker. So a list's CSV is written to a
file (and a gzip copy) the first time it is asked for, under CSV_DIR, keyed by its filters
and the archive's version; later requests are served from the file, and the next change to
the archive starts a new set. One worker builds a file while others wait for it, a HEAD
request never builds one, and nothing is sent until the whole file exists, so a client
never gets half a list. A search's CSV is not kept: it holds its best SEARCH_ROWS matches.
"""

from __future__ import annotations

import csv
import fcntl
import gzip
import hashlib
import io
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.urls import reverse

from exchange.format import format_timestamp
from petitions.models import ArchiveState

COLUMNS = [
    "Petition",
    "URL",
    "State",
    "Signatures Count",
    "Petition Number",
    "Parliament",
    "Government",
    "Created At",
    "Opened At",
    "Closed At",
    "Rejected At",
    "Rejection Reason",
    "Government Response At",
    "Debate Outcome At",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000  # petitions read at a time
SEARCH_ROWS = 5_000  # the most rows of a search's CSV


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is given with a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _stamp(moment) -> str:
    return format_timestamp(moment) if moment else ""


def write_rows(file, petitions, site: str) -> None:
    """The CSV of `petitions`, with links to `site`, into a text file."""
    writer = csv.writer(file)
    writer.writerow(COLUMNS)
    for p in petitions.select_related("parliament").iterator(chunk_size=CHUNK):
        row = [
            p.action,
            site + reverse("petitions:detail", args=[p.id]),
            p.state,
            p.signature_count,
            p.id,
            p.parliament.period,
            p.parliament.government,
            _stamp(p.created_at),
            _stamp(p.opened_at),
            _stamp(p.closed_at),
            _stamp(p.rejected_at),
            p.rejection_reason if p.rejection_code else "",
            _stamp(p.government_response_at),
            _stamp(p.debate_outcome_at),
        ]
        writer.writerow([safe_cell(cell) for cell in row])


def csv_response(request, petitions, *, key: str, filename: str, site: str, search: bool):
    """The CSV of a list: kept in a file (`key` names the list), or for a search built now."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if search:
        text = io.StringIO()
        write_rows(text, petitions[:SEARCH_ROWS], site)
        return HttpResponse(text.getvalue(), content_type=CONTENT_TYPE, headers=headers)
    path = _kept_path(key, site)
    if request.method == "HEAD":  # the headers, without building anything
        if path.exists():
            headers["Content-Length"] = str(path.stat().st_size)
        return HttpResponse(content_type=CONTENT_TYPE, headers=headers)
    _build_once(path, petitions, site)
    headers["Vary"] = "Accept-Encoding"
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        packed = path.with_name(path.name + ".gz")
        response = FileResponse(packed.open("rb"), content_type=CONTENT_TYPE, headers=headers)
        response["Content-Encoding"] = "gzip"
        return response
    return FileResponse(path.open("rb"), content_type=CONTENT_TYPE, headers=headers)


CONTENT_TYPE = "text/csv; charset=utf-8"


def _kept_path(key: str, site: str) -> Path:
    name = hashlib.sha256(f"{site}\n{key}".encode()).hexdigest()[:32]
    return Path(settings.CSV_DIR) / f"v{ArchiveState.current()}" / f"{name}.csv"


def _build_once(path: Path, petitions, site: str) -> None:
    """Write the file at `path` unless it is there: one process at a time builds it."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be building it: wait
        if path.exists():
            return
        building = path.with_suffix(f".{os.getpid()}.part")
        with open(building, "w", encoding="utf-8", newline="") as file:
            write_rows(file, petitions, site)
        with open(building, "rb") as plain, gzip.open(f"{building}.gz", "wb") as packed:
            shutil.copyfileobj(plain, packed)
        os.replace(f"{building}.gz", path.with_name(path.name + ".gz"))
        os.replace(building, path)
    _forget_older(path.parent)


def _forget_older(current: Path) -> None:
    """Remove the files of earlier versions of the archive (best effort)."""
    for other in current.parent.iterdir():
        if other != current and other.is_dir() and other.name.startswith("v"):
            shutil.rmtree(other, ignore_errors=True)
