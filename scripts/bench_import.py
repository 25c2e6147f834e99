"""Benchmark `import_petitions` against PostgreSQL's COPY on a generated collection.

Usage:
    DATABASE_URL=postgres://... .venv/bin/python -m scripts.bench_import [--documents 10000]
        [--one-file] [--rounds 5]

Generates DOCUMENTS detail documents in the public site's format (each with a breakdown
by 650 constituencies, 20 countries and 12 regions) into a temporary directory, then, in
a scratch database made beside DATABASE_URL's (NAME_bench_import, dropped at the end, so
the archive itself is never touched):

1. runs `manage.py import_petitions DIR` in a child process, as a user would, into the
   empty archive, and reports documents per second and the child's peak memory (its
   getrusage, from os.wait4); then a tenth as many more documents into the archive it made
   (indexes kept up row by row, not built after the load), which also shows whether memory
   grows with the input;
2. loads the same rows with COPY (psycopg's copy, after reading each file once with
   json.loads), first into bare scratch tables with the archive's columns (the baseline),
   then the same reading each file with orjson, as `import_petitions` reads a whole
   document (a baseline that reads the JSON as fast as the importer does), then with
   json.loads into scratch tables that also have the archive's indexes and foreign keys
   (to tell what the schema costs from what the importer costs), and reports documents
   per second and the importer's speed as a share of each.

With --one-file, the documents' petitions go into ONE list document instead (a file of
about 80 KB a petition: 800 MB for 10,000), and `import_petitions` reads that file, and
one of a tenth as many petitions: its peak memory should not grow with the file, since
the file is read as a stream. (No COPY baseline: it would have to read the file whole.)

With --rounds N, steps 1 and 2 run N times, each in a new scratch database, and it prints
the medians: the bare COPY alone swings by a third from one run to the next on a small
machine, so one round's ratio says little about whether the import is steadily at a share
of it.

Not a test: it takes a few minutes and needs PostgreSQL.
"""

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
REGIONS = [
    ("A", "North East"),
    ("B", "North West"),
    ("D", "Yorkshire and The Humber"),
    ("E", "East Midlands"),
    ("F", "West Midlands"),
    ("G", "East of England"),
    ("H", "London"),
    ("J", "South East"),
    ("K", "South West"),
    ("L", "Wales"),
    ("M", "Scotland"),
    ("N", "Northern Ireland"),
]


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def documents(count: int, first: int = 401, seed: int = 2019) -> Iterator[dict]:
    """`count` detail documents, for petitions FIRST onwards, as the public site serves them."""
    rng = random.Random(seed)
    constituencies = [
        (f"E{14000530 + i}", f"Constituency {i}", f"Member {i} MP") for i in range(650)
    ]
    countries = [(f"C{i}", f"Country {i}") for i in range(20)]
    start = dt.datetime(2020, 1, 6, 9, tzinfo=dt.UTC)
    for n in range(count):
        created = start + dt.timedelta(minutes=97 * n, milliseconds=rng.randrange(1000))
        opened = created + dt.timedelta(days=3)
        rows = [
            {"name": name, "ons_code": code, "mp": mp, "signature_count": rng.randrange(1, 900)}
            for code, name, mp in constituencies
        ]
        attributes = {
            "action": f"Generated petition number {n} about something that matters",
            "background": "A generated petition for benchmarking the importer. " * 3,
            "additional_details": "",
            "committee_note": None,
            "state": "closed",
            "signature_count": sum(row["signature_count"] for row in rows),
            "created_at": stamp(created),
            "updated_at": stamp(opened + dt.timedelta(days=190)),
            "rejected_at": None,
            "opened_at": stamp(opened),
            "closed_at": stamp(opened + dt.timedelta(days=182)),
            "moderation_threshold_reached_at": stamp(created + dt.timedelta(hours=2)),
            "response_threshold_reached_at": None,
            "government_response_at": None,
            "debate_threshold_reached_at": None,
            "scheduled_debate_date": None,
            "debate_outcome_at": None,
            "creator_name": None,
            "rejection": None,
            "government_response": None,
            "debate": None,
            "departments": [],
            "topics": [],
            "signatures_by_country": [
                {"name": name, "code": code, "signature_count": rng.randrange(1, 50)}
                for code, name in countries
            ],
            "signatures_by_constituency": rows,
            "signatures_by_region": [
                {"name": name, "ons_code": code, "signature_count": rng.randrange(100, 9000)}
                for code, name in REGIONS
            ],
            "other_parliamentary_business": [],
        }
        number = first + n
        yield {
            "links": {"self": f"https://petition.parliament.uk/petitions/{number}.json"},
            "data": {"type": "petition", "id": number, "attributes": attributes},
        }


