"""Serving benchmark: the long tail of a 100,000-petition PostgreSQL archive, as readers meet it.

Usage:
    .venv/bin/python -m scripts.bench_serve [--petitions 100000] [--duration 10]
        [--connections 16] [--workers 5] [--cache-url redis://127.0.0.1:6379/1]
        [--database postgres://postgres@127.0.0.1:5432/petition_bench] [--gzip] [--only map]

It creates the database if needed, builds the synthetic archive once (generate_archive,
whose texts are drawn from the real petitions in ../shared/data/real; run again, it reuses
it), starts gunicorn as in production (DEBUG off, no CACHE_URL unless given), and loads
each kind of page from wrk (Debian's package) on loopback, 2 threads and 16 connections:

- every request for a petition, its JSON or its map asks for a random petition of the whole
  archive (a shuffled list of all of them), as search engines and old links do;
- lists ask for a random page from 1 to 40; facet lists for a random facet too;
- searches for 1 to 3 words drawn from the archive's own actions, different each time;
- constituency pages (and their JSON) a random constituency and a page from 1 to 40; the
  parliament pages each parliament in turn.

Nothing is warmed: gunicorn starts afresh, and /healthz (the trivial view) is measured
before and after the pages, in the same run, and /readyz, the trivial view that reads the
database once (`SELECT 1`): the floor of any page the database answers. Each row starts two
seconds after the last ended, once the workers have finished what it left queued. Run
`manage.py render_pages --base-url http://127.0.0.1:8123` first, as a deployment does (the
header says how many pages are in the store; add `--constituencies` for their pages too).
wrk asks without Accept-Encoding unless `--gzip` (as browsers ask). It prints a table of
requests per second, the ratio to /healthz, p50, p99 and non-2xx answers, and the workers'
memory. With `--beside` (3 s by default), /healthz is also measured just before
each row, and the row's ratio to that is printed beside the ratio to the first /healthz.
Not a test: it asserts nothing, it prints figures.
"""

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = 8123
SETTLE_SECONDS = 2
FACETS = [
    "open",
    "closed",
    "rejected",
    "awaiting_response",
    "with_response",
    "awaiting_debate",
    "debated",
    "not_debated",
]
STOP_WORDS = {  # fmt: skip
    "a",
    "an",
    "and",
    "are",
    "as",
    "at",
    "be",
    "by",
    "for",
    "from",
    "has",
    "have",
    "in",
    "into",
    "is",
    "it",
    "its",
    "of",
    "on",
    "or",
    "that",
    "the",
    "their",
    "to",
    "was",
    "were",
    "will",
    "with",
    "all",
    "any",
    "our",
    "we",
    "us",
    "not",
    "no",
    "do",
}
# wrk asks for the paths of a file in turn, each thread from its own random start.
WRK_SCRIPT = """
local paths = {}
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  at = math.random(#paths)
end
function request()
  at = at % #paths + 1
  return wrk.format(nil, paths[at])
end
"""


def manage(*args, env):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def database_ready(url: str, petitions: int, env: dict) -> None:
    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    manage("migrate", "--noinput", "-v0", env=env)
    with psycopg.connect(url) as conn:
        sample = conn.execute("SELECT 1 FROM petitions_petition WHERE id = 221342").fetchone()
    if not sample:
        manage("loaddata", "sample_petition", "-v0", env=env)
    with psycopg.connect(url) as conn:
        have = conn.execute(
            "SELECT count(*) FROM petitions_petition WHERE id >= 900000000"
        ).fetchone()[0]
    if have < petitions:
        print(f"building the synthetic archive: {petitions - have:,} petitions to add…")
        started = time.perf_counter()
        manage("generate_archive", "--petitions", str(petitions - have), env=env)
        print(f"  built in {time.perf_counter() - started:.0f} s")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def search_words(actions: list[str], rng: random.Random, count: int) -> list[list[str]]:
    """About `count` searches of 1 to 3 words, each drawn from a random action of the
    archive (words of three letters or more, no stop words): what readers look for."""
    searches = []
    for _ in range(count):
        words = [
            w
            for w in re.findall(r"[a-z]+", rng.choice(actions).lower())
            if len(w) > 2 and w not in STOP_WORDS
        ]
        if words:
            searches.append(rng.sample(words, min(len(words), rng.randint(1, 3))))
    return searches


