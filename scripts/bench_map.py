"""Benchmark (not a test): server time and size of a 650-constituency petition's map.

Usage: .venv/bin/python -m scripts.bench_map [DATA-DIR] [--runs N]

In a throwaway SQLite database it imports petition 104334 (2015, signatures from all 650
constituencies) from DATA-DIR/petitions (default ../shared/data) and the 2010–2024
boundaries from DATA-DIR/maps, then renders templates/constituencies/_map.html for the
UK hex map, the UK geographic map and London, and prints the median server time (with
warm in-memory caches, and the first, cold, render) and the bytes before and after gzip.
It also fetches the whole /petitions/ID/map/ page the same way. Aim: under 50 ms and
under 150 KB compressed.
"""

import argparse
import gzip
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PETITION = 104334


def measure(work, runs: int) -> tuple[float, float, str]:
    """Milliseconds of the first run, the median of the rest, and the last output."""
    started = time.perf_counter()
    output = work()
    first = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        output = work()
        times.append((time.perf_counter() - started) * 1000)
    return first, statistics.median(times), output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=ROOT.parent / "shared/data")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    database = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petitions_site.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["PAGE_CACHE_LOCAL"] = "0"  # time the rendering, not the page cache

    import django

    django.setup()
    from django.core.management import call_command
    from django.template.loader import render_to_string
    from django.test import Client

    from constituencies.maps import petition_map
    from exchange.parse import parse_document
    from exchange.write import save_record

    call_command("migrate", verbosity=0)
    source = args.data_dir / "petitions" / f"{PETITION}.json"
    (record,) = parse_document(json.loads(source.read_text()))
    petition = save_record(record)
    boundaries = args.data_dir / "maps" / "Westminster_PCON_Dec_2022_UK_BUC.geojson"
    call_command("import_boundaries", str(boundaries), verbosity=0)
    rows = list(petition.constituency_signatures.all())
    print(f"petition {petition.id}: {len(rows)} constituencies, {args.runs} runs each\n")
    print(f"{'what':<34}{'first ms':>9}{'median ms':>11}{'bytes':>10}{'gzip':>9}")
    client = Client()
    for label, params in [
        ("map include, UK hex", {}),
        ("map include, UK geographic", {"kind": "geo"}),
        ("map include, London hex", {"area": "london"}),
        ("map include, London geographic", {"area": "london", "kind": "geo"}),
    ]:
        first, median, html = measure(
            lambda params=params: render_to_string(
                "constituencies/_map.html", {"map": petition_map(petition, params, rows=rows)}
            ),
            args.runs,
        )
        size = len(html.encode())
        packed = len(gzip.compress(html.encode()))
        print(f"{label:<34}{first:>9.1f}{median:>11.1f}{size:>10,}{packed:>9,}")
    for label, query in [("whole map page, hex", ""), ("whole map page, geographic", "?kind=geo")]:
        url = f"/petitions/{petition.id}/map/{query}"
        first, median, response = measure(lambda url=url: client.get(url), args.runs)
        if response.status_code != 200:
            print(f"{label:<34} {url} answered {response.status_code}")
            continue
        size = len(response.content)
        packed = len(gzip.compress(response.content))
        print(f"{label:<34}{first:>9.1f}{median:>11.1f}{size:>10,}{packed:>9,}")


if __name__ == "__main__":
    main()