def generate(directory: Path, count: int, first: int = 401, seed: int = 2019) -> None:
    """`count` detail documents, FIRST.json onwards."""
    for document in documents(count, first, seed):
        path = directory / f"{document['data']['id']}.json"
        path.write_text(json.dumps(document, separators=(",", ":")))


def generate_list(path: Path, count: int, first: int = 401, seed: int = 2019) -> None:
    """The same petitions as `generate`, in ONE list document, written as they are made."""
    with path.open("w") as out:
        out.write('{"links":{"self":"https://petition.parliament.uk/petitions.json"},"data":[')
        for n, document in enumerate(documents(count, first, seed)):
            out.write("," if n else "")
            out.write(json.dumps(document["data"], separators=(",", ":")))
        out.write("]}")


def run_import(path: Path, database_url: str, *options: str) -> tuple[float, float, str]:
    """Seconds, peak memory (MiB) and the summary of `import_petitions` in a child."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        begin = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "manage.py", "import_petitions", str(path), *options],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url},
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - begin
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode:
            sys.exit(f"import_petitions failed:\n{err.read()}")
        # ru_maxrss is in KiB on Linux.
        return seconds, usage.ru_maxrss / 1024, out.read().strip()


TABLES = [
    ("bench_petition", "petitions_petition"),
    ("bench_constituency", "petitions_constituencysignatures"),
    ("bench_country", "petitions_countrysignatures"),
    ("bench_region", "petitions_regionsignatures"),
]
TEXTS = ["action", "background", "additional_details", "committee_note", "creator_name"]
STAMPS = [
    "created_at",
    "updated_at",
    "opened_at",
    "closed_at",
    "rejected_at",
    "moderation_threshold_reached_at",
    "response_threshold_reached_at",
    "government_response_at",
    "debate_threshold_reached_at",
    "debate_outcome_at",
]
BREAKDOWN_COPIES = [
    ("bench_constituency", "signatures_by_constituency", ("name", "ons_code", "mp")),
    ("bench_country", "signatures_by_country", ("name", "code")),
    ("bench_region", "signatures_by_region", ("name", "ons_code")),
]


def create_tables(connection, shaped: bool) -> None:
    """Scratch tables with the archive's columns: bare, or with its indexes and keys."""
    including = "INCLUDING ALL" if shaped else "INCLUDING IDENTITY INCLUDING DEFAULTS"
    for table, like in TABLES:
        connection.execute(f"DROP TABLE IF EXISTS {table}")
        connection.execute(f"CREATE TABLE {table} (LIKE {like} {including})")
    if shaped:
        for table, _ in TABLES[1:]:
            connection.execute(
                f"ALTER TABLE {table} ADD FOREIGN KEY (petition_id) REFERENCES bench_petition (id)"
                " DEFERRABLE INITIALLY DEFERRED"
            )
    connection.commit()