def address_lists(url: str, rng: random.Random) -> dict[str, list[str]]:
    """For each kind of page, the addresses wrk asks for in turn."""
    with psycopg.connect(url) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM petitions_petition")]
        mapped = [
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT petition_id FROM petitions_constituencysignatures"
            )
        ]
        actions = [row[0] for row in conn.execute("SELECT action FROM petitions_petition")]
        codes = [
            row[0]
            for row in conn.execute(
                "SELECT ons_code FROM constituencies_constituency WHERE boundary_set = '2010'"
            )
        ]
        periods = [row[0] for row in conn.execute("SELECT period FROM petitions_parliament")]
    rng.shuffle(ids)
    rng.shuffle(mapped)
    pages = [rng.randint(1, 40) for _ in range(20_000)]
    searches = ["+".join(words) for words in search_words(actions, rng, 20_000)]
    return {
        "trivial view (/healthz), before": ["/healthz"],
        # The floor of any page the database answers: one round trip and nothing else.
        "trivial view with one database read (/readyz)": ["/readyz"],
        "petition page": [f"/petitions/{i}/" for i in ids],
        "JSON detail": [f"/petitions/{i}.json" for i in ids],
        "map page": [f"/petitions/{i}/map/" for i in mapped],
        "list, page 1–40": [f"/petitions/?page={p}" for p in pages],
        "facet list, page 1–40": [
            f"/petitions/?state={rng.choice(FACETS)}&page={p}" for p in pages
        ],
        "search, varied words": [f"/petitions/?q={q}" for q in searches],
        "JSON list, page 1–40": [f"/petitions.json?page={p}" for p in pages],
        "constituency page, page 1–40": [
            f"/constituencies/{rng.choice(codes)}/?page={p}" for p in pages
        ],
        "constituency JSON, page 1–40": [
            f"/constituencies/{rng.choice(codes)}.json?page={p}" for p in pages
        ],
        "constituencies (public site's JSON)": ["/constituencies.json"],
        "petition count JSON": [f"/petitions/{i}/count.json" for i in ids],
        "parliament page": [f"/parliaments/{period}/" for period in periods],
        "trivial view (/healthz), after": ["/healthz"],
    }


def wrk(base: str, paths: list[str], duration: int, connections: int, folder: Path, headers: list):
    listing = folder / "paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    script = folder / "random.lua"
    script.write_text(WRK_SCRIPT)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script)]
        + [arg for header in headers for arg in ("-H", header)]
        + [base, "--", str(listing)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+([\d.]+\w+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+([\d.]+\w+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, int(errors.group(1)) if errors else 0


def to_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def worker_memory(server_pid: int) -> list[int]:
    """Resident memory (MiB) of gunicorn's workers."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"PPid:\t{server_pid}\n" in text and (rss := re.search(r"VmRSS:\s+(\d+)", text)):
            found.append(int(rss.group(1)) // 1024)
    return sorted(found)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/petition_bench")
    parser.add_argument("--cache-url", default="", help="a shared page cache (Redis), if any")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--gzip",
        action="store_true",
        help="ask as browsers do, with Accept-Encoding: gzip (wrk's default asks for none)",
    )
    parser.add_argument("--only", help="measure only the pages whose name contains this")
    parser.add_argument(
        "--beside",
        type=int,
        default=3,
        help="seconds of /healthz measured just before each row, for a ratio less swayed by "
        "the machine's swings within the run (0: none)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    env = {
        **os.environ,
        "DATABASE_URL": args.database,
        "DEBUG": "0",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CONN_MAX_AGE": "600",
        "CACHE_URL": args.cache_url,
    }
    database_ready(args.database, args.petitions, env)
    addresses = address_lists(args.database, random.Random(args.seed))
    if args.only:
        addresses = {
            name: paths
            for name, paths in addresses.items()
            if args.only in name or name.startswith("trivial view")
        }
    with psycopg.connect(args.database) as conn:
        stored = conn.execute("SELECT count(*) FROM petitions_storedpage").fetchone()[0]
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "petitions_site.wsgi", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        print(
            f"\n{args.petitions:,} synthetic petitions on PostgreSQL; gunicorn, {args.workers} "
            f"workers, {'cache ' + args.cache_url if args.cache_url else 'no CACHE_URL'}; wrk, "
            f"2 threads, {args.connections} connections, {args.duration} s a page"
            f"{', Accept-Encoding: gzip' if args.gzip else ''}; {os.cpu_count()} cores; "
            f"nothing warmed; {stored:,} pages in the store (render_pages)\n"
        )
        print(
            "| page | req/s | ratio | ratio beside | p50 ms | p99 ms | non-2xx |\n"
            "|---|---|---|---|---|---|---|"
        )
        ceiling = None
        headers = ["Accept-Encoding: gzip"] if args.gzip else []
        with tempfile.TemporaryDirectory() as folder:
            for name, paths in addresses.items():
                trivial = None
                if args.beside and "healthz" not in name:
                    # The trivial view again, just before the row: the ratio to it is less
                    # swayed by how fast the machine happens to be at that moment.
                    trivial = wrk(
                        base, ["/healthz"], args.beside, args.connections, Path(folder), headers
                    )[0]
                rps, p50, p99, errors = wrk(
                    base, paths, args.duration, args.connections, Path(folder), headers
                )
                beside = f"{rps / trivial:.2f}" if trivial else "–"
                ceiling = ceiling or rps
                # The workers finish what the last row left queued (a slow search takes a
                # few hundred ms) before the next row starts, so no row pays for another.
                time.sleep(SETTLE_SECONDS)
                print(
                    f"| {name} | {rps:,.0f} | {rps / ceiling:.2f} | {beside} | {p50:.1f} "
                    f"| {p99:.1f} | {errors} |",
                    flush=True,
                )
        memory = worker_memory(server.pid)
        print(f"\nworkers' resident memory after the run: {memory} MiB")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