def run_copy(
    directory: Path, conninfo: str, *, shaped: bool, parser: str = "json", batch: int = 500
) -> tuple[float, float]:
    """Seconds to read the files (each once, with json.loads or orjson.loads) and COPY the
    same rows, and the reading part."""
    import orjson
    import psycopg
    from psycopg.types.json import Jsonb

    files = sorted(directory.glob("*.json"))
    petition_columns = [
        "id",
        *TEXTS,
        "state",
        "signature_count",
        *STAMPS,
        "scheduled_debate_date",
        "rejection_code",
        "rejection_details",
        "other_parliamentary_business",
        "extra",
        "parliament_id",
    ]
    loads = orjson.loads if parser == "orjson" else json.loads
    with psycopg.connect(conninfo) as connection:
        create_tables(connection, shaped)
        parliament = connection.execute(
            "SELECT id FROM petitions_parliament WHERE period = '2019-2024'"
        ).fetchone()[0]
        reading = 0.0
        begin = time.perf_counter()
        with connection.cursor() as cursor:
            for first in range(0, len(files), batch):
                start = time.perf_counter()
                documents = [
                    loads(path.read_bytes())["data"] for path in files[first : first + batch]
                ]
                reading += time.perf_counter() - start
                with cursor.copy(
                    f"COPY bench_petition ({', '.join(petition_columns)}) FROM STDIN"
                ) as copy:
                    for data in documents:
                        attributes = data["attributes"]
                        rejection = attributes["rejection"] or {}
                        copy.write_row(
                            (
                                data["id"],
                                *(attributes[name] or "" for name in TEXTS),
                                attributes["state"],
                                attributes["signature_count"],
                                *(attributes[name] for name in STAMPS),
                                attributes["scheduled_debate_date"],
                                rejection.get("code", ""),
                                rejection.get("details", ""),
                                Jsonb(attributes["other_parliamentary_business"]),
                                Jsonb({}),
                                parliament,
                            )
                        )
                for table, attribute, columns in BREAKDOWN_COPIES:
                    names = ", ".join(columns)
                    with cursor.copy(
                        f"COPY {table} (petition_id, {names}, signature_count) FROM STDIN"
                    ) as copy:
                        for data in documents:
                            for row in data["attributes"][attribute]:
                                copy.write_row(
                                    (data["id"], *(row[c] for c in columns), row["signature_count"])
                                )
        connection.commit()
        seconds = time.perf_counter() - begin
        connection.execute(f"DROP TABLE {', '.join(table for table, _ in reversed(TABLES))}")
        connection.commit()
    return seconds, reading


def copied(directory: Path, conninfo: str, **options) -> tuple[float, float]:
    """`run_copy` in a child process. It holds hundreds of MiB of documents at a time; held
    here, the next import's child would report them as its own peak memory (Linux carries
    a process's peak across fork and exec)."""
    with ProcessPoolExecutor(1, mp_context=get_context("fork")) as pool:
        return pool.submit(run_copy, directory, conninfo, **options).result()


def many_files(folder: Path, count: int, rounds: int) -> None:
    small = folder / "small"
    large = folder / "all"
    small.mkdir()
    large.mkdir()
    print(f"Generating {count:,} documents (650 constituencies, 20 countries, 12 regions)…")
    generate(large, count)
    generate(small, max(count // 10, 1), first=900_001, seed=7)
    size = sum(p.stat().st_size for p in large.iterdir()) / 2**20
    rows = count * (650 + 20 + 12)
    print(f"  {size:,.0f} MiB of JSON, {rows:,} breakdown rows")
    few = max(count // 10, 1)
    rounds_speeds = []  # each round's: import_petitions, then the two bare COPYs
    for round_ in range(1, rounds + 1):
        if rounds > 1:
            print(f"Round {round_} of {rounds} (a new scratch database):")
        with scratch_database() as (url, conninfo):
            # First into the empty archive (the breakdowns' indexes and keys are built after
            # the load), then a tenth as many more into the archive it made (kept up row by
            # row).
            seconds, peak, summary = run_import(large, url)
            seconds_small, peak_small, _ = run_import(small, url)
            print(f"import_petitions, into an empty archive: {summary}")
            print(
                f"  {count:,} documents in {seconds:.1f} s: {count / seconds:,.0f} documents/s, "
                f"{rows / seconds:,.0f} rows/s; peak memory {peak:,.0f} MiB"
            )
            print(
                f"  then {few:,} more into that archive: {few / seconds_small:,.0f} documents/s; "
                f"peak memory {peak_small:,.0f} MiB"
            )
            print("COPY baselines (each file read once, then COPY of the same rows):")
            speeds = [count / seconds]
            for shaped, parser, label in [
                (False, "json", "json.loads, into bare tables (no index, no key)"),
                (False, "orjson", "orjson.loads (as import_petitions reads), into bare tables"),
                (True, "json", "json.loads, into tables with the archive's indexes and keys"),
            ]:
                copy_seconds, reading = copied(large, conninfo, shaped=shaped, parser=parser)
                print(
                    f"  {label}: {count / copy_seconds:,.0f} documents/s "
                    f"({copy_seconds:.1f} s, of which {reading:.1f} s reading the JSON); "
                    f"import_petitions runs at {copy_seconds / seconds:.2f} of this speed"
                )
                if not shaped:
                    speeds.append(count / copy_seconds)
            rounds_speeds.append(speeds)
    if rounds > 1:
        imports, *bares = zip(*rounds_speeds, strict=True)
        print(
            f"Over {rounds} rounds: import_petitions {median(imports):,.0f} documents/s "
            f"(median; {min(imports):,.0f} to {max(imports):,.0f})"
        )
        for parser, copies in zip(["json.loads", "orjson.loads"], bares, strict=True):
            shares = [mine / bare for mine, bare in zip(imports, copies, strict=True)]
            print(
                f"  bare COPY reading with {parser}: {median(copies):,.0f} (median; "
                f"{min(copies):,.0f} to {max(copies):,.0f}); import_petitions at "
                f"{', '.join(f'{share:.2f}' for share in shares)} of the same round's: median "
                f"{median(shares):.2f}"
            )


def one_file(folder: Path, count: int, url: str) -> None:
    """Import one list document of `count` petitions and one of a tenth as many."""
    for n, first, seed in [(max(count // 10, 1), 900_001, 7), (count, 401, 2019)]:
        path = folder / f"list-{n}.json"
        print(f"Generating one list document of {n:,} petitions…")
        generate_list(path, n, first=first, seed=seed)
        size = path.stat().st_size / 2**20
        seconds, peak, summary = run_import(path, url)
        path.unlink()
        print(f"  import_petitions: {summary}")
        print(
            f"  {size:,.0f} MiB file, {n:,} petitions in {seconds:.1f} s: "
            f"{n / seconds:,.0f} petitions/s; peak memory {peak:,.0f} MiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument(
        "--one-file",
        action="store_true",
        help="Put all the petitions in one list document, to see that memory stays flat.",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure the import and its baselines this many times, each in a new scratch "
        "database, and print the medians (the bare COPY swings by a third from run to run)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petitions_site.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the benchmark compares with COPY.")

    with tempfile.TemporaryDirectory() as temp:
        if args.one_file:
            with scratch_database() as (url, _):
                one_file(Path(temp), args.documents, url)
        else:
            many_files(Path(temp), args.documents, args.rounds)


@contextmanager
def scratch_database() -> Iterator[tuple[str, str]]:
    """A scratch database beside DATABASE_URL's (NAME_bench_import), migrated, dropped at
    the end: its URL for Django, and its conninfo for psycopg."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"{name}_bench_import"
    scratch = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:"
        f"{settings['PORT'] or 5432}/{scratch}"
    )
    conninfo = (
        f"dbname={scratch} user={settings['USER']} host={settings['HOST']} "
        f"port={settings['PORT'] or 5432}"
        + (f" password={settings['PASSWORD']}" if settings["PASSWORD"] else "")
    )
    connection.close()
    try:
        yield url, conninfo
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
